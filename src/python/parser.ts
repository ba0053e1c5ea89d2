import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Parser } from 'web-tree-sitter';
import { fastParse } from './fast/index.js';
import { copyTree, type CopiedTree } from './tree.js';

// tree-sitter and its Python grammar as WebAssembly: nothing is compiled at install and the same
// files run on every platform. Measured against the native addon on 3,000 DAG files, the
// WebAssembly parse is as fast and its trees live in one small linear memory that each parse
// frees, instead of native objects the garbage collector releases late.
//
// It is loaded on first need only: the hand-written parser takes nearly every real file, and
// loading tree-sitter costs each thread about 60 ms and 17 MB (the main thread of a report, whose
// workers do the parsing, and each worker).

const require = createRequire(import.meta.url);
let treeSitter: Parser | null = null;
let loading: Promise<void> | null = null;

/** Loads tree-sitter (once): what the synchronous parse of a file the fast parser refuses needs first. */
export function loadTreeSitter(): Promise<void> {
  return (loading ??= (async () => {
    const { Language, Parser } = await import('web-tree-sitter');
    await Parser.init();
    const python = await Language.load(readFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
    const parser = new Parser();
    parser.setLanguage(python);
    treeSitter = parser;
  })());
}

/** A file needed tree-sitter before loadTreeSitter() had run: withTreeSitter() loads it and tries again. */
export class TreeSitterNotLoaded extends Error {
  constructor() {
    super('internal: the Python parser (tree-sitter) was needed before it was loaded');
  }
}

/** `work()`, run again after loading tree-sitter if it needed it. */
export async function withTreeSitter<T>(work: () => T): Promise<T> {
  try {
    return work();
  } catch (e) {
    if (!(e instanceof TreeSitterNotLoaded)) throw e;
    await loadTreeSitter();
    return work();
  }
}

/**
 * Parses Python source into a plain JavaScript tree. The hand-written parser (fast/) gives the
 * same tree ten to fifteen times faster where it is sure of it (nearly all real code); anything
 * else, syntax errors and Python 2 included, goes to tree-sitter.
 */
export function parsePython(text: string): CopiedTree {
  return fastParse(text) ?? parseWithTreeSitter(text);
}

/** tree-sitter's tree, copied; the WebAssembly tree is freed before returning. */
export function parseWithTreeSitter(text: string): CopiedTree {
  if (!treeSitter) throw new TreeSitterNotLoaded();
  const tree = treeSitter.parse(text);
  if (!tree) throw new Error('the Python parser returned no tree');
  try {
    return copyTree(tree, text);
  } finally {
    tree.delete();
  }
}
