import type { PyNode } from '../tree.js';
import { pos, snippet, type State } from './state.js';

// Python 2 syntax and syntax errors. tree-sitter parses Python 2 constructs into their own
// nodes (or into recognisable shapes), so a Python 2 file is named as such, not as broken.

const MAX_ERRORS = 5;

function markPython2(s: State, node: PyNode, message: string): void {
  s.python2 = true;
  if (s.out.syntaxErrors.length < MAX_ERRORS) s.out.syntaxErrors.push({ ...pos(node), message });
}

/** Python 2 forms among statements and operators; called for the node types listed in index.ts. */
export function checkPython2(s: State, node: PyNode): void {
  switch (node.type) {
    case 'print_statement':
      return markPython2(s, node, 'Python 2 print statement');
    case 'exec_statement':
      return markPython2(s, node, 'Python 2 exec statement');
    case 'except_clause':
      // `except E, e:` parses with two values separated by a comma.
      if (node.children.some((c) => c.type === ',') && node.children[0]?.type === 'except') markPython2(s, node, "Python 2 'except X, e' syntax");
      return;
    case 'comparison_operator':
      if (node.children.some((c) => c.type === '<>')) markPython2(s, node, "Python 2 '<>' operator");
      return;
    case 'integer':
      if (/^0[0-7]+[lL]?$|^\d+[lL]$/.test(node.text)) markPython2(s, node, `Python 2 integer literal ${node.text}`);
      return;
    case 'string':
      if (node.text.startsWith('`')) markPython2(s, node, 'Python 2 backtick repr');
      else if (/^[uU][rR]/.test(node.text)) markPython2(s, node, "Python 2 'ur' string prefix");
  }
}

export function visitError(s: State, node: PyNode): void {
  // tree-sitter may wrap most of a file in one ERROR around the real, nested one: report the innermost.
  if (s.out.syntaxErrors.length < MAX_ERRORS && !node.children.some(containsError)) {
    s.out.syntaxErrors.push({ ...pos(node), message: `invalid syntax near '${snippet(node).slice(0, 40)}'` });
  }
  s.out.syntax = 'error';
}

/** The file's syntax verdict once the walk is done. */
export function finishSyntax(s: State, root: PyNode, hasError: boolean): void {
  if (hasError && s.out.syntax === 'ok' && !s.python2) {
    s.out.syntax = 'error';
    const missing = findMissing(root);
    if (missing) s.out.syntaxErrors.push({ ...pos(missing), message: `missing '${missing.type}'` });
  }
  if (s.python2) s.out.syntax = 'python2';
}

function containsError(node: PyNode): boolean {
  return node.type === 'ERROR' || node.children.some(containsError);
}

function findMissing(node: PyNode): PyNode | null {
  if (node.missing) return node;
  for (const c of node.children) {
    const m = findMissing(c);
    if (m) return m;
  }
  return null;
}
