import type { FixIntent } from '../check/types.js';
import type { PyNode } from '../python/tree.js';
import { lastName, removal, type Change, type Refusal } from './change.js';
import type { Edit } from './edits.js';
import { descendants, nodesStartingAt } from './locate.js';

// A decorator Airflow dropped (@apply_defaults) goes, line and all; its import goes too once no
// code in the file uses the name, since on the target the import itself fails.

type Intent = Extract<FixIntent, { kind: 'decorator' }>;

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;

/** The node's lines, newline included, when nothing but blanks and a comment share them; else null. */
function ownLines(text: string, node: PyNode): { start: number; end: number } | null {
  const from = lineStart(text, node.start);
  const eol = text.indexOf('\n', node.end);
  const alone = /^[ \t]*$/.test(text.slice(from, node.start)) && /^[ \t]*(#[^\n]*)?\r?$/.test(text.slice(node.end, eol < 0 ? text.length : eol));
  return alone ? { start: from, end: eol < 0 ? text.length : eol + 1 } : null;
}

/** The root name a decorator expression is written with: `apply_defaults`, or `decorators` in `@decorators.apply_defaults`. */
function rootName(expr: PyNode): string | null {
  let n: PyNode | null = expr.type === 'call' ? expr.childForFieldName('function') : expr;
  while (n?.type === 'attribute') n = n.childForFieldName('object');
  return n?.type === 'identifier' ? n.text : null;
}

export function fixDecorator(root: PyNode, text: string, at: number, intent: Intent): Change | Refusal {
  const decorated = nodesStartingAt(root, at).find((n) => n.type === 'decorated_definition');
  const decorator = decorated?.namedChildren.find((d) => {
    const e = d.type === 'decorator' ? d.namedChildren[0] : null;
    return e && lastName(e.type === 'call' ? e.childForFieldName('function') : e) === intent.name;
  });
  if (!decorator) return `@${intent.name} is not written where the finding points`;
  // Another decorator or the definition on the same line: only the decorator's own text goes.
  const span = ownLines(text, decorator) ?? { start: decorator.start, end: decorator.end };
  const name = rootName(decorator.namedChildren[0]!);
  return { edits: [{ ...span, text: '' }], removals: [], unusedImports: name ? [name] : [] };
}

// A name inside a span an edit replaces is gone, whether the span is deleted or rewritten.
const inside = (n: PyNode, edits: Edit[]) => edits.some((e) => e.start <= n.start && n.end <= e.end);
const IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

/** Whether `name` is still read anywhere outside imports and outside the spans the edits replace. */
function stillUsed(root: PyNode, name: string, edits: Edit[]): boolean {
  const uses = descendants(root, (n) => n.type === 'identifier' && n.text === name);
  return uses.some((n) => !inside(n, edits) && !hasAncestor(n, (p) => IMPORTS.has(p.type)));
}

export function hasAncestor(n: PyNode, test: (p: PyNode) => boolean): boolean {
  for (let p = n.parent; p; p = p.parent) if (test(p)) return true;
  return false;
}

/** The local name an imported item binds: `y` for `x as y`, `x` for `x`, `a` for `import a.b`. */
function bound(item: PyNode): string {
  if (item.type === 'aliased_import') return item.childForFieldName('alias')!.text;
  return item.text.split('.')[0]!.trim();
}

/** The removal of the import binding `name` when the edits left it unused (a statement with one name goes whole, when alone on its lines). */
export function dropUnusedImport(root: PyNode, text: string, name: string, edits: Edit[]): Change {
  const change: Change = { edits: [], removals: [], unusedImports: [] };
  if (stillUsed(root, name, edits)) return change;
  for (const stmt of descendants(root, (n) => n.type === 'import_statement' || n.type === 'import_from_statement')) {
    const items = stmt.childrenForFieldName('name');
    const going = items.filter((i) => bound(i) === name);
    if (!going.length) continue;
    if (going.length < items.length) {
      change.removals.push(...going.map((item) => removal(stmt, item).removals[0]!));
      continue;
    }
    const block = stmt.parent;
    // The only statement of a block (a try: body) becomes `pass`, so the block stays valid Python.
    if (block?.type === 'block' && block.namedChildren.filter((c) => c.type !== 'comment').length === 1) {
      change.edits.push({ start: stmt.start, end: stmt.end, text: 'pass' });
      continue;
    }
    const lines = ownLines(text, stmt);
    if (lines) change.edits.push({ ...lines, text: '' });
  }
  return change;
}
