import {
  FAIL, K_FCONTENT, K_FCONV, K_FEND, K_FESCI, K_FESCS, K_FLBRACE, K_FRBRACE, K_FSPEC, K_FSTART, K_STRING, isDigit, isHex,
} from './tokens.js';
import type { Lexer } from './lexer.js';

// String literals. Plain strings become one token (their node is opaque); f-strings become the
// pieces tree-sitter makes nodes of: string_start, string_content (with escape_interpolation and
// escape_sequence inside), interpolations (with ordinary tokens inside) and string_end.

const RAW = 1, BYTES = 2, FMT = 4;

/** Flags for a prefix text[start, end) followed by a quote, or -1 if not a Python 3 prefix. */
export function stringPrefix(text: string, start: number, end: number): number {
  let flags = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) | 0x20;
    const bit = c === 114 ? RAW : c === 98 ? BYTES : c === 102 ? FMT : c === 117 ? 8 : -1;
    if (bit < 0 || flags & bit) return -1;
    flags |= bit;
  }
  if (flags & 8 && flags !== 8) return -1;
  if (flags & BYTES && flags & FMT) return -1;
  return flags & 7;
}

/** Scans the string at `start` (quote at `q`); pushes its token(s) and returns its end. */
export function scanString(lx: Lexer, start: number, q: number, flags: number): number {
  const text = lx.text;
  const quote = text.charCodeAt(q);
  const triple = text.charCodeAt(q + 1) === quote && text.charCodeAt(q + 2) === quote;
  const bodyStart = q + (triple ? 3 : 1);
  if (flags & FMT) return scanFString(lx, start, bodyStart, quote, triple, (flags & RAW) !== 0);
  // Jump between quotes and backslashes with indexOf: string bodies are most of a DAG file.
  const qs = quote === 34 ? "\"" : "'";
  let i = bodyStart;
  let bs = lx.backslash;
  if (bs !== -1 && bs < i) bs = lx.backslash = text.indexOf('\\', i);
  for (;;) {
    const e = text.indexOf(qs, i);
    if (e < 0) throw FAIL;
    if (bs >= 0 && bs < e) {
      if (!triple) checkLine(text, i, bs);
      const next = text.charCodeAt(bs + 1);
      if (next === 13 && text.charCodeAt(bs + 2) !== 10) throw FAIL;
      i = bs + (next === 13 ? 3 : 2);
      bs = lx.backslash = text.indexOf('\\', i);
      continue;
    }
    if (!triple) {
      checkLine(text, i, e);
      i = e + 1;
      break;
    }
    if (text.charCodeAt(e + 1) === quote && text.charCodeAt(e + 2) === quote) {
      i = e + 3;
      break;
    }
    i = e + 1;
  }
  lx.toks.push(K_STRING, start, i);
  return i;
}

/** A single-quoted string may not hold a newline (or a carriage return) between `from` and `to`. */
function checkLine(text: string, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || c === 13) throw FAIL;
  }
}

/** Length of the escape sequence at text[i] (a backslash), or 0 if it is not one. */
function escapeLength(text: string, i: number): number {
  const c = text.charCodeAt(i + 1);
  const hexRun = (n: number): number => {
    for (let k = 0; k < n; k++) if (!isHex(text.charCodeAt(i + 2 + k))) return 0;
    return n + 2;
  };
  if (c === 117) return hexRun(4);
  if (c === 85) return hexRun(8);
  if (c === 120) return hexRun(2);
  if (isDigit(c)) {
    let n = 1;
    while (n < 3 && isDigit(text.charCodeAt(i + 1 + n))) n++;
    return n + 1;
  }
  if (c === 10) return 2;
  if (c === 13) {
    if (text.charCodeAt(i + 2) !== 10) throw FAIL;
    return 3;
  }
  // ' " a b f r n t v backslash
  if (c === 39 || c === 34 || c === 97 || c === 98 || c === 102 || c === 114 || c === 110 || c === 116 || c === 118 || c === 92) return 2;
  if (c === 78 && text.charCodeAt(i + 2) === 123) {
    const close = text.indexOf('}', i + 3);
    if (close <= i + 3) return 0;
    for (let k = i + 3; k < close; k++) if (text.charCodeAt(k) === 10) throw FAIL;
    return close + 1 - i;
  }
  return 0;
}

function scanFString(lx: Lexer, start: number, bodyStart: number, quote: number, triple: boolean, raw: boolean): number {
  const text = lx.text;
  const toks = lx.toks;
  const len = text.length;
  toks.push(K_FSTART, start, bodyStart);
  let content = -1;
  let i = bodyStart;
  // Whether the scanner call now running has passed an ordinary character (see rawEscape).
  let run = false;
  const open = (): void => {
    if (content < 0) content = toks.push(K_FCONTENT, i, i);
  };
  const close = (): void => {
    if (content >= 0) toks.ends[content] = i;
    content = -1;
  };
  for (;;) {
    if (i >= len) throw FAIL;
    const c = text.charCodeAt(i);
    if (c === quote) {
      if (!triple) break;
      if (text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote) break;
      open();
      i++;
      run = false;
    } else if (c === 10) {
      if (!triple) throw FAIL;
      open();
      i++;
      run = true;
    } else if (c === 13) {
      if (!triple || text.charCodeAt(i + 1) !== 10) throw FAIL;
      open();
      i++;
      run = true;
    } else if (c === 92) {
      open();
      if (raw) {
        i = rawEscape(text, i, quote, run);
        continue;
      }
      const n = escapeLength(text, i);
      if (n > 0) {
        toks.push(K_FESCS, i, i + n);
        i += n;
      } else i++;
    } else if (c === 123 || c === 125) {
      if (text.charCodeAt(i + 1) === c) {
        open();
        toks.push(K_FESCI, i, i + 2);
        i += 2;
      } else if (c === 125) throw FAIL;
      else {
        close();
        i = scanInterpolation(lx, i, quote, triple);
      }
      run = false;
    } else {
      open();
      i++;
      run = true;
    }
  }
  close();
  const end = i + (triple ? 3 : 1);
  toks.push(K_FEND, i, end);
  return end;
}

/**
 * A backslash in a raw f-string: tree-sitter's scanner steps over it and an escaped quote,
 * backslash or newline, but without counting that as content; so when only such steps lead to
 * `{`, `}` or the quote it makes odd tokens (an escape_sequence, a wide string_end). Give up there.
 */
function rawEscape(text: string, i: number, quote: number, run: boolean): number {
  i++;
  const d = text.charCodeAt(i);
  if (d === quote || d === 92) i++;
  if (text.charCodeAt(i) === 10) i++;
  else if (text.charCodeAt(i) === 13) {
    if (text.charCodeAt(i + 1) !== 10) throw FAIL;
    i += 2;
  }
  const e = text.charCodeAt(i);
  if (!run && (e === 123 || e === 125 || e === quote)) throw FAIL;
  return i;
}

/** Scans `{ ... }` at i; returns the offset after the closing brace. */
function scanInterpolation(lx: Lexer, i: number, quote: number, triple: boolean): number {
  const text = lx.text;
  const toks = lx.toks;
  toks.push(K_FLBRACE, i, i + 1);
  lx.pos = i + 1;
  let stop = lx.scanTokens(true, quote, triple);
  if (stop === 3) {
    const p = lx.pos;
    const c = text.charCodeAt(p + 1);
    if (!(c >= 97 && c <= 122)) throw FAIL;
    toks.push(K_FCONV, p, p + 2);
    lx.pos = p + 2;
    while (text.charCodeAt(lx.pos) === 32) lx.pos++;
    const d = text.charCodeAt(lx.pos);
    stop = d === 125 ? 1 : d === 58 ? 2 : 0;
    if (stop === 0) throw FAIL;
  }
  if (stop === 2) {
    let p = lx.pos;
    toks.push(K_FSPEC, p, p + 1);
    p++;
    for (;;) {
      const c = text.charCodeAt(p);
      if (p >= text.length || c === 10 || c === 13 || c === quote || c === 92) throw FAIL;
      if (c === 125) break;
      if (c === 123) {
        if (text.charCodeAt(p + 1) === 123) throw FAIL;
        p = scanInterpolation(lx, p, quote, triple);
        continue;
      }
      p++;
    }
    lx.pos = p;
  }
  const p = lx.pos;
  toks.push(K_FRBRACE, p, p + 1);
  return p + 1;
}
