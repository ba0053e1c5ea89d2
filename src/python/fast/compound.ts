import type { PyNode } from '../tree.js';
import { FAIL, P, add } from './core.js';
import { parseExpression, parsePostfix, parseSplatParam } from './expressions.js';
import { parseArguments } from './atoms.js';
import { parseSuite } from './statements.js';
import { listNode, parseExprList, parseTargets, parseType } from './targets.js';
import {
  K_ARROW, K_AS, K_ASYNC, K_AT, K_CLASS, K_COLON, K_COMMA, K_DEF, K_ELIF, K_ELSE, K_EQ, K_EXCEPT, K_FINALLY, K_FOR,
  K_IF, K_IN, K_LPAR, K_NAME, K_NEWLINE, K_POW, K_RPAR, K_SLASH, K_STAR, K_TRY, K_WHILE, K_WITH, K_LSQB, K_LBRACE,
  K_RSQB, K_RBRACE, K_EOF,
} from './tokens.js';

// Compound statements: if, for, while, try, with, def, class, decorators.

type End = { end: number };

/** Parses a compound statement into `parent` if one starts here. */
export function parseCompound(ps: P, parent: PyNode): boolean {
  let k = ps.k;
  if (k === K_ASYNC) {
    k = ps.peek(1);
    if (k !== K_DEF && k !== K_FOR && k !== K_WITH) throw FAIL;
  }
  let n: PyNode;
  switch (k) {
    case K_IF: n = parseIf(ps); break;
    case K_FOR: n = parseFor(ps); break;
    case K_WHILE: n = parseWhile(ps); break;
    case K_TRY: n = parseTry(ps); break;
    case K_WITH: n = parseWith(ps); break;
    case K_DEF: n = parseDef(ps); break;
    case K_CLASS: n = parseClass(ps); break;
    case K_AT: n = parseDecorated(ps); break;
    default: return false;
  }
  add(parent, n, null);
  return true;
}

/** `: suite` → the block, added to `n` under `field`; extends `n` to the block's end. */
function suite(ps: P, n: PyNode, field: string | null): void {
  ps.expect(K_COLON);
  const b = parseSuite(ps);
  add(n, b, field);
  (n as End).end = b.end;
}

function elseClause(ps: P, n: PyNode, field: string | null): void {
  const e = ps.node('else_clause', ps.s, 0);
  ps.p++;
  suite(ps, e, 'body');
  add(n, e, field);
  (n as End).end = e.end;
}

function parseIf(ps: P): PyNode {
  const n = ps.node('if_statement', ps.s, 0);
  ps.p++;
  add(n, parseExpression(ps), 'condition');
  suite(ps, n, 'consequence');
  while (ps.k === K_ELIF) {
    const e = ps.node('elif_clause', ps.s, 0);
    ps.p++;
    add(e, parseExpression(ps), 'condition');
    suite(ps, e, 'consequence');
    add(n, e, 'alternative');
    (n as End).end = e.end;
  }
  if (ps.k === K_ELSE) elseClause(ps, n, 'alternative');
  return n;
}

function parseFor(ps: P): PyNode {
  const n = ps.node('for_statement', ps.s, 0);
  ps.p += ps.k === K_ASYNC ? 2 : 1;
  add(n, parseTargets(ps), 'left');
  ps.expect(K_IN);
  add(n, listNode(ps, parseExprList(ps, true), 'expression_list'), 'right');
  suite(ps, n, 'body');
  if (ps.k === K_ELSE) elseClause(ps, n, 'alternative');
  return n;
}

function parseWhile(ps: P): PyNode {
  const n = ps.node('while_statement', ps.s, 0);
  ps.p++;
  add(n, parseExpression(ps), 'condition');
  suite(ps, n, 'body');
  if (ps.k === K_ELSE) elseClause(ps, n, 'alternative');
  return n;
}

function asPattern(ps: P, value: PyNode): PyNode {
  // tree-sitter binds `as` tighter than these: `a if b else c as d` wraps only `c`.
  const t0 = value.type;
  if (t0 === 'conditional_expression' || t0 === 'lambda' || t0 === 'named_expression') throw FAIL;
  ps.expect(K_AS);
  const t = parsePostfix(ps);
  if (ps.k !== K_COLON && ps.k !== K_COMMA && ps.k !== K_RPAR) throw FAIL;
  const ok = t.type === 'identifier' || t.type === 'attribute' || t.type === 'subscript' || t.type === 'tuple' || t.type === 'list';
  if (!ok) throw FAIL;
  const target = ps.node('as_pattern_target', t.start, t.end);
  add(target, t, null);
  const n = ps.node('as_pattern', value.start, t.end);
  add(n, value, null);
  add(n, target, 'alias');
  return n;
}

function parseTry(ps: P): PyNode {
  const n = ps.node('try_statement', ps.s, 0);
  ps.p++;
  suite(ps, n, 'body');
  let handlers = 0;
  while (ps.k === K_EXCEPT) {
    handlers++;
    const e = ps.node('except_clause', ps.s, 0);
    add(e, ps.anon('except', ps.s, ps.e, null), null);
    ps.p++;
    if (ps.k === K_STAR) {
      add(e, ps.anon('*', ps.s, ps.e, null), null);
      ps.p++;
    }
    if (ps.k !== K_COLON) {
      let value = parseExpression(ps);
      if (ps.k === K_AS) {
        value = asPattern(ps, value);
        if (value.children[1]!.children[0]!.type !== 'identifier') throw FAIL;
      }
      add(e, value, 'value');
    }
    add(e, ps.anon(':', ps.s, ps.e, null), null);
    if (ps.k !== K_COLON) throw FAIL;
    ps.p++;
    const b = parseSuite(ps);
    add(e, b, null);
    (e as End).end = b.end;
    add(n, e, null);
    (n as End).end = e.end;
  }
  if (ps.k === K_ELSE) {
    if (handlers === 0) throw FAIL;
    elseClause(ps, n, null);
  }
  if (ps.k === K_FINALLY) {
    const f = ps.node('finally_clause', ps.s, 0);
    ps.p++;
    suite(ps, f, null);
    add(n, f, null);
    (n as End).end = f.end;
  } else if (handlers === 0) throw FAIL;
  return n;
}

function parseWith(ps: P): PyNode {
  const n = ps.node('with_statement', ps.s, 0);
  ps.p += ps.k === K_ASYNC ? 2 : 1;
  const clause = ps.node('with_clause', ps.s, 0);
  if (ps.k === K_LPAR && ps.kinds[matchingClose(ps, ps.p) + 1] === K_COLON) parenthesizedItems(ps, clause);
  else {
    for (;;) {
      add(clause, withItem(ps), null);
      if (!ps.eat(K_COMMA)) break;
    }
  }
  (clause as End).end = ps.prevEnd;
  add(n, clause, null);
  suite(ps, n, 'body');
  return n;
}

function withItem(ps: P): PyNode {
  let value = parseExpression(ps);
  if (ps.k === K_AS) value = asPattern(ps, value);
  const item = ps.node('with_item', value.start, value.end);
  add(item, value, 'value');
  return item;
}

/** Index of the token closing the bracket at token `i`. */
function matchingClose(ps: P, i: number): number {
  let depth = 0;
  for (;; i++) {
    const k = ps.kinds[i]!;
    if (k === K_LPAR || k === K_LSQB || k === K_LBRACE) depth++;
    else if (k === K_RPAR || k === K_RSQB || k === K_RBRACE) {
      if (--depth === 0) return i;
    } else if (k === K_EOF || k === K_NEWLINE) throw FAIL;
  }
}

/** `with (a as b, c):` — items inside parentheses; `with (a):` / `with (a as b):` is one parenthesized item. */
function parenthesizedItems(ps: P, clause: PyNode): void {
  const lp = ps.s;
  ps.p++;
  const items: PyNode[] = [];
  let comma = false;
  while (ps.k !== K_RPAR) {
    items.push(withItem(ps));
    if (!ps.eat(K_COMMA)) break;
    comma = true;
  }
  const rp = ps.e;
  ps.expect(K_RPAR);
  if (items.length === 0) throw FAIL;
  if (comma && items.length === 1) throw FAIL;
  if (items.length > 1) {
    for (const it of items) add(clause, it, null);
    return;
  }
  const paren = ps.node('parenthesized_expression', lp, rp);
  add(paren, items[0]!.children[0]!, null);
  const item = ps.node('with_item', lp, rp);
  add(item, paren, 'value');
  add(clause, item, null);
}

function parseParam(ps: P): PyNode {
  const k = ps.k;
  const start = ps.s;
  let n: PyNode;
  if (k === K_STAR || k === K_POW) {
    n = parseSplatParam(ps);
    if (n.type === 'keyword_separator') return n;
  } else if (k === K_SLASH) {
    ps.p++;
    return ps.node('positional_separator', start, ps.prevEnd);
  } else if (k === K_NAME) {
    n = ps.node('identifier', start, ps.e);
    ps.p++;
  } else throw FAIL;
  let type: PyNode | null = null;
  if (ps.eat(K_COLON)) type = parseType(ps);
  if (ps.k === K_EQ) {
    if (n.type !== 'identifier') throw FAIL;
    ps.p++;
    const value = parseExpression(ps);
    const d = ps.node(type ? 'typed_default_parameter' : 'default_parameter', start, value.end);
    add(d, n, 'name');
    if (type) add(d, type, 'type');
    add(d, value, 'value');
    return d;
  }
  if (!type) return n;
  const t = ps.node('typed_parameter', start, type.end);
  add(t, n, null);
  add(t, type, 'type');
  return t;
}

function parseDef(ps: P): PyNode {
  const n = ps.node('function_definition', ps.s, 0);
  ps.p += ps.k === K_ASYNC ? 2 : 1;
  if (ps.k !== K_NAME) throw FAIL;
  add(n, ps.node('identifier', ps.s, ps.e), 'name');
  ps.p++;
  const params = ps.node('parameters', ps.s, 0);
  ps.expect(K_LPAR);
  while (ps.k !== K_RPAR) {
    add(params, parseParam(ps), null);
    if (!ps.eat(K_COMMA)) break;
  }
  (params as End).end = ps.e;
  ps.expect(K_RPAR);
  add(n, params, 'parameters');
  if (ps.eat(K_ARROW)) add(n, parseType(ps), 'return_type');
  suite(ps, n, 'body');
  return n;
}

function parseClass(ps: P): PyNode {
  const n = ps.node('class_definition', ps.s, 0);
  ps.p++;
  if (ps.k !== K_NAME) throw FAIL;
  add(n, ps.node('identifier', ps.s, ps.e), 'name');
  ps.p++;
  if (ps.k === K_LPAR) {
    const args = parseArguments(ps, null);
    if (args.type !== 'argument_list') throw FAIL;
    add(n, args, 'superclasses');
  }
  suite(ps, n, 'body');
  return n;
}

function parseDecorated(ps: P): PyNode {
  const n = ps.node('decorated_definition', ps.s, 0);
  while (ps.k === K_AT) {
    const d = ps.node('decorator', ps.s, 0);
    ps.p++;
    add(d, parseExpression(ps), null);
    (d as End).end = ps.s;
    ps.expect(K_NEWLINE);
    add(n, d, null);
  }
  const k = ps.k === K_ASYNC ? ps.peek(1) : ps.k;
  const def = k === K_DEF ? parseDef(ps) : k === K_CLASS && ps.k === K_CLASS ? parseClass(ps) : null;
  if (!def) throw FAIL;
  add(n, def, 'definition');
  (n as End).end = def.end;
  return n;
}
