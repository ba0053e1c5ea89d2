import type { PyNode } from '../tree.js';
import { FAIL, P, add } from './core.js';
import { parseExpression } from './expressions.js';
import { listNode, parseExprList, parseType, parseYield, patternList, toPattern } from './targets.js';
import { parseCompound } from './compound.js';
import {
  K_AS, K_ASSERT, K_AUG, K_BREAK, K_COLON, K_COMMA, K_CONTINUE, K_DEDENT, K_DEL, K_DOT, K_ELLIPSIS, K_EOF, K_EQ,
  K_FROM, K_GLOBAL, K_IMPORT, K_INDENT, K_LPAR, K_NAME, K_NEWLINE, K_NONLOCAL, K_PASS, K_RAISE, K_RETURN, K_RPAR,
  K_SEMI, K_STAR, K_YIELD,
} from './tokens.js';

// Statements: simple statements, suites (blocks) and the module.

export function parseModule(ps: P, start: number): PyNode {
  const root = ps.node('module', start, ps.text.length);
  while (ps.k !== K_EOF) parseStatement(ps, root);
  return root;
}

/** One statement line (simple statements) or one compound statement, added to `parent`. */
function parseStatement(ps: P, parent: PyNode): void {
  if (parseCompound(ps, parent)) return;
  parseSimpleLine(ps, parent);
}

/** Simple statements separated by `;` up to NEWLINE; returns the NEWLINE's offset. */
function parseSimpleLine(ps: P, parent: PyNode): number {
  for (;;) {
    add(parent, parseSimple(ps), null);
    if (ps.k !== K_SEMI) break;
    ps.p++;
    if (ps.k === K_NEWLINE) break;
  }
  const nl = ps.s;
  ps.expect(K_NEWLINE);
  return nl;
}

/** The body after `:`: an indented block, or simple statements on the same line. */
export function parseSuite(ps: P): PyNode {
  if (ps.k === K_NEWLINE) {
    ps.p++;
    ps.expect(K_INDENT);
    const block = ps.node('block', ps.s, 0);
    while (ps.k !== K_DEDENT) parseStatement(ps, block);
    (block as { end: number }).end = ps.s;
    ps.p++;
    return block;
  }
  const block = ps.node('block', ps.s, 0);
  (block as { end: number }).end = parseSimpleLine(ps, block);
  return block;
}

function leaf(ps: P, type: string): PyNode {
  const n = ps.node(type, ps.s, ps.e);
  ps.p++;
  return n;
}

function atStatementEnd(ps: P): boolean {
  return ps.k === K_NEWLINE || ps.k === K_SEMI;
}

function parseSimple(ps: P): PyNode {
  switch (ps.k) {
    case K_PASS: return leaf(ps, 'pass_statement');
    case K_BREAK: return leaf(ps, 'break_statement');
    case K_CONTINUE: return leaf(ps, 'continue_statement');
    case K_RETURN: return keywordList(ps, 'return_statement', true);
    case K_DEL: return keywordList(ps, 'delete_statement', false);
    case K_RAISE: return parseRaise(ps);
    case K_IMPORT: return parseImport(ps);
    case K_FROM: return parseFromImport(ps);
    case K_GLOBAL: return parseNames(ps, 'global_statement');
    case K_NONLOCAL: return parseNames(ps, 'nonlocal_statement');
    case K_ASSERT: {
      const n = leaf(ps, 'assert_statement');
      const l = parseExprList(ps, false);
      if (l.end !== l.items[l.items.length - 1]!.end) throw FAIL;
      for (const c of l.items) add(n, c, null);
      (n as { end: number }).end = l.end;
      return n;
    }
    default: return parseExpressionStatement(ps);
  }
}

/** `return [x]`, `del x` : a keyword and an optional expression or expression_list. */
function keywordList(ps: P, type: string, optional: boolean): PyNode {
  const n = leaf(ps, type);
  if (atStatementEnd(ps)) {
    if (!optional) throw FAIL;
    return n;
  }
  const arg = listNode(ps, parseExprList(ps, type === 'return_statement'), 'expression_list');
  if (arg.type === 'list_splat') throw FAIL;
  add(n, arg, null);
  (n as { end: number }).end = arg.end;
  return n;
}

function parseRaise(ps: P): PyNode {
  const n = leaf(ps, 'raise_statement');
  if (atStatementEnd(ps)) return n;
  const arg = listNode(ps, parseExprList(ps, false), 'expression_list');
  add(n, arg, null);
  (n as { end: number }).end = arg.end;
  if (ps.eat(K_FROM)) {
    const cause = parseExpression(ps);
    add(n, cause, 'cause');
    (n as { end: number }).end = cause.end;
  }
  return n;
}

function parseNames(ps: P, type: string): PyNode {
  const n = leaf(ps, type);
  for (;;) {
    if (ps.k !== K_NAME) throw FAIL;
    add(n, leaf(ps, 'identifier'), null);
    if (!ps.eat(K_COMMA)) break;
  }
  (n as { end: number }).end = ps.prevEnd;
  return n;
}

function dottedName(ps: P): PyNode {
  const start = ps.s;
  ps.expect(K_NAME);
  while (ps.k === K_DOT && ps.peek(1) === K_NAME) ps.p += 2;
  return ps.node('dotted_name', start, ps.prevEnd);
}

function importName(ps: P): PyNode {
  const name = dottedName(ps);
  if (ps.k !== K_AS) return name;
  ps.p++;
  if (ps.k !== K_NAME) throw FAIL;
  const alias = leaf(ps, 'identifier');
  const n = ps.node('aliased_import', name.start, alias.end);
  add(n, name, 'name');
  add(n, alias, 'alias');
  return n;
}

function importList(ps: P, n: PyNode, parens: boolean): void {
  for (;;) {
    add(n, importName(ps), 'name');
    if (!ps.eat(K_COMMA)) break;
    if (parens && ps.k === K_RPAR) break;
  }
}

function parseImport(ps: P): PyNode {
  const n = leaf(ps, 'import_statement');
  importList(ps, n, false);
  (n as { end: number }).end = ps.prevEnd;
  return n;
}

function parseFromImport(ps: P): PyNode {
  const start = ps.s;
  ps.p++;
  let n: PyNode;
  if (ps.k === K_NAME && ps.isName(ps.p, '__future__') && ps.peek(1) === K_IMPORT) {
    n = ps.node('future_import_statement', start, 0);
    ps.p++;
  } else {
    n = ps.node('import_from_statement', start, 0);
    let module: PyNode;
    if (ps.k === K_DOT || ps.k === K_ELLIPSIS) {
      const ds = ps.s;
      while (ps.k === K_DOT || ps.k === K_ELLIPSIS) ps.p++;
      const prefix = ps.node('import_prefix', ds, ps.prevEnd);
      const rel = ps.node('relative_import', ds, 0);
      add(rel, prefix, null);
      if (ps.k === K_NAME) add(rel, dottedName(ps), null);
      (rel as { end: number }).end = ps.prevEnd;
      module = rel;
    } else module = dottedName(ps);
    add(n, module, 'module_name');
  }
  ps.expect(K_IMPORT);
  if (ps.k === K_STAR && n.type === 'import_from_statement') add(n, leaf(ps, 'wildcard_import'), null);
  else if (ps.eat(K_LPAR)) {
    importList(ps, n, true);
    ps.expect(K_RPAR);
  } else importList(ps, n, false);
  (n as { end: number }).end = ps.prevEnd;
  return n;
}

function softKeywordStatement(ps: P): boolean {
  if (ps.k !== K_NAME) return false;
  const i = ps.p;
  if (ps.isName(i, 'print') || ps.isName(i, 'exec')) return ps.peek(1) !== K_LPAR && ps.peek(1) !== K_EQ && ps.peek(1) !== K_DOT;
  return false;
}

function parseExpressionStatement(ps: P): PyNode {
  if (softKeywordStatement(ps)) throw FAIL;
  const printLike = ps.k === K_NAME && ps.peek(1) === K_LPAR && (ps.isName(ps.p, 'print') || ps.isName(ps.p, 'exec'));
  // `type(a).b = 1` is a type alias statement to tree-sitter; `match(...)...:` could be a match.
  const soft = ps.k === K_NAME && (ps.isName(ps.p, 'type') || ps.isName(ps.p, 'match')) &&
    ps.peek(1) !== K_EQ && ps.peek(1) !== K_COMMA && ps.peek(1) !== K_DOT && ps.peek(1) !== K_COLON && ps.peek(1) !== K_AUG;
  const start = ps.s;
  let inner: PyNode[];
  if (ps.k === K_YIELD) inner = [parseYield(ps)];
  else {
    const l = parseExprList(ps, true);
    const k = ps.k;
    if (soft && (k === K_EQ || k === K_COLON || k === K_AUG)) throw FAIL;
    if (k === K_EQ) inner = [assignment(ps, l)];
    else if (k === K_COLON) inner = [annotated(ps, l)];
    else if (k === K_AUG) inner = [augmented(ps, l)];
    else {
      for (const c of l.items) if (c.type === 'list_splat') throw FAIL;
      inner = l.items;
      if (printLike && (l.comma || inner[0]!.type !== 'call')) throw FAIL;
    }
  }
  const n = ps.node('expression_statement', start, ps.prevEnd);
  for (const c of inner) add(n, c, null);
  return n;
}

function targets(ps: P, l: { items: PyNode[]; comma: boolean; end: number }): PyNode {
  const items = l.items.map((c) => toPattern(ps, c));
  return patternList(ps, items, l.comma, l.end);
}

function rightHandSide(ps: P): PyNode {
  if (ps.k === K_YIELD) return parseYield(ps);
  const r = parseExprList(ps, true);
  if (ps.k === K_EQ) return assignment(ps, r);
  if (!r.comma && r.items[0]!.type === 'list_splat') throw FAIL;
  return listNode(ps, r, 'expression_list');
}

function assignment(ps: P, l: { items: PyNode[]; comma: boolean; end: number }): PyNode {
  const left = targets(ps, l);
  ps.p++;
  const right = rightHandSide(ps);
  const n = ps.node('assignment', left.start, right.end);
  add(n, left, 'left');
  add(n, right, 'right');
  return n;
}

function singleTarget(l: { items: PyNode[]; comma: boolean }): PyNode {
  const t = l.items[0]!;
  if (l.comma || (t.type !== 'identifier' && t.type !== 'attribute' && t.type !== 'subscript')) throw FAIL;
  return t;
}

function annotated(ps: P, l: { items: PyNode[]; comma: boolean }): PyNode {
  const left = singleTarget(l);
  ps.p++;
  const type = parseType(ps);
  let right: PyNode | null = null;
  if (ps.eat(K_EQ)) right = rightHandSide(ps);
  if (right?.type === 'assignment') throw FAIL;
  const n = ps.node('assignment', left.start, (right ?? type).end);
  add(n, left, 'left');
  add(n, type, 'type');
  if (right) add(n, right, 'right');
  return n;
}

function augmented(ps: P, l: { items: PyNode[]; comma: boolean }): PyNode {
  const left = singleTarget(l);
  ps.p++;
  const right = rightHandSide(ps);
  if (right.type === 'assignment') throw FAIL;
  const n = ps.node('augmented_assignment', left.start, right.end);
  add(n, left, 'left');
  add(n, right, 'right');
  return n;
}
