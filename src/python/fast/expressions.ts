import type { PyNode } from '../tree.js';
import { FAIL, P, add } from './core.js';
import { parseArguments, parseAtom, parseSubscriptTrailer } from './atoms.js';
import {
  K_AMP, K_AND, K_ASYNC, K_AWAIT, K_CARET, K_COLON, K_COMMA, K_DOT, K_DSLASH, K_EQ, K_EQEQ, K_ELSE, K_FOR, K_GE, K_GT,
  K_IF, K_IN, K_IS, K_LAMBDA, K_LE, K_LPAR, K_LSHIFT, K_LSQB, K_LT, K_MINUS, K_NAME, K_NE, K_NOT, K_OR, K_PERCENT,
  K_PIPE, K_PLUS, K_POW, K_RSHIFT, K_SLASH, K_STAR, K_AT, K_TILDE, K_WALRUS,
} from './tokens.js';

// Expressions, with tree-sitter-python's precedences (which differ from Python's for `&`/`^`):
// lambda < conditional < or < and < not < comparison < | < & < ^ < shifts < + - < * / % // @
// < unary < ** < await/call/attribute/subscript.

/** expression: lambda, conditional, named expression, or anything below. */
export function parseExpression(ps: P): PyNode {
  const k = ps.k;
  if (k === K_LAMBDA) return parseLambda(ps);
  if (k === K_NAME && ps.peek(1) === K_WALRUS) {
    const name = ps.node('identifier', ps.s, ps.e);
    ps.p += 2;
    const value = parseExpression(ps);
    const n = ps.node('named_expression', name.start, value.end);
    add(n, name, 'name');
    add(n, value, 'value');
    return n;
  }
  const body = parseOr(ps);
  if (ps.k !== K_IF) return body;
  ps.p++;
  const cond = parseOr(ps);
  ps.expect(K_ELSE);
  const alt = parseExpression(ps);
  const n = ps.node('conditional_expression', body.start, alt.end);
  add(n, body, null);
  add(n, cond, null);
  add(n, alt, null);
  return n;
}

export function parseOr(ps: P): PyNode {
  let left = parseAnd(ps);
  while (ps.k === K_OR) {
    ps.p++;
    left = boolean(ps, left, parseAnd(ps));
  }
  return left;
}

function parseAnd(ps: P): PyNode {
  let left = parseNot(ps);
  while (ps.k === K_AND) {
    ps.p++;
    left = boolean(ps, left, parseNot(ps));
  }
  return left;
}

function boolean(ps: P, left: PyNode, right: PyNode): PyNode {
  const n = ps.node('boolean_operator', left.start, right.end);
  add(n, left, 'left');
  add(n, right, 'right');
  return n;
}

function parseNot(ps: P): PyNode {
  if (ps.k !== K_NOT) return parseComparison(ps);
  const start = ps.s;
  ps.p++;
  const arg = parseNot(ps);
  const n = ps.node('not_operator', start, arg.end);
  add(n, arg, 'argument');
  return n;
}

const COMPARE_TEXT: Record<number, string> = {
  [K_LT]: '<', [K_GT]: '>', [K_LE]: '<=', [K_GE]: '>=', [K_EQEQ]: '==', [K_NE]: '!=', [K_IN]: 'in',
};

function parseComparison(ps: P): PyNode {
  const first = parseBinary(ps, 14);
  let n: PyNode | null = null;
  for (;;) {
    const k = ps.k;
    let op: PyNode;
    if (k === K_IS) {
      if (ps.peek(1) === K_NOT) {
        op = ps.anon('is not', ps.s, ps.ends[ps.p + 1]!, 'operators');
        ps.p += 2;
      } else {
        op = ps.anon('is', ps.s, ps.e, 'operators');
        ps.p++;
      }
    } else if (k === K_NOT) {
      if (ps.peek(1) !== K_IN) break;
      op = ps.anon('not in', ps.s, ps.ends[ps.p + 1]!, 'operators');
      ps.p += 2;
    } else {
      const t = COMPARE_TEXT[k];
      if (t === undefined) break;
      op = ps.anon(t, ps.s, ps.e, 'operators');
      ps.p++;
    }
    if (!n) {
      n = ps.node('comparison_operator', first.start, 0);
      add(n, first, null);
    }
    add(n, op, 'operators');
    const right = parseBinary(ps, 14);
    add(n, right, null);
    (n as { end: number }).end = right.end;
  }
  return n ?? first;
}

function binPrec(k: number): number {
  switch (k) {
    case K_PIPE: return 14;
    case K_AMP: return 15;
    case K_CARET: return 16;
    case K_LSHIFT: case K_RSHIFT: return 17;
    case K_PLUS: case K_MINUS: return 18;
    case K_STAR: case K_AT: case K_SLASH: case K_PERCENT: case K_DSLASH: return 19;
    case K_POW: return 21;
    default: return -1;
  }
}

/** Binary operators at precedence `min` and above (14 = bitwise or, the comparison operand). */
export function parseBinary(ps: P, min: number): PyNode {
  let left = parseUnary(ps);
  for (;;) {
    const pr = binPrec(ps.k);
    if (pr < min) return left;
    ps.p++;
    const right = parseBinary(ps, pr === 21 ? 21 : pr + 1);
    const n = ps.node('binary_operator', left.start, right.end);
    add(n, left, 'left');
    add(n, right, 'right');
    left = n;
  }
}

function parseUnary(ps: P): PyNode {
  const k = ps.k;
  if (k === K_MINUS || k === K_PLUS || k === K_TILDE) {
    const op = ps.anon(k === K_MINUS ? '-' : k === K_PLUS ? '+' : '~', ps.s, ps.e, 'operator');
    ps.p++;
    const arg = parseBinary(ps, 21);
    const n = ps.node('unary_operator', op.start, arg.end);
    add(n, op, 'operator');
    add(n, arg, 'argument');
    return n;
  }
  if (k === K_AWAIT) {
    const start = ps.s;
    ps.p++;
    const arg = parsePostfix(ps);
    if (ps.k === K_POW) throw FAIL;
    const n = ps.node('await', start, arg.end);
    add(n, arg, null);
    return n;
  }
  return parsePostfix(ps);
}

/** A primary: an atom followed by attribute, call and subscript trailers. */
export function parsePostfix(ps: P): PyNode {
  let n = parseAtom(ps);
  for (;;) {
    const k = ps.k;
    if (k === K_DOT) {
      ps.p++;
      if (ps.k !== K_NAME) throw FAIL;
      const attr = ps.node('identifier', ps.s, ps.e);
      ps.p++;
      const a = ps.node('attribute', n.start, attr.end);
      add(a, n, 'object');
      add(a, attr, 'attribute');
      n = a;
    } else if (k === K_LPAR) {
      const args = parseArguments(ps, n);
      const c = ps.node('call', n.start, args.end);
      add(c, n, 'function');
      add(c, args, 'arguments');
      n = c;
    } else if (k === K_LSQB) {
      n = parseSubscriptTrailer(ps, n);
    } else return n;
  }
}

function parseLambda(ps: P): PyNode {
  const start = ps.s;
  ps.p++;
  let params: PyNode | null = null;
  if (ps.k !== K_COLON) {
    params = ps.node('lambda_parameters', ps.s, 0);
    for (;;) {
      add(params, parseLambdaParam(ps), null);
      (params as { end: number }).end = ps.prevEnd;
      if (!ps.eat(K_COMMA)) break;
      (params as { end: number }).end = ps.prevEnd;
      if (ps.k === K_COLON) break;
    }
  }
  ps.expect(K_COLON);
  const body = parseExpression(ps);
  const n = ps.node('lambda', start, body.end);
  if (params) add(n, params, 'parameters');
  add(n, body, 'body');
  return n;
}

/** At a `*` or `**` of a parameter list (def or lambda): `*name`, `**name`, or a bare `*` marker. */
export function parseSplatParam(ps: P): PyNode {
  const k = ps.k;
  const start = ps.s;
  ps.p++;
  if (ps.k !== K_NAME) {
    if (k === K_STAR) return ps.node('keyword_separator', start, ps.prevEnd);
    throw FAIL;
  }
  const id = ps.node('identifier', ps.s, ps.e);
  ps.p++;
  const n = ps.node(k === K_STAR ? 'list_splat_pattern' : 'dictionary_splat_pattern', start, id.end);
  add(n, id, null);
  return n;
}

function parseLambdaParam(ps: P): PyNode {
  const k = ps.k;
  if (k === K_STAR || k === K_POW) return parseSplatParam(ps);
  if (k === K_SLASH) {
    ps.p++;
    return ps.node('positional_separator', ps.starts[ps.p - 1]!, ps.prevEnd);
  }
  if (k !== K_NAME) throw FAIL;
  const id = ps.node('identifier', ps.s, ps.e);
  ps.p++;
  if (ps.k !== K_EQ) return id;
  ps.p++;
  const value = parseExpression(ps);
  const n = ps.node('default_parameter', id.start, value.end);
  add(n, id, 'name');
  add(n, value, 'value');
  return n;
}

/** Whether the token can start a comprehension clause (`for`, `async for`). */
export function atFor(ps: P): boolean {
  return ps.k === K_FOR || (ps.k === K_ASYNC && ps.peek(1) === K_FOR);
}
