import type { PyNode } from '../tree.js';
import { FAIL, P } from './core.js';

// Comments and line continuations are extras: tree-sitter attaches each to the smallest node
// whose own (non-extra) children lie on both sides of it. With the zero-width NEWLINE / INDENT /
// DEDENT tokens placed as the scanner places them, that is the deepest node whose span strictly
// starts before the extra and ends at or after it.

export function placeExtras(ps: P, root: PyNode): void {
  const t = ps.toks;
  const n = t.cStarts.length;
  for (let i = 0; i < n; i++) {
    const start = t.cStarts[i]!;
    const end = t.cEnds[i]!;
    const extra = ps.node(t.cKinds[i] === 0 ? 'comment' : 'line_continuation', start, end);
    let node = root;
    for (;;) {
      const kids = node.children;
      // Last child starting before the extra.
      let lo = 0;
      let hi = kids.length - 1;
      let idx = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (kids[mid]!.start < start) {
          idx = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const c = idx >= 0 ? kids[idx]! : null;
      if (c && end <= c.end) {
        if (c.opaque || c.type === 'string') throw FAIL;
        node = c;
        continue;
      }
      extra.parent = node;
      kids.splice(idx + 1, 0, extra);
      break;
    }
  }
}

