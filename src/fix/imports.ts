import type { PyNode } from '../python/tree.js';
import type { Edit } from './edits.js';

// The safe import fix: `from old.module import Name [as alias]` whose name has one new path on the
// target. When every name of the statement goes to the same module, only the module's span (and a
// renamed name's) changes; otherwise the statement becomes one import per module, at the same
// indentation. A renamed name keeps its local binding (`import NewName as OldName`).

/** The replacement path for the import of `name` at 1-based `line`:`col`, if a safe fix gives one. */
export type ReplacementOf = (line: number, col: number, name: string) => string | undefined;

export interface ImportFixes {
  edits: Edit[];
  /** Import positions fixed, `line:col` (the uses of what they bind are fixed with them). */
  fixed: Set<string>;
  /** Imports a fix was found for but not applied, and why. */
  skipped: { line: number; col: number; name: string; reason: string }[];
}

interface ImportedName {
  node: PyNode;
  name: PyNode;
  alias: PyNode | null;
  line: number;
  col: number;
  /** The new module and name, or null when the name stays where it is. */
  to: { module: string; leaf: string } | null;
}

const at = (n: PyNode) => ({ line: n.startPosition.row + 1, col: n.startPosition.column + 1 });
const splitPath = (path: string) => ({ module: path.slice(0, path.lastIndexOf('.')), leaf: path.slice(path.lastIndexOf('.') + 1) });

export function fixImports(root: PyNode, text: string, replacementOf: ReplacementOf): ImportFixes {
  const out: ImportFixes = { edits: [], fixed: new Set(), skipped: [] };
  const visit = (node: PyNode) => {
    if (node.type === 'import_from_statement') fixStatement(node, text, replacementOf, out);
    else for (const c of node.namedChildren) visit(c);
  };
  visit(root);
  return out;
}

function importedNames(stmt: PyNode, module: string, replacementOf: ReplacementOf): ImportedName[] {
  return stmt.childrenForFieldName('name').map((node) => {
    const name = node.type === 'aliased_import' ? node.childForFieldName('name')! : node;
    const alias = node.type === 'aliased_import' ? node.childForFieldName('alias') : null;
    const { line, col } = at(node);
    const path = replacementOf(line, col, `${module}.${name.text}`);
    return { node, name, alias, line, col, to: path ? splitPath(path) : null };
  });
}

/** `NewName as local`, keeping the name the code uses. */
function nameText(n: ImportedName): string {
  if (!n.to) return n.node.text;
  const local = n.alias?.text ?? n.name.text;
  return n.to.leaf === local ? local : `${n.to.leaf} as ${local}`;
}

function fixStatement(stmt: PyNode, text: string, replacementOf: ReplacementOf, out: ImportFixes): void {
  const moduleNode = stmt.childForFieldName('module_name');
  if (!moduleNode || moduleNode.type !== 'dotted_name') return; // relative imports stay
  const names = importedNames(stmt, moduleNode.text, replacementOf);
  const moving = names.filter((n) => n.to);
  if (moving.length === 0) return;
  const modules = [...new Set(names.map((n) => n.to?.module ?? moduleNode.text))];
  if (modules.length === 1) {
    out.edits.push({ start: moduleNode.start, end: moduleNode.end, text: modules[0]! });
    for (const n of moving) if (nameText(n) !== n.node.text) out.edits.push({ start: n.node.start, end: n.node.end, text: nameText(n) });
  } else {
    const skip = splitRefusal(stmt);
    if (skip) {
      for (const n of moving) out.skipped.push({ line: n.line, col: n.col, name: `${moduleNode.text}.${n.name.text}`, reason: skip });
      return;
    }
    const lineStart = text.lastIndexOf('\n', stmt.start - 1) + 1;
    const indent = text.slice(lineStart, stmt.start);
    const newline = text.includes('\r\n') ? '\r\n' : '\n';
    // After `try:` or `x = 1;` on the same line, the statements stay on it, joined by `;`.
    const joiner = /^[ \t]*$/.test(indent) ? `${newline}${indent}` : '; ';
    const lines = modules.map((m) => `from ${m} import ${names.filter((n) => (n.to?.module ?? moduleNode.text) === m).map(nameText).join(', ')}`);
    out.edits.push({ start: stmt.start, end: stmt.end, text: lines.join(joiner) });
  }
  for (const n of moving) out.fixed.add(`${n.line}:${n.col}`);
}

/** Why a statement whose names go to different modules cannot be split, if it cannot. */
function splitRefusal(stmt: PyNode): string | null {
  const hasComment = (n: PyNode): boolean => n.type === 'comment' || n.namedChildren.some(hasComment);
  return hasComment(stmt) ? 'its names go to different modules and the statement holds comments a split would lose' : null;
}
