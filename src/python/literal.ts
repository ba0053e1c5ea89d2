import type { PyNode } from './tree.js';
import type { LiteralValue } from '../home/inventory.js';
import { REDACTED } from '../home/inventory.js';
import { isSensitiveName, redactUrlCredentials } from '../home/secrets.js';

// Evaluates Python literal expressions (what ast.literal_eval accepts), returning undefined for
// anything that is not a literal. Strings pass through URI-password redaction so no literal that
// leaves the parser can carry a credential.

const NOT_LITERAL = undefined;

// Long literals (embedded SQL, shell scripts) are cut: rules need their start, not their bulk,
// and an inventory of thousands of DAGs must stay small enough to cache and re-read quickly.
export const MAX_LITERAL_LENGTH = 500;
const clip = (s: string) => (s.length > MAX_LITERAL_LENGTH ? `${s.slice(0, MAX_LITERAL_LENGTH)}…` : s);

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** The value of one Python string token (prefix and quotes included), or undefined for f-strings and bytes. */
export function stringValue(text: string): string | undefined {
  const m = /^([rRuUbBfF]{0,2})('''|"""|'|")/.exec(text);
  if (!m) return undefined;
  const prefix = m[1]!.toLowerCase();
  if (prefix.includes('f') || prefix.includes('b')) return undefined;
  const quote = m[2]!;
  const body = text.slice(m[0].length, text.length - quote.length);
  if (prefix.includes('r') || !body.includes('\\')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]*\}|[\s\S])/g, (all, esc: string) => {
    if (esc in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[esc]!;
    // A bare \x, \u or \U (CPython rejects it) and code points past U+10FFFF stay as written.
    const code = /^[xuU]./.test(esc) ? parseInt(esc.slice(1), 16) : /^[0-7]/.test(esc) ? parseInt(esc, 8) : -1;
    return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all; // unknown escapes stay as written, as in Python
  });
}

export function literal(node: PyNode | null | undefined): LiteralValue | undefined {
  if (!node) return NOT_LITERAL;
  switch (node.type) {
    case 'string': {
      const v = stringValue(node.text);
      return v === undefined ? NOT_LITERAL : clip(redactUrlCredentials(v));
    }
    case 'concatenated_string': {
      let out = '';
      for (const part of node.namedChildren) {
        const v = part.type === 'string' ? stringValue(part.text) : undefined;
        if (v === undefined) return NOT_LITERAL;
        out += v;
      }
      return clip(redactUrlCredentials(out));
    }
    case 'integer': {
      const t = node.text.replace(/_/g, '').replace(/[lL]$/, '');
      const n = Number(/^0[0-7]+$/.test(t) ? parseInt(t, 8) : t);
      return Number.isFinite(n) ? n : NOT_LITERAL;
    }
    case 'float': {
      const n = Number(node.text.replace(/_/g, ''));
      return Number.isFinite(n) ? n : NOT_LITERAL;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'unary_operator': {
      const v = literal(node.namedChildren[0]);
      if (typeof v !== 'number') return NOT_LITERAL;
      return node.text.trimStart().startsWith('-') ? -v : v;
    }
    case 'parenthesized_expression':
      return literal(node.namedChildren[0]);
    case 'list':
    case 'tuple':
    case 'set': {
      const out: LiteralValue[] = [];
      for (const c of node.namedChildren) {
        if (c.type === 'comment') continue;
        const v = literal(c);
        if (v === undefined) return NOT_LITERAL;
        out.push(v);
      }
      return out;
    }
    case 'dictionary': {
      const out: Record<string, LiteralValue> = {};
      for (const pair of node.namedChildren) {
        if (pair.type === 'comment') continue;
        if (pair.type !== 'pair') return NOT_LITERAL;
        const k = literal(pair.childForFieldName('key'));
        const v = literal(pair.childForFieldName('value'));
        if (k === undefined || v === undefined || (typeof k !== 'string' && typeof k !== 'number')) return NOT_LITERAL;
        out[String(k)] = redactIfSensitive(String(k), v);
      }
      return out;
    }
    default:
      return NOT_LITERAL;
  }
}

/** Values under a sensitive-looking name (password=, api_key=...) never leave the parser. */
export function redactIfSensitive(name: string, value: LiteralValue): LiteralValue {
  return isSensitiveName(name) && value !== null && value !== '' ? REDACTED : value;
}
