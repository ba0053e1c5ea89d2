import type { PyNode } from '../tree.js';
import { FAIL, P, add } from './core.js';
import { parseExpression } from './expressions.js';
import {
  K_EQ, K_FCONTENT, K_FCONV, K_FEND, K_FESCI, K_FESCS, K_FLBRACE, K_FRBRACE, K_FSPEC, K_FSTART,
} from './tokens.js';

// f-strings: the string node keeps its children (copyTree descends into strings with an f prefix).

export function parseFString(ps: P): PyNode {
  const start = ps.s;
  const startTok = ps.expect(K_FSTART);
  const parts: PyNode[] = [ps.node('string_start', start, ps.ends[startTok]!)];
  for (;;) {
    const k = ps.k;
    if (k === K_FCONTENT) {
      const c = ps.node('string_content', ps.s, ps.e);
      ps.p++;
      for (;;) {
        const j = ps.k;
        if (j === K_FESCI) add(c, ps.node('escape_interpolation', ps.s, ps.e), null);
        else if (j === K_FESCS) add(c, ps.node('escape_sequence', ps.s, ps.e), null);
        else break;
        ps.p++;
      }
      parts.push(c);
    } else if (k === K_FLBRACE) {
      parts.push(parseInterpolation(ps, 'interpolation'));
    } else if (k === K_FEND) {
      parts.push(ps.node('string_end', ps.s, ps.e));
      ps.p++;
      break;
    } else throw FAIL;
  }
  const n = ps.node('string', start, ps.prevEnd);
  for (const c of parts) add(n, c, null);
  return n;
}

function parseInterpolation(ps: P, type: string): PyNode {
  const start = ps.s;
  ps.p++;
  const expr = parseExpression(ps);
  const kids: PyNode[] = [expr];
  const fields: string[] = ['expression'];
  ps.eat(K_EQ);
  if (ps.k === K_FCONV) {
    kids.push(ps.node('type_conversion', ps.s, ps.e));
    fields.push('type_conversion');
    ps.p++;
  }
  if (ps.k === K_FSPEC) {
    const spec = ps.node('format_specifier', ps.s, 0);
    ps.p++;
    while (ps.k === K_FLBRACE) add(spec, parseInterpolation(ps, 'format_expression'), null);
    if (ps.k !== K_FRBRACE) throw FAIL;
    (spec as { end: number }).end = ps.s;
    kids.push(spec);
    fields.push('format_specifier');
  }
  const end = ps.e;
  ps.expect(K_FRBRACE);
  const n = ps.node(type, start, end);
  for (let i = 0; i < kids.length; i++) add(n, kids[i]!, fields[i]!);
  return n;
}
