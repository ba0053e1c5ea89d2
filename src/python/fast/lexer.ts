import {
  FAIL, K_AMP, K_ARROW, K_AT, K_AUG, K_CARET, K_COLON, K_COMMA, K_DEDENT, K_DOT, K_DSLASH, K_ELLIPSIS, K_EOF, K_EQ,
  K_EQEQ, K_FLOAT, K_GE, K_GT, K_INDENT, K_INT, K_LBRACE, K_LE, K_LPAR, K_LSHIFT, K_LSQB, K_LT,
  K_MINUS, K_NE, K_NEWLINE, K_PERCENT, K_PIPE, K_PLUS, K_POW, K_RBRACE, K_RPAR, K_RSHIFT, K_RSQB, K_SEMI, K_SLASH,
  K_STAR, K_TILDE, K_WALRUS, Tokens, isDigit, isIdChar, isIdStart, keywordKind, scanNumber,
} from './tokens.js';
import { scanString, stringPrefix } from './strings.js';

// The line-level part of the tokenizer: indentation, NEWLINE/INDENT/DEDENT placement (mirroring
// tree-sitter-python's external scanner), comments, and the ordinary tokens.

/** How a nested token scan (inside an f-string interpolation) stopped. */
export const STOP_RBRACE = 1, STOP_COLON = 2, STOP_CONV = 3;

export class Lexer {
  pos = 0;
  /** End of the last token or extra: where zero-width tokens go. */
  lastEnd = 0;
  lineHasTokens = false;
  /** Just after a line continuation: tree-sitter's scanner swallows one before a string. */
  afterContinuation = false;
  /** Kind of the first token of the current logical line. */
  private lineFirst = 0;
  /** Offset of the next backslash at or after some earlier point (-1: none; -2: not looked for yet). */
  backslash = -2;
  /** Own-line comments of the current line gap: column, start, end. */
  private readonly gap: number[] = [];
  private tabIndent = false;
  private spaceIndent = false;
  indents: number[] = [0];
  private readonly num = { isFloat: false };

  constructor(readonly text: string, readonly toks: Tokens) {}

  run(): void {
    const text = this.text;
    this.lineStart(true);
    const stop = this.scanTokens(false, 0, false);
    if (stop !== 0) throw FAIL;
    if (this.lineHasTokens) this.toks.push(K_NEWLINE, this.lastEnd, this.lastEnd);
    let cur = this.lastEnd;
    while (this.indents.length > 1) {
      this.indents.pop();
      this.toks.push(K_DEDENT, cur, cur);
    }
    cur = text.length;
    this.toks.push(K_EOF, cur, cur);
  }

  private tok(kind: number, start: number, end: number): void {
    if (!this.lineHasTokens) this.lineFirst = kind;
    this.toks.push(kind, start, end);
    if (this.toks.first < 0) this.toks.first = start;
    this.lastEnd = end;
    this.lineHasTokens = true;
    this.afterContinuation = false;
  }

  extra(kind: number, start: number, end: number): void {
    const t = this.toks;
    t.cStarts.push(start);
    t.cEnds.push(end);
    t.cKinds.push(kind);
    if (t.first < 0) t.first = start;
    this.lastEnd = end;
  }

  /**
   * Scans tokens until EOF (top level) or, inside an f-string interpolation, until a `}`, `:`
   * or `!x` at bracket depth 0. `quote` is the enclosing f-string's quote character.
   */
  scanTokens(interp: boolean, quote: number, triple: boolean): number {
    const text = this.text;
    const len = text.length;
    let depth = 0;
    while (this.pos < len) {
      const start = this.pos;
      const c = text.charCodeAt(start);
      if (c === 32 || c === 9 || c === 12) {
        this.pos++;
        continue;
      }
      if (c === 10) {
        if (interp) {
          if (!triple) throw FAIL;
          this.pos++;
        } else if (depth > 0) {
          this.pos++;
          this.checkContinuationIndent();
        } else this.lineStart(false);
        continue;
      }
      if (c === 35) {
        if (interp) throw FAIL;
        let e = text.indexOf('\n', start);
        if (e < 0) e = len;
        this.extra(0, start, e);
        this.pos = e;
        continue;
      }
      if (c === 13) {
        // CRLF: the carriage return is whitespace before the newline (a lone one is not handled).
        if (text.charCodeAt(start + 1) !== 10) throw FAIL;
        this.pos++;
        continue;
      }
      if (c === 92) {
        const crlf = text.charCodeAt(start + 1) === 13 ? 1 : 0;
        if (interp || text.charCodeAt(start + 1 + crlf) !== 10) throw FAIL;
        this.extra(1, start, start + 2 + crlf);
        this.afterContinuation = true;
        this.pos = start + 2 + crlf;
        continue;
      }
      if (isIdStart(c)) {
        this.name(start, interp ? quote : -1);
        continue;
      }
      if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(start + 1)))) {
        const e = scanNumber(text, start, this.num);
        if (e < 0) throw FAIL;
        this.tok(this.num.isFloat ? K_FLOAT : K_INT, start, e);
        this.pos = e;
        continue;
      }
      if (c === 34 || c === 39) {
        if (interp && c === quote) throw FAIL;
        this.stringTok(start, start, 0);
        continue;
      }
      if (interp && depth === 0) {
        if (c === 125) return STOP_RBRACE;
        if (c === 58) {
          if (text.charCodeAt(start + 1) === 61) throw FAIL;
          return STOP_COLON;
        }
        if (c === 33 && text.charCodeAt(start + 1) !== 61) return STOP_CONV;
      }
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) {
        if (--depth < 0) throw FAIL;
      }
      this.operator(c, start);
    }
    if (interp) throw FAIL;
    return 0;
  }

  /** A name, keyword, or a string with a prefix; `quote` is the enclosing f-string's quote or -1. */
  private name(start: number, quote: number): void {
    const text = this.text;
    let e = start + 1;
    while (e < text.length && isIdChar(text.charCodeAt(e))) e++;
    const q = text.charCodeAt(e);
    if (q >= 0x80) throw FAIL;
    if ((q === 34 || q === 39) && e - start <= 2) {
      const flags = stringPrefix(text, start, e);
      if (flags < 0 || q === quote) throw FAIL;
      this.stringTok(start, e, flags);
      return;
    }
    this.tok(keywordKind(text, start, e), start, e);
    this.pos = e;
  }

  /**
   * Inside brackets, tree-sitter's scanner can still emit a DEDENT (an error) when a line starts
   * left of the current block's indentation: give up on such lines.
   */
  private checkContinuationIndent(): void {
    const text = this.text;
    let i = this.pos;
    let col = 0;
    for (;;) {
      const w = text.charCodeAt(i);
      if (w === 32) col++;
      else if (w === 9) col += 8;
      else if (w === 10) col = 0;
      else if (w === 12 || w === 13) col = 0;
      else break;
      i++;
    }
    if (i < text.length && col < this.indents[this.indents.length - 1]!) throw FAIL;
  }

  private stringTok(start: number, quotePos: number, flags: number): void {
    if (this.afterContinuation) {
      // tree-sitter's scanner skips a continuation before a string start: no node for it.
      const t = this.toks;
      t.cStarts.pop();
      t.cEnds.pop();
      t.cKinds.pop();
      this.afterContinuation = false;
    }
    if (this.toks.first < 0) this.toks.first = start;
    this.lineHasTokens = true;
    this.pos = scanString(this, start, quotePos, flags);
    this.lastEnd = this.pos;
  }

  private operator(c: number, s: number): void {
    const text = this.text;
    const c1 = text.charCodeAt(s + 1);
    const c2 = text.charCodeAt(s + 2);
    let k = -1;
    let n = 1;
    switch (c) {
      case 40: k = K_LPAR; break;
      case 41: k = K_RPAR; break;
      case 91: k = K_LSQB; break;
      case 93: k = K_RSQB; break;
      case 123: k = K_LBRACE; break;
      case 125: k = K_RBRACE; break;
      case 44: k = K_COMMA; break;
      case 59: k = K_SEMI; break;
      case 126: k = K_TILDE; break;
      case 58: if (c1 === 61) { k = K_WALRUS; n = 2; } else k = K_COLON; break;
      case 46: if (c1 === 46 && c2 === 46) { k = K_ELLIPSIS; n = 3; } else k = K_DOT; break;
      case 61: if (c1 === 61) { k = K_EQEQ; n = 2; } else k = K_EQ; break;
      case 33: if (c1 === 61) { k = K_NE; n = 2; } break;
      case 45: if (c1 === 62) { k = K_ARROW; n = 2; } else if (c1 === 61) { k = K_AUG; n = 2; } else k = K_MINUS; break;
      case 43: if (c1 === 61) { k = K_AUG; n = 2; } else k = K_PLUS; break;
      case 37: if (c1 === 61) { k = K_AUG; n = 2; } else k = K_PERCENT; break;
      case 64: if (c1 === 61) { k = K_AUG; n = 2; } else k = K_AT; break;
      case 38: if (c1 === 61) { k = K_AUG; n = 2; } else k = K_AMP; break;
      case 124: if (c1 === 61) { k = K_AUG; n = 2; } else k = K_PIPE; break;
      case 94: if (c1 === 61) { k = K_AUG; n = 2; } else k = K_CARET; break;
      case 42:
        if (c1 === 42) { if (c2 === 61) { k = K_AUG; n = 3; } else { k = K_POW; n = 2; } }
        else if (c1 === 61) { k = K_AUG; n = 2; } else k = K_STAR;
        break;
      case 47:
        if (c1 === 47) { if (c2 === 61) { k = K_AUG; n = 3; } else { k = K_DSLASH; n = 2; } }
        else if (c1 === 61) { k = K_AUG; n = 2; } else k = K_SLASH;
        break;
      case 60:
        if (c1 === 60) { if (c2 === 61) { k = K_AUG; n = 3; } else { k = K_LSHIFT; n = 2; } }
        else if (c1 === 61) { k = K_LE; n = 2; } else if (c1 === 62) k = -1; else k = K_LT;
        break;
      case 62:
        if (c1 === 62) { if (c2 === 61) { k = K_AUG; n = 3; } else { k = K_RSHIFT; n = 2; } }
        else if (c1 === 61) { k = K_GE; n = 2; } else k = K_GT;
        break;
    }
    if (k < 0) throw FAIL;
    this.tok(k, s, s + n);
    this.pos = s + n;
  }

  /**
   * At a newline at bracket depth 0 (or the start of the file): emits NEWLINE, then INDENT or
   * DEDENTs, interleaved with own-line comments exactly as tree-sitter's scanner orders them.
   */
  private lineStart(first: boolean): void {
    const p = this.lastEnd;
    if (!first && this.lineHasTokens) this.toks.push(K_NEWLINE, p, p);
    this.lineHasTokens = false;
    const col = this.scanGap();
    const cs = this.gap;
    if (first && col > 0) throw FAIL;
    const ind = this.indents;
    let cur = p;
    // After a decorator line, a comment left of the block's indentation makes tree-sitter err.
    if (this.lineFirst === K_AT && !first) {
      for (let k = 0; k < cs.length; k += 3) if (cs[k]! < ind[ind.length - 1]!) throw FAIL;
    }
    this.lineFirst = 0;
    if (col > ind[ind.length - 1]!) {
      this.toks.push(K_INDENT, p, p);
      ind.push(col);
      for (let k = 0; k < cs.length; k += 3) this.extra(0, cs[k + 1]!, cs[k + 2]!);
      return;
    }
    // The scanner dedents only when the next token is dedented and so is the first comment left.
    const next = col < 0 ? 0 : col;
    for (let k = 0; k < cs.length; k += 3) {
      while (next < ind[ind.length - 1]! && cs[k]! < ind[ind.length - 1]!) {
        ind.pop();
        this.toks.push(K_DEDENT, cur, cur);
      }
      this.extra(0, cs[k + 1]!, cs[k + 2]!);
      cur = cs[k + 2]!;
    }
    if (col < 0) return;
    while (col < ind[ind.length - 1]!) {
      ind.pop();
      this.toks.push(K_DEDENT, cur, cur);
    }
    if (col !== ind[ind.length - 1]) throw FAIL;
  }

  /**
   * Looks past blank lines and own-line comments (collected in `gap` as column, start, end) to
   * the next token; returns its line's indentation, or -1 at the end of the file.
   */
  private scanGap(): number {
    const text = this.text;
    const len = text.length;
    const cs = this.gap;
    cs.length = 0;
    let i = this.pos;
    for (;;) {
      if (text.charCodeAt(i) === 10) i++;
      // Indentation as tree-sitter's scanner counts it: space 1, tab 8, form feed / CR reset.
      let spaces = 0;
      let tabs = 0;
      for (;;) {
        const w = text.charCodeAt(i);
        if (w === 32) spaces++;
        else if (w === 9) tabs++;
        else if (w === 12 || (w === 13 && text.charCodeAt(i + 1) === 10)) spaces = tabs = 0;
        else break;
        i++;
      }
      this.pos = i;
      if (i >= len) return -1;
      const c = text.charCodeAt(i);
      if (c === 10) continue;
      if (c === 13 || c === 92) throw FAIL;
      // Python counts a tab up to the next multiple of 8, tree-sitter as 8: the same only when
      // tabs alone indent (mixing also risks Python's TabError).
      if (spaces > 0) this.spaceIndent = true;
      if (tabs > 0) this.tabIndent = true;
      if (this.tabIndent && this.spaceIndent) throw FAIL;
      const col = spaces + tabs * 8;
      if (c !== 35) return col;
      let e = text.indexOf('\n', i);
      if (e < 0) e = len;
      cs.push(col, i, e);
      i = this.pos = e;
      if (i >= len) return -1;
    }
  }
}
