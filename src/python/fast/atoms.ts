import type { PyNode } from '../tree.js';
import { FAIL, P, add } from './core.js';
import { atFor, parseBinary, parseExpression, parseOr } from './expressions.js';
import { parseFString } from './fstring.js';
import { parseTargets } from './targets.js';
import {
  K_FOR, K_COLON, K_COMMA, K_ELLIPSIS, K_EQ, K_FALSE, K_FLOAT, K_FSTART, K_IF, K_IN, K_INT, K_LBRACE, K_LPAR, K_LSQB, K_NAME,
  K_NONE, K_POW, K_RBRACE, K_RPAR, K_RSQB, K_STAR, K_STRING, K_TRUE, K_YIELD,
} from './tokens.js';
import { parseYield } from './targets.js';

// Atoms: names, literals, strings, parenthesized forms, lists, dicts, sets, comprehensions; and
// the call and subscript trailers.

export function parseAtom(ps: P): PyNode {
  const k = ps.k;
  const s = ps.s;
  const e = ps.e;
  switch (k) {
    case K_NAME: ps.p++; return ps.node('identifier', s, e);
    case K_INT: ps.p++; return ps.node('integer', s, e);
    case K_FLOAT: ps.p++; return ps.node('float', s, e);
    case K_TRUE: ps.p++; return ps.node('true', s, e);
    case K_FALSE: ps.p++; return ps.node('false', s, e);
    case K_NONE: ps.p++; return ps.node('none', s, e);
    case K_ELLIPSIS: ps.p++; return ps.node('ellipsis', s, e);
    case K_STRING: case K_FSTART: return parseStrings(ps);
    case K_LPAR: return parseParen(ps);
    case K_LSQB: return parseList(ps);
    case K_LBRACE: return parseBrace(ps);
    default: throw FAIL;
  }
}

function parseOneString(ps: P): PyNode {
  if (ps.k === K_STRING) {
    const n = ps.node('string', ps.s, ps.e);
    ps.p++;
    return n;
  }
  return parseFString(ps);
}

function parseStrings(ps: P): PyNode {
  const first = parseOneString(ps);
  if (ps.k !== K_STRING && ps.k !== K_FSTART) return first;
  const parts = [first];
  while (ps.k === K_STRING || ps.k === K_FSTART) parts.push(parseOneString(ps));
  const n = ps.node('concatenated_string', first.start, parts[parts.length - 1]!.end);
  for (const c of parts) add(n, c, null);
  return n;
}

/** An element of a list, tuple, set or argument list: `*x` or an expression. */
export function parseStarElem(ps: P, loose = false): PyNode {
  if (ps.k !== K_STAR) return parseExpression(ps);
  const start = ps.s;
  ps.p++;
  const arg = parseBinary(ps, 14);
  // tree-sitter reads `*a.b()` ambiguously: as list_splat(call) in argument lists and in
  // collections with a comma (`loose`), but as a call on `*a` in expression lists, in a lone
  // `[*a.b()]` and in statement-level `print(...)`. Only `*name` is the same either way.
  if (!loose && arg.type !== 'identifier') throw FAIL;
  const n = ps.node('list_splat', start, arg.end);
  add(n, arg, null);
  return n;
}

function closeCollection(ps: P, type: string, start: number, items: PyNode[], closer: number): PyNode {
  const end = ps.e;
  ps.expect(closer);
  const n = ps.node(type, start, end);
  for (const c of items) add(n, c, null);
  return n;
}

/** Comma-separated elements after `first`, up to (not including) `closer`. */
function elements(ps: P, first: PyNode, closer: number): PyNode[] {
  const items = [first];
  while (ps.eat(K_COMMA)) {
    if (ps.k === closer) break;
    items.push(parseStarElem(ps, true));
  }
  // A lone `*x.y` without a comma is read as a call/attribute on `*x` (see parseStarElem).
  if (items.length === 1 && ps.kinds[ps.p - 1] !== K_COMMA && isLooseSplat(first)) throw FAIL;
  return items;
}

function isLooseSplat(n: PyNode): boolean {
  return n.type === 'list_splat' && n.children[0]!.type !== 'identifier';
}

function parseParen(ps: P): PyNode {
  const start = ps.s;
  ps.p++;
  if (ps.k === K_RPAR) return closeCollection(ps, 'tuple', start, [], K_RPAR);
  if (ps.k === K_YIELD) {
    const y = parseYield(ps);
    return closeCollection(ps, 'parenthesized_expression', start, [y], K_RPAR);
  }
  const first = parseStarElem(ps, true);
  if (atFor(ps)) {
    if (first.type === 'list_splat') throw FAIL;
    return comprehension(ps, 'generator_expression', start, first, K_RPAR);
  }
  if (ps.k === K_RPAR) {
    if (first.type === 'list_splat') throw FAIL;
    return closeCollection(ps, 'parenthesized_expression', start, [first], K_RPAR);
  }
  if (ps.k !== K_COMMA) throw FAIL;
  return closeCollection(ps, 'tuple', start, elements(ps, first, K_RPAR), K_RPAR);
}

function parseList(ps: P): PyNode {
  const start = ps.s;
  ps.p++;
  if (ps.k === K_RSQB) return closeCollection(ps, 'list', start, [], K_RSQB);
  const first = parseStarElem(ps, true);
  if (atFor(ps)) {
    if (first.type === 'list_splat') throw FAIL;
    return comprehension(ps, 'list_comprehension', start, first, K_RSQB);
  }
  return closeCollection(ps, 'list', start, elements(ps, first, K_RSQB), K_RSQB);
}

function dictItem(ps: P): PyNode {
  if (ps.k === K_POW) {
    const start = ps.s;
    ps.p++;
    const arg = parseBinary(ps, 14);
    const n = ps.node('dictionary_splat', start, arg.end);
    add(n, arg, null);
    return n;
  }
  const key = parseExpression(ps);
  ps.expect(K_COLON);
  const value = parseExpression(ps);
  const n = ps.node('pair', key.start, value.end);
  add(n, key, 'key');
  add(n, value, 'value');
  return n;
}

function parseBrace(ps: P): PyNode {
  const start = ps.s;
  ps.p++;
  if (ps.k === K_RBRACE) return closeCollection(ps, 'dictionary', start, [], K_RBRACE);
  let first: PyNode;
  if (ps.k === K_POW) first = dictItem(ps);
  else {
    first = parseStarElem(ps, true);
    if (ps.k === K_COLON && first.type !== 'list_splat') {
      ps.p++;
      const value = parseExpression(ps);
      const pair = ps.node('pair', first.start, value.end);
      add(pair, first, 'key');
      add(pair, value, 'value');
      first = pair;
    }
  }
  const isDict = first.type === 'pair' || first.type === 'dictionary_splat';
  if (atFor(ps)) {
    if (first.type === 'list_splat' || first.type === 'dictionary_splat') throw FAIL;
    return comprehension(ps, isDict ? 'dictionary_comprehension' : 'set_comprehension', start, first, K_RBRACE);
  }
  if (!isDict) return closeCollection(ps, 'set', start, elements(ps, first, K_RBRACE), K_RBRACE);
  const items = [first];
  while (ps.eat(K_COMMA)) {
    if (ps.k === K_RBRACE) break;
    items.push(dictItem(ps));
  }
  return closeCollection(ps, 'dictionary', start, items, K_RBRACE);
}

/** `body for ... in ... [if ...]...` up to the closer; the body is already parsed. */
function comprehension(ps: P, type: string, start: number, body: PyNode, closer: number): PyNode {
  const clauses: PyNode[] = [];
  while (atFor(ps) || ps.k === K_IF) {
    const cs = ps.s;
    if (ps.k === K_IF) {
      ps.p++;
      const cond = parseOr(ps);
      const n = ps.node('if_clause', cs, cond.end);
      add(n, cond, null);
      clauses.push(n);
      continue;
    }
    ps.p += ps.k === K_FOR ? 1 : 2;
    const left = parseTargets(ps);
    ps.expect(K_IN);
    const right = parseOr(ps);
    if (ps.k === K_COMMA) throw FAIL;
    const n = ps.node('for_in_clause', cs, right.end);
    add(n, left, 'left');
    add(n, right, 'right');
    clauses.push(n);
  }
  const end = ps.e;
  ps.expect(closer);
  const n = ps.node(type, start, end);
  add(n, body, 'body');
  for (const c of clauses) add(n, c, null);
  return n;
}

/** `( ... )` after a callee: an argument_list, or a generator_expression as the only argument. */
export function parseArguments(ps: P, callee: PyNode | null): PyNode {
  const start = ps.s;
  ps.p++;
  const items: PyNode[] = [];
  // `print(...)` competes with Python 2's print statement in tree-sitter: keep splats plain there.
  const loose = !callee || !(callee.type === 'identifier' && (callee.text === 'print' || callee.text === 'exec'));
  while (ps.k !== K_RPAR) {
    const k = ps.k;
    let item: PyNode;
    if (k === K_STAR) item = parseStarElem(ps, loose);
    else if (k === K_POW) item = dictItem(ps);
    else if (k === K_NAME && ps.peek(1) === K_EQ) {
      const name = ps.node('identifier', ps.s, ps.e);
      ps.p += 2;
      const value = parseExpression(ps);
      item = ps.node('keyword_argument', name.start, value.end);
      add(item, name, 'name');
      add(item, value, 'value');
    } else {
      item = parseExpression(ps);
      if (atFor(ps)) {
        if (items.length > 0) throw FAIL;
        return comprehension(ps, 'generator_expression', start, item, K_RPAR);
      }
    }
    items.push(item);
    if (!ps.eat(K_COMMA)) break;
  }
  return closeCollection(ps, 'argument_list', start, items, K_RPAR);
}

function parseSliceOrExpr(ps: P): PyNode {
  let first: PyNode | null = null;
  if (ps.k !== K_COLON) {
    first = parseExpression(ps);
    if (ps.k !== K_COLON) return first;
  }
  const start = first ? first.start : ps.s;
  const parts: PyNode[] = first ? [first] : [];
  let end = ps.e;
  ps.p++;
  for (let colons = 1; ; ) {
    const k = ps.k;
    if (k === K_COMMA || k === K_RSQB) break;
    if (k === K_COLON) {
      if (++colons > 2) throw FAIL;
      end = ps.e;
      ps.p++;
      continue;
    }
    if (ps.kinds[ps.p - 1] !== K_COLON) throw FAIL;
    const e = parseExpression(ps);
    parts.push(e);
    end = e.end;
  }
  const n = ps.node('slice', start, end);
  for (const c of parts) add(n, c, null);
  return n;
}

export function parseSubscriptTrailer(ps: P, value: PyNode): PyNode {
  ps.p++;
  const items: PyNode[] = [];
  for (;;) {
    items.push(parseSliceOrExpr(ps));
    if (!ps.eat(K_COMMA)) break;
    if (ps.k === K_RSQB) break;
  }
  const end = ps.e;
  ps.expect(K_RSQB);
  const n = ps.node('subscript', value.start, end);
  add(n, value, 'value');
  for (const c of items) add(n, c, 'subscript');
  return n;
}

