// Tokenizer for the fast Python parser: fills flat typed arrays with tokens (kind, start, end),
// including the zero-width NEWLINE / INDENT / DEDENT tokens at the offsets where tree-sitter's
// external scanner puts them, and the f-string pieces the parser turns into nodes. Comments and
// line continuations are collected apart (they are extras). Anything unusual makes it fail, so
// the caller falls back to tree-sitter.

export const K_EOF: number = 0, K_NAME: number = 1, K_INT: number = 2, K_FLOAT: number = 3, K_STRING: number = 4, K_NEWLINE: number = 5, K_INDENT: number = 6, K_DEDENT: number = 7;
export const K_FSTART: number = 8, K_FCONTENT: number = 9, K_FEND: number = 10, K_FLBRACE: number = 11, K_FRBRACE: number = 12, K_FCONV: number = 13, K_FSPEC: number = 14;
export const K_FESCI: number = 15, K_FESCS: number = 16;
// Keywords.
export const K_AND: number = 20, K_AS: number = 21, K_ASSERT: number = 22, K_ASYNC: number = 23, K_AWAIT: number = 24, K_BREAK: number = 25, K_CLASS: number = 26;
export const K_CONTINUE: number = 27, K_DEF: number = 28, K_DEL: number = 29, K_ELIF: number = 30, K_ELSE: number = 31, K_EXCEPT: number = 32, K_FALSE: number = 33;
export const K_FINALLY: number = 34, K_FOR: number = 35, K_FROM: number = 36, K_GLOBAL: number = 37, K_IF: number = 38, K_IMPORT: number = 39, K_IN: number = 40, K_IS: number = 41;
export const K_LAMBDA: number = 42, K_NONE: number = 43, K_NONLOCAL: number = 44, K_NOT: number = 45, K_OR: number = 46, K_PASS: number = 47, K_RAISE: number = 48;
export const K_RETURN: number = 49, K_TRUE: number = 50, K_TRY: number = 51, K_WHILE: number = 52, K_WITH: number = 53, K_YIELD: number = 54;
// Operators and punctuation.
export const K_LPAR: number = 60, K_RPAR: number = 61, K_LSQB: number = 62, K_RSQB: number = 63, K_LBRACE: number = 64, K_RBRACE: number = 65, K_COMMA: number = 66;
export const K_COLON: number = 67, K_SEMI: number = 68, K_DOT: number = 69, K_ELLIPSIS: number = 70, K_EQ: number = 71, K_ARROW: number = 72, K_AUG: number = 73;
export const K_WALRUS: number = 74, K_PLUS: number = 75, K_MINUS: number = 76, K_STAR: number = 77, K_SLASH: number = 78, K_DSLASH: number = 79, K_PERCENT: number = 80;
export const K_AT: number = 81, K_POW: number = 82, K_LSHIFT: number = 83, K_RSHIFT: number = 84, K_AMP: number = 85, K_PIPE: number = 86, K_CARET: number = 87;
export const K_TILDE: number = 88, K_LT: number = 89, K_GT: number = 90, K_LE: number = 91, K_GE: number = 92, K_EQEQ: number = 93, K_NE: number = 94;

const KEYWORDS = new Map<string, number>([
  ['and', K_AND], ['as', K_AS], ['assert', K_ASSERT], ['async', K_ASYNC], ['await', K_AWAIT], ['break', K_BREAK],
  ['class', K_CLASS], ['continue', K_CONTINUE], ['def', K_DEF], ['del', K_DEL], ['elif', K_ELIF], ['else', K_ELSE],
  ['except', K_EXCEPT], ['False', K_FALSE], ['finally', K_FINALLY], ['for', K_FOR], ['from', K_FROM],
  ['global', K_GLOBAL], ['if', K_IF], ['import', K_IMPORT], ['in', K_IN], ['is', K_IS], ['lambda', K_LAMBDA],
  ['None', K_NONE], ['nonlocal', K_NONLOCAL], ['not', K_NOT], ['or', K_OR], ['pass', K_PASS], ['raise', K_RAISE],
  ['return', K_RETURN], ['True', K_TRUE], ['try', K_TRY], ['while', K_WHILE], ['with', K_WITH], ['yield', K_YIELD],
]);

/** Thrown (never with a stack) whenever the fast path gives up. */
export const FAIL = { fail: true };

export class Tokens {
  kinds = new Uint8Array(1024);
  starts = new Int32Array(1024);
  ends = new Int32Array(1024);
  n = 0;
  /** Extras: comments (kind 0) and line continuations (kind 1). */
  cStarts: number[] = [];
  cEnds: number[] = [];
  cKinds: number[] = [];
  /** Start of the first token or extra, or -1. */
  first = -1;

  push(kind: number, start: number, end: number): number {
    if (this.n === this.kinds.length) this.grow();
    const i = this.n++;
    this.kinds[i] = kind;
    this.starts[i] = start;
    this.ends[i] = end;
    return i;
  }

  private grow(): void {
    const k = new Uint8Array(this.kinds.length * 2);
    k.set(this.kinds);
    this.kinds = k;
    const s = new Int32Array(this.starts.length * 2);
    s.set(this.starts);
    this.starts = s;
    const e = new Int32Array(this.ends.length * 2);
    e.set(this.ends);
    this.ends = e;
  }

  reset(): void {
    this.n = 0;
    this.cStarts.length = 0;
    this.cEnds.length = 0;
    this.cKinds.length = 0;
    this.first = -1;
  }
}

const isIdStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdChar = (c: number): boolean => isIdStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);

/** Scans a number at pos; returns its end, or -1 for anything not plainly Python 3. Sets `isFloat`. */
function scanNumber(text: string, pos: number, out: { isFloat: boolean }): number {
  const len = text.length;
  let c = text.charCodeAt(pos);
  out.isFloat = false;
  if (c === 48 && pos + 1 < len) {
    const x = text.charCodeAt(pos + 1) | 0x20;
    if (x === 120 || x === 111 || x === 98) {
      let i = pos + 2;
      const start = i;
      while (i < len && (isHex(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
      if (i === start || text.charCodeAt(i - 1) === 95 || !digitsOk(text, start, i)) return -1;
      if (i < len && isIdChar(text.charCodeAt(i))) return -1;
      return i;
    }
  }
  let i = pos;
  const intStart = i;
  while (i < len && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
  const intEnd = i;
  if (intEnd > intStart && !digitsOk(text, intStart, intEnd)) return -1;
  c = text.charCodeAt(i);
  if (c === 46) {
    out.isFloat = true;
    i++;
    const fs = i;
    while (i < len && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
    if (i > fs && !digitsOk(text, fs, i)) return -1;
    if (intEnd === intStart && i === fs) return -1;
    c = text.charCodeAt(i);
  }
  if ((c | 0x20) === 101 && intEnd > intStart) {
    out.isFloat = true;
    i++;
    c = text.charCodeAt(i);
    if (c === 43 || c === 45) i++;
    const es = i;
    while (i < len && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
    if (i === es || !digitsOk(text, es, i)) return -1;
    c = text.charCodeAt(i);
  }
  if ((c | 0x20) === 106) {
    i++;
    c = text.charCodeAt(i);
  }
  if (i < len && isIdChar(c)) return -1;
  // Python 3 forbids leading zeros in non-zero decimal integers.
  if (!out.isFloat && text.charCodeAt(intStart) === 48) {
    for (let k = intStart; k < intEnd; k++) {
      const d = text.charCodeAt(k);
      if (d !== 48 && d !== 95) return -1;
    }
  }
  return i;
}

/** Digits with single underscores between them only. */
function digitsOk(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(start) === 95 || text.charCodeAt(end - 1) === 95) return false;
  for (let k = start + 1; k < end; k++) if (text.charCodeAt(k) === 95 && text.charCodeAt(k - 1) === 95) return false;
  return true;
}

// Keywords bucketed by first character and length, so lookups compare in place without slicing.
const BUCKETS: ([string, number][] | undefined)[] = [];
for (const [kw, kind] of KEYWORDS) (BUCKETS[kw.charCodeAt(0) * 16 + kw.length] ??= []).push([kw, kind]);

export function keywordKind(text: string, start: number, end: number): number {
  const n = end - start;
  if (n < 2 || n > 8) return K_NAME;
  const bucket = BUCKETS[text.charCodeAt(start) * 16 + n];
  if (bucket === undefined) return K_NAME;
  for (let i = 0; i < bucket.length; i++) if (text.startsWith(bucket[i]![0], start)) return bucket[i]![1];
  return K_NAME;
}

export { isIdStart, isIdChar, isDigit, isHex, scanNumber };
