import type { Hit, Matcher } from '../../types.js';

// positional-dict {callees, position}: calls of these callables (qualified through the imports)
// with a dict at that positional place, where the callable now takes something else (Asset's
// second positional parameter is its URI; Dataset's was extra).

interface Params {
  callees: string[];
  position: number;
}

export const positionalDict: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as Params;
  const callees = new Set(p.callees);
  const hits: Hit[] = [];
  for (const file of [...inv.dagFiles, ...inv.plugins.files]) {
    for (const c of file.analysis?.calls ?? []) {
      if (!c.dicts?.includes(p.position) || !callees.has(c.callee)) continue;
      const name = c.callee.slice(c.callee.lastIndexOf('.') + 1);
      hits.push({ file: file.path, line: c.line, col: c.col, text: `${name}(...)`, vars: { callee: c.callee, name } });
    }
  }
  return hits;
};
