import type { PyNode } from '../tree.js';
import { FAIL, P, add, retype } from './core.js';
import { parseExpression, parsePostfix } from './expressions.js';
import { parseStarElem } from './atoms.js';
import {
  K_COMMA, K_FROM, K_IN, K_STAR, K_YIELD, K_RPAR, K_RSQB, K_RBRACE, K_NEWLINE, K_SEMI, K_EQ, K_COLON,
  K_EOF, K_FRBRACE, K_AUG,
} from './tokens.js';

// Assignment targets (patterns), expression lists, yield; and type annotations.

/** Converts a parsed expression to the pattern tree-sitter builds for a target. */
export function toPattern(ps: P, n: PyNode): PyNode {
  switch (n.type) {
    case 'identifier': case 'attribute': case 'subscript':
      return n;
    case 'tuple': case 'list': {
      const m = ps.node(n.type === 'tuple' ? 'tuple_pattern' : 'list_pattern', n.start, n.end);
      for (const c of n.children) add(m, toPattern(ps, c), null);
      return m;
    }
    case 'list_splat': {
      const c = n.children[0]!;
      if (c.type !== 'identifier' && c.type !== 'attribute' && c.type !== 'subscript') throw FAIL;
      return retype(ps, n, 'list_splat_pattern');
    }
    default:
      throw FAIL;
  }
}

/** Whether the current token ends an expression list. */
function atListEnd(ps: P): boolean {
  const k = ps.k;
  return k === K_NEWLINE || k === K_SEMI || k === K_EQ || k === K_COLON || k === K_RPAR || k === K_RSQB ||
    k === K_RBRACE || k === K_EOF || k === K_IN || k === K_FRBRACE || k === K_AUG;
}

export interface ExprList {
  items: PyNode[];
  /** Whether there was a comma (so the list is a tuple-like list, even with one item). */
  comma: boolean;
  end: number;
}

/** Comma-separated expressions (with `*x` allowed when `star`), trailing comma allowed. */
export function parseExprList(ps: P, star: boolean): ExprList {
  const items = [star ? parseStarElem(ps) : parseExpression(ps)];
  let comma = false;
  while (ps.k === K_COMMA) {
    comma = true;
    ps.p++;
    if (atListEnd(ps)) break;
    items.push(star ? parseStarElem(ps) : parseExpression(ps));
  }
  return { items, comma, end: ps.prevEnd };
}

/** A single expression, or an expression_list node. */
export function listNode(ps: P, l: ExprList, type: string): PyNode {
  if (!l.comma) return l.items[0]!;
  const n = ps.node(type, l.items[0]!.start, l.end);
  for (const c of l.items) add(n, c, null);
  return n;
}

/** Targets of `for` (statement or clause): a pattern or a pattern_list. */
export function parseTargets(ps: P): PyNode {
  const items: PyNode[] = [];
  let comma = false;
  for (;;) {
    if (ps.k === K_STAR) {
      const start = ps.s;
      ps.p++;
      const t = parsePostfix(ps);
      if (t.type !== 'identifier' && t.type !== 'attribute' && t.type !== 'subscript') throw FAIL;
      const n = ps.node('list_splat_pattern', start, t.end);
      add(n, t, null);
      items.push(n);
    } else items.push(toPattern(ps, parsePostfix(ps)));
    if (ps.k !== K_COMMA) break;
    comma = true;
    ps.p++;
    if (ps.k === K_IN) break;
  }
  return patternList(ps, items, comma, ps.prevEnd);
}

export function patternList(ps: P, items: PyNode[], comma: boolean, end: number): PyNode {
  if (!comma) return items[0]!;
  const n = ps.node('pattern_list', items[0]!.start, end);
  for (const c of items) add(n, c, null);
  return n;
}

/** `yield`, `yield x`, `yield a, b`, `yield from x`. */
export function parseYield(ps: P): PyNode {
  const start = ps.s;
  const end = ps.e;
  ps.expect(K_YIELD);
  let arg: PyNode | null = null;
  if (ps.k === K_FROM) {
    ps.p++;
    arg = parseExpression(ps);
  } else if (!atListEnd(ps)) {
    arg = listNode(ps, parseExprList(ps, true), 'expression_list');
  }
  const n = ps.node('yield', start, arg ? arg.end : end);
  if (arg) add(n, arg, null);
  return n;
}

/** An annotation: the expression wrapped in `type`, with `Name[...]` made a generic_type. */
export function parseType(ps: P): PyNode {
  return toType(ps, parseExpression(ps));
}

function isGeneric(n: PyNode): boolean {
  return n.type === 'subscript' && n.children[0]!.type === 'identifier';
}

/** Nodes whose first child starts where they start: a type's leftmost primary is found through these. */
const SPINE = new Set(['attribute', 'subscript', 'call', 'binary_operator', 'boolean_operator', 'comparison_operator', 'conditional_expression']);

/** Fails if a generic-looking `Name[...]` starts the type below the top (tree-sitter errs there). */
function checkSpine(n: PyNode): void {
  for (let c = n; SPINE.has(c.type); ) {
    c = c.children[0]!;
    if (isGeneric(c)) throw FAIL;
  }
}

/** Operands of a left-associative `a | b | c` chain (one operand if `e` is not one). */
function pipeOperands(ps: P, e: PyNode): PyNode[] {
  const ops: PyNode[] = [];
  let n = e;
  while (n.type === 'binary_operator' && ps.text.charCodeAt(skipSpace(ps, n.children[0]!.end)) === 124) {
    ops.push(n.children[1]!);
    n = n.children[0]!;
  }
  ops.push(n);
  return ops.reverse();
}

/**
 * A `type`: `Name[...]` becomes a generic_type; when a type starts with one and goes on with
 * `| rest`, tree-sitter makes union_type(type, type(rest)); otherwise the expression is kept.
 */
function toType(ps: P, e: PyNode): PyNode {
  const t = ps.node('type', e.start, e.end);
  if (isGeneric(e)) {
    add(t, generic(ps, e), null);
    return t;
  }
  const ops = pipeOperands(ps, e);
  if (ops.length > 1 && isGeneric(ops[0]!)) return unionType(ps, ops);
  checkSpine(e);
  add(t, e, null);
  return t;
}

/**
 * `A[x] | ...`: generic operands join left-associative union_types; the first non-generic
 * operand starts an expression that takes the rest of the chain as binary operators.
 */
function unionType(ps: P, ops: PyNode[]): PyNode {
  let t = toType(ps, ops[0]!);
  for (let i = 1; i < ops.length; i++) {
    let r = ops[i]!;
    if (!isGeneric(r)) {
      for (let j = i + 1; j < ops.length; j++) {
        const b = ps.node('binary_operator', r.start, ops[j]!.end);
        add(b, r, 'left');
        add(b, ops[j]!, 'right');
        r = b;
      }
      i = ops.length;
    }
    const u = ps.node('union_type', t.start, r.end);
    add(u, t, null);
    add(u, toType(ps, r), null);
    t = ps.node('type', u.start, u.end);
    add(t, u, null);
  }
  return t;
}

function skipSpace(ps: P, i: number): number {
  while (ps.text.charCodeAt(i) === 32) i++;
  return i;
}

function generic(ps: P, e: PyNode): PyNode {
  const g = ps.node('generic_type', e.start, e.end);
  const name = e.children[0]!;
  add(g, name, null);
  const subs = e.children.slice(1);
  const tp = ps.node('type_parameter', skipSpace(ps, name.end), e.end);
  for (const s of subs) {
    if (s.type === 'slice') throw FAIL;
    add(tp, toType(ps, s), null);
  }
  if (ps.text.charCodeAt(skipSpace(ps, name.end)) !== 91) throw FAIL;
  add(g, tp, null);
  return g;
}

