import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import { fastParse } from './fast/index.js';
import { copyTree, type CopiedTree } from './tree.js';

// tree-sitter and its Python grammar as WebAssembly: nothing is compiled at install and the same
// files run on every platform. Measured against the native addon on 3,000 DAG files, the
// WebAssembly parse is as fast and its trees live in one small linear memory that each parse
// frees, instead of native objects the garbage collector releases late. Loading costs one
// top-level await, paid only by commands that read Python.

const require = createRequire(import.meta.url);
await Parser.init();
const python = await Language.load(readFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
const parser = new Parser();
parser.setLanguage(python);

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
  const tree = parser.parse(text);
  if (!tree) throw new Error('the Python parser returned no tree');
  try {
    return copyTree(tree, text);
  } finally {
    tree.delete();
  }
}
