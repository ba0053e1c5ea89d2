import { expect, it } from 'vitest';
import { jsonChunks } from '../../src/report/json-chunks.js';
it('matches JSON.stringify', () => {
  const cases: unknown[] = [1, 'a\nb', null, [], {}, { a: undefined, b: [1, { c: [] , d: {}, e: 'x\ny'}], f: new Date(0), g: () => 1 }, [undefined, 1, [2, [3, [4]]]], { a: { b: { c: { d: 1 } } } }, { m: new Map([[1, 2]]) }];
  // Long arrays at several depths (their elements go in runs), with toJSON, undefined and functions among them.
  const many = Array.from({ length: 70 }, (_, i) => (i % 9 === 0 ? undefined : i % 11 === 0 ? () => i : { i, s: `l${i}\nx`, at: new Date(i), in: [i, { j: [i] }] }));
  cases.push(many, { findings: many, n: 1 }, [[many, many.slice(0, 33)], many.slice(0, 32)]);
  for (const c of cases) for (const levels of [0, 1, 2, 3, 5]) expect([...jsonChunks(c, levels)].join('')).toBe(JSON.stringify(c, null, 2));
});
