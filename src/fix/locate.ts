import type { PyNode } from '../python/tree.js';
import type { Edit } from './edits.js';

// Finding again, in a re-parsed file, the nodes a finding's line and column point at, and the
// edits that take an item out of a comma-separated list (arguments, dict entries, imported names)
// without leaving a stray comma or an empty line behind.

/** The 0-based offset of a 1-based line and column (columns count UTF-16 units, as the analysis does). */
export function offsetOf(text: string, line: number, col: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return -1;
    at = nl + 1;
  }
  return at + col - 1;
}

/** Every node that starts at `offset`, outermost first. */
export function nodesStartingAt(root: PyNode, offset: number): PyNode[] {
  const out: PyNode[] = [];
  let node: PyNode | undefined = root;
  while (node) {
    if (node.start === offset) out.push(node);
    node = node.children.find((c) => c.start <= offset && offset < c.end);
  }
  return out;
}

/** The innermost node of `type` whose span holds `offset`. */
export function enclosing(root: PyNode, offset: number, type: string): PyNode | null {
  let found: PyNode | null = null;
  let node: PyNode | undefined = root;
  while (node) {
    if (node.type === type) found = node;
    node = node.children.find((c) => c.start <= offset && offset < c.end);
  }
  return found;
}

/** Every descendant of `node` (itself included) passing `test`, in source order. */
export function descendants(node: PyNode, test: (n: PyNode) => boolean): PyNode[] {
  const out: PyNode[] = [];
  const visit = (n: PyNode) => {
    if (test(n)) out.push(n);
    for (const c of n.children) visit(c);
  };
  visit(node);
  return out;
}

/**
 * The calls a finding at `offset` stands for: calls starting there (`X.partial(...).expand(...)`
 * is two), and the decorator calls of a definition starting there (`@dag(...)`, `@task(...)`).
 */
export function callsAt(root: PyNode, offset: number): PyNode[] {
  return nodesStartingAt(root, offset).flatMap((n) => {
    if (n.type === 'call') return [n];
    if (n.type !== 'decorated_definition') return [];
    return n.namedChildren.filter((d) => d.type === 'decorator').flatMap((d) => (d.namedChildren[0]?.type === 'call' ? [d.namedChildren[0]] : []));
  });
}

/** The keyword_argument `name=` of a call, if it has one. */
export function keywordOf(call: PyNode, name: string): PyNode | null {
  const list = call.childForFieldName('arguments');
  if (list?.type !== 'argument_list') return null;
  return list.namedChildren.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) ?? null;
}

/** The content span and value of a plain string literal (no f-string, no escapes, no concatenation). */
export function stringContent(node: PyNode): { start: number; end: number; value: string } | null {
  if (node.type !== 'string') return null;
  const m = /^([rRuUbB]{0,2})('''|"""|'|")/.exec(node.text);
  if (!m || /[fF]/.test(m[1]!)) return null;
  const start = node.start + m[0].length;
  const end = node.end - m[2]!.length;
  const value = node.text.slice(m[0].length, node.text.length - m[2]!.length);
  return value.includes('\\') ? null : { start, end, value };
}

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;
const onlySpaceBefore = (text: string, at: number) => /^[ \t]*$/.test(text.slice(lineStart(text, at), at));

/**
 * Edits removing `items` from `list` (an argument list, a dict, an import statement's names): each
 * run of adjacent items goes with one comma. An item alone on its line(s) takes the whole line
 * with it; a last item takes the comma before it; a list left empty keeps its brackets.
 */
export function removeItems(text: string, list: PyNode, items: Set<PyNode>): Edit[] {
  const all = list.namedChildren.filter((c) => c.type !== 'comment' && (list.type !== 'import_from_statement' || c.field === 'name'));
  const edits: Edit[] = [];
  for (let i = 0; i < all.length; i++) {
    if (!items.has(all[i]!)) continue;
    let j = i;
    while (j + 1 < all.length && items.has(all[j + 1]!)) j++;
    edits.push(removeRun(text, list, all, i, j));
    i = j;
  }
  return edits;
}

function removeRun(text: string, list: PyNode, all: PyNode[], first: number, last: number): Edit {
  const start = all[first]!.start;
  const end = all[last]!.end;
  const prev = all[first - 1];
  const next = all[last + 1];
  const limit = next ? next.start : list.end - (/[)\]}]$/.test(list.text) ? 1 : 0);
  // Alone on its line(s): `    x=1,  # note\n` goes whole.
  const tail = /^[ \t]*,?[ \t]*(?:#[^\n]*)?\r?\n/.exec(text.slice(end, limit));
  if (onlySpaceBefore(text, start) && tail && (next || prev)) return { start: lineStart(text, start), end: end + tail[0].length, text: '' };
  if (next) {
    const gap = text.slice(end, next.start);
    if (/^[ \t]*,[ \t]*$/.test(gap)) return { start, end: next.start, text: '' };
    // The comma ends the line: take it, and the blanks before the item, so no trailing space stays.
    const comma = text.indexOf(',', end);
    let from = start;
    while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
    return { start: from, end: comma + 1, text: '' };
  }
  if (prev) return { start: prev.end, end, text: '' };
  return { start: /^[([{]/.test(list.text) ? list.start + 1 : start, end: limit, text: '' };
}
