import type { PyNode } from '../python/tree.js';
import type { Edit } from './edits.js';

// What one finding's fix does to its file: plain edits, items to take out of comma-separated
// lists (merged per list, so that two removals side by side leave one comma right), and local
// names whose import goes when nothing else in the file uses them any more.

export interface Change {
  edits: Edit[];
  removals: { list: PyNode; item: PyNode }[];
  /** Names bound by an import that the fix stopped using (a removed decorator's). */
  unusedImports: string[];
}

/** Why a finding was not fixed: the reason, in words. */
export type Refusal = string;

export const edit = (start: number, end: number, text: string): Change => ({ edits: [{ start, end, text }], removals: [], unusedImports: [] });
export const removal = (list: PyNode, item: PyNode): Change => ({ edits: [], removals: [{ list, item }], unusedImports: [] });

/** The last name of a callee or decorator: `DAG` for `models.DAG`, `apply_defaults` for `decorators.apply_defaults`. */
export const lastName = (n: PyNode | null): string | null => {
  if (!n) return null;
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') return n.childForFieldName('attribute')?.text ?? null;
  return null;
};
