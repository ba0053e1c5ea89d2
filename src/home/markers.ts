// Environment markers (PEP 508): `; python_version < "3.12"` after a requirement. Parsed once into
// a small tree; the scanner checks their syntax, the rules evaluate them for the target's Python.

import { satisfies, valid } from '@renovatebot/pep440';
import { isSpace } from './secrets.js';

const MARKER_VARIABLES = new Set([
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_release', 'platform_system',
  'platform_version', 'platform_machine', 'platform_python_implementation', 'implementation_name',
  'implementation_version', 'extra', 'extras', 'dependency_groups',
  // Legacy spellings packaging still accepts.
  'os.name', 'sys.platform', 'platform.version', 'platform.machine', 'platform.python_implementation', 'python_implementation',
]);
const OPERATOR = /===|==|!=|<=|>=|~=|<|>/y;
const NOT_IN = /not\s+in(?![A-Za-z0-9_.])/y;
const IN = /in(?![A-Za-z0-9_.])/y;
const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;
const MAX_DEPTH = 50;

type Token = { t: '(' | ')' | 'and' | 'or' } | { t: 'var' | 'str' | 'op'; v: string };
type Operand = { var: string } | { str: string };
export type Marker = { and: Marker[] } | { or: Marker[] } | { left: Operand; op: string; right: Operand };

function sticky(pattern: RegExp, s: string, at: number): string | null {
  pattern.lastIndex = at;
  return pattern.exec(s)?.[0] ?? null;
}

function tokens(marker: string): Token[] | string {
  const out: Token[] = [];
  for (let i = 0; i < marker.length; ) {
    const c = marker[i]!;
    if (isSpace(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c });
      i++;
    } else if (c === '"' || c === "'") {
      const end = marker.indexOf(c, i + 1);
      if (end === -1) return 'unterminated string in the marker';
      out.push({ t: 'str', v: marker.slice(i + 1, end) });
      i = end + 1;
    } else {
      const op = sticky(OPERATOR, marker, i) ?? sticky(NOT_IN, marker, i) ?? sticky(IN, marker, i);
      if (op !== null) {
        out.push({ t: 'op', v: op.replace(/\s+/, ' ') });
        i += op.length;
        continue;
      }
      const word = sticky(WORD, marker, i);
      if (word === null) return `unexpected ${JSON.stringify(c)} in the marker`;
      if (word === 'and' || word === 'or') out.push({ t: word });
      else if (MARKER_VARIABLES.has(word)) out.push({ t: 'var', v: word });
      else return `unknown marker variable ${JSON.stringify(word.slice(0, 40))}`;
      i += word.length;
    }
  }
  return out;
}

/** The marker's tree, or what is wrong with it. */
export function parseMarker(marker: string): Marker | string {
  const toks = tokens(marker);
  if (typeof toks === 'string') return toks;
  let pos = 0;
  const operand = (): Operand | null => {
    const tok = toks[pos];
    if (tok?.t === 'var') return (pos++, { var: tok.v });
    if (tok?.t === 'str') return (pos++, { str: tok.v });
    return null;
  };
  // marker := and ('or' and)*; and := atom ('and' atom)*; atom := '(' marker ')' | value op value
  const atom = (depth: number): Marker | null => {
    if (toks[pos]?.t === '(') {
      pos++;
      const inner = depth > MAX_DEPTH ? null : expression(depth + 1);
      if (inner === null || toks[pos]?.t !== ')') return null;
      pos++;
      return inner;
    }
    const left = operand();
    const op = toks[pos];
    if (left === null || op?.t !== 'op') return null;
    pos++;
    const right = operand();
    return right === null ? null : { left, op: op.v, right };
  };
  const chain = (word: 'and' | 'or', item: (depth: number) => Marker | null) => (depth: number): Marker | null => {
    const items: Marker[] = [];
    for (;;) {
      const m = item(depth);
      if (m === null) return null;
      items.push(m);
      if (toks[pos]?.t !== word) break;
      pos++;
    }
    return items.length === 1 ? items[0]! : word === 'and' ? { and: items } : { or: items };
  };
  const expression: (depth: number) => Marker | null = chain('or', chain('and', atom));
  const tree = expression(0);
  return tree !== null && pos === toks.length ? tree : 'invalid environment marker';
}

/** Values of the marker variables that are known; the others leave a comparison undecided. */
export type MarkerEnv = Partial<Record<string, string>>;

const VERSION_VARIABLES = new Set(['python_version', 'python_full_version', 'implementation_version', 'platform_release']);
const FLIPPED: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=', '===': '===' };

function compare(left: string, op: string, right: string, versions: boolean): boolean | null {
  if (op === 'in') return right.includes(left);
  if (op === 'not in') return !right.includes(left);
  if (op === '===') return left === right;
  if (versions && valid(left) && (valid(right) || /\.\*$/.test(right))) return satisfies(left, `${op}${right}`);
  if (op === '==') return left === right;
  if (op === '!=') return left !== right;
  return null; // packaging refuses to order plain strings
}

function atomValue(m: { left: Operand; op: string; right: Operand }, env: MarkerEnv): boolean | null {
  const value = (o: Operand) => ('str' in o ? o.str : env[o.var]);
  const left = value(m.left);
  const right = value(m.right);
  if (left === undefined || right === undefined) return null;
  const variable = 'var' in m.left ? m.left.var : 'var' in m.right ? m.right.var : '';
  const versions = VERSION_VARIABLES.has(variable);
  // A version variable on the right: compare it from its side (`"3.8" <= python_version`).
  if (versions && 'var' in m.right && !('var' in m.left) && FLIPPED[m.op]) return compare(right, FLIPPED[m.op]!, left, true);
  return compare(left, m.op, right, versions);
}

/** true or false where the known variables decide the marker, null where they do not. */
export function evaluateMarker(m: Marker, env: MarkerEnv): boolean | null {
  if ('and' in m) {
    const values = m.and.map((x) => evaluateMarker(x, env));
    return values.includes(false) ? false : values.includes(null) ? null : true;
  }
  if ('or' in m) {
    const values = m.or.map((x) => evaluateMarker(x, env));
    return values.includes(true) ? true : values.includes(null) ? null : false;
  }
  return atomValue(m, env);
}
