import { SourceFile, type CopiedTree } from '../tree.js';
import { P } from './core.js';
import { placeExtras } from './comments.js';
import { Lexer } from './lexer.js';
import { parseModule } from './statements.js';
import { FAIL, Tokens } from './tokens.js';

// A hand-written Python 3 parser producing exactly the tree parsePython (tree-sitter + copyTree)
// produces, for the code it is sure about; null for anything else (the caller then falls back to
// tree-sitter). Not reentrant: the token buffers are reused between calls.

const toks = new Tokens();

/** An unexpected exception behind the last fallback (a bug: the differential tests report it). */
export let lastError: unknown = null;

export function fastParse(text: string): CopiedTree | null {
  toks.reset();
  try {
    new Lexer(text, toks).run();
    const ps = new P(text, new SourceFile(text), toks);
    const root = parseModule(ps, toks.first < 0 ? text.length : toks.first);
    placeExtras(ps, root);
    return { root, hasError: false };
  } catch (e) {
    // FAIL: not sure; RangeError: nesting too deep for the stack. Anything else would be a bug,
    // and tree-sitter is still the safe answer.
    lastError = e === FAIL || e instanceof RangeError ? null : e;
    return null;
  }
}
