import { expect, it } from 'vitest';
import { jsonChunks } from '../../src/report/json-chunks.js';
it('matches JSON.stringify', () => {
  const cases: unknown[] = [1, 'a\nb', null, [], {}, { a: undefined, b: [1, { c: [] , d: {}, e: 'x\ny'}], f: new Date(0), g: () => 1 }, [undefined, 1, [2, [3, [4]]]], { a: { b: { c: { d: 1 } } } }, { m: new Map([[1, 2]]) }];
  for (const c of cases) for (const levels of [0, 1, 2, 3, 5]) expect([...jsonChunks(c, levels)].join('')).toBe(JSON.stringify(c, null, 2));
});
