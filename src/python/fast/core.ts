import { PyNode, SourceFile } from '../tree.js';
import { FAIL, Tokens } from './tokens.js';

// Parser state shared by the expression and statement parsers: the token arrays, a cursor, and
// helpers that build PyNode objects the way copyTree would have copied them.

export class P {
  p = 0;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;

  constructor(readonly text: string, readonly file: SourceFile, readonly toks: Tokens) {
    this.kinds = toks.kinds;
    this.starts = toks.starts;
    this.ends = toks.ends;
  }

  get k(): number {
    return this.kinds[this.p]!;
  }

  peek(n: number): number {
    return this.kinds[this.p + n]!;
  }

  get s(): number {
    return this.starts[this.p]!;
  }

  get e(): number {
    return this.ends[this.p]!;
  }

  /** End of the previous token. */
  get prevEnd(): number {
    return this.ends[this.p - 1]!;
  }

  /** Consumes a token of kind `kind` and returns its index, or fails. */
  expect(kind: number): number {
    if (this.kinds[this.p] !== kind) throw FAIL;
    return this.p++;
  }

  eat(kind: number): boolean {
    if (this.kinds[this.p] !== kind) return false;
    this.p++;
    return true;
  }

  node(type: string, start: number, end: number): PyNode {
    return new PyNode(this.file, type, null, true, start, end);
  }

  /** An anonymous token kept by copyTree (children of except_clause, comparison_operator, unary_operator). */
  anon(type: string, start: number, end: number, field: string | null): PyNode {
    return new PyNode(this.file, type, field, false, start, end);
  }

  isName(i: number, name: string): boolean {
    const s = this.starts[i]!;
    return this.ends[i]! - s === name.length && this.text.startsWith(name, s);
  }
}

export function add(parent: PyNode, child: PyNode, field: string | null): void {
  child.field = field;
  child.parent = parent;
  parent.children.push(child);
}

/** Makes a node of a different type with the same span and children (tuple → tuple_pattern, ...). */
export function retype(ps: P, n: PyNode, type: string): PyNode {
  const m = ps.node(type, n.start, n.end);
  for (const c of n.children) add(m, c, c.field);
  return m;
}

export { FAIL };
