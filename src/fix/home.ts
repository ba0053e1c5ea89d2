import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Catalog } from '../check/catalog.js';
import type { FixableFinding, FixIntent } from '../check/types.js';
import type { Inventory, PyFile } from '../home/inventory.js';
import { parsePython } from '../python/parser.js';
import type { PyNode } from '../python/tree.js';
import { fixAttribute, fixDefaultArgsKey, fixKeyword, fixValue } from './arguments.js';
import type { Change, Refusal } from './change.js';
import { fixContext } from './context.js';
import { fixDaysAgo } from './days-ago.js';
import { dropUnusedImport, fixDecorator } from './decorators.js';
import { applyEdits, type Edit } from './edits.js';
import { fixImports } from './imports.js';
import { fixSubDag } from './subdag.js';
import { archiveReader } from './zip.js';
import { offsetOf, removeItems } from './locate.js';

// The fixes for a home: which findings carry a fix of the wanted safety, the fixed text of each
// file they are in, and the findings left to do by hand, each with the reason.

export interface FileFix {
  /** As in the inventory: relative to the home (or absolute, for a DAG folder outside it); inside a zip (a DAG archive, plugins.zip): archive.zip/inner/path.py. */
  path: string;
  /** The archive it sits in, as in the inventory, or null. */
  zip: string | null;
  before: string;
  after: string;
  fixes: number;
  /** The rules whose findings the fixes resolve, sorted. */
  rules: string[];
}

export interface NotFixed {
  file: string;
  line: number;
  col: number;
  ruleId: string;
  name: string;
  reason: string;
}

export interface FixPlan {
  files: FileFix[];
  notFixed: NotFixed[];
  /** Findings whose fix may shift the meaning, left alone without `unsafe`. */
  unsafeLeft: number;
}

export interface FixOptions {
  /** Apply the fixes that may shift the meaning too (`--unsafe-fixes`). */
  unsafe?: boolean;
}

type Fixer = (root: PyNode, text: string, at: number, intent: never) => Change | Refusal;
const FIXERS: Record<Exclude<FixIntent['kind'], 'import'>, Fixer> = {
  keyword: fixKeyword,
  'default-args-key': fixDefaultArgsKey,
  value: fixValue,
  attribute: fixAttribute,
  decorator: fixDecorator,
  context: fixContext,
  'days-ago': fixDaysAgo,
  subdag: fixSubDag,
};

const key = (line: number, col: number) => `${line}:${col}`;

/** The fixes of `findings` (from check with `replacements`), file by file. */
export function planFixes(inv: Inventory, findings: FixableFinding[], catalog: Catalog, homePath: string, options: FixOptions = {}): FixPlan {
  const fixable = new Set(catalog.rules.filter((r) => r.fixable).map((r) => r.id));
  const plan: FixPlan = { files: [], notFixed: [], unsafeLeft: 0 };
  const byFile = new Map<string, FixableFinding[]>();
  for (const f of findings) {
    if (!fixable.has(f.ruleId)) continue;
    if (f.fixSafety === 'unsafe' && !options.unsafe) {
      plan.unsafeLeft++;
      continue;
    }
    byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  }
  const archive = archiveReader(inv, homePath);
  const bytesOf = (file: PyFile): Uint8Array | null =>
    file.zip ? (archive(file.zip)?.[file.path.slice(file.zip.length + 1)] ?? null) : readFileSync(resolve(homePath, file.path));
  for (const file of [...inv.dagFiles, ...inv.plugins.files]) {
    const found = byFile.get(file.path);
    if (found) fixFile(file, found, bytesOf, plan);
  }
  return plan;
}

/** An edit and the findings it fixes (several, when removals merge or a statement is rewritten). */
interface OwnedEdit extends Edit {
  owners: FixableFinding[];
}

function fixFile(file: PyFile, found: FixableFinding[], bytesOf: (file: PyFile) => Uint8Array | null, plan: FixPlan): void {
  const refuse = (reason: string, which = found): void => {
    plan.notFixed.push(...which.map((f) => notFixed(f, reason)));
  };
  const bytes = bytesOf(file);
  if (!bytes) return refuse('inside an archive the scan could not unpack whole: fix the source and zip it again');
  const before = Buffer.from(bytes).toString('utf8');
  // Written back as UTF-8, so only a file that is UTF-8 already comes back byte-identical.
  if (!Buffer.from(before, 'utf8').equals(bytes)) return refuse('not UTF-8: fix it by hand');
  const tree = parsePython(before);
  const { edits, refused } = editsFor(tree.root, before, found);
  const { kept, dropped } = withoutOverlaps(edits);
  const after = kept.length ? applyEdits(before, kept) : before;
  if (after !== before && parsePython(after).hasError && !tree.hasError) return refuse('the fixed file would not parse: fix it by hand');
  const fixed = new Set(kept.flatMap((e) => e.owners));
  const lost = new Set(dropped.flatMap((e) => e.owners).filter((f) => !fixed.has(f)));
  for (const f of found) {
    if (fixed.has(f)) continue;
    plan.notFixed.push(notFixed(f, refused.get(f) ?? (lost.has(f) ? 'another fix changes the same text: run fix again' : reasonFor(f))));
  }
  if (after !== before) plan.files.push({ path: file.path, zip: file.zip, before, after, fixes: fixed.size, rules: [...new Set([...fixed].map((f) => f.ruleId))].sort() });
}

/** Every finding's edits, with the findings each fixes; and why the others were refused. */
function editsFor(root: PyNode, text: string, found: FixableFinding[]): { edits: OwnedEdit[]; refused: Map<FixableFinding, string> } {
  const refused = new Map<FixableFinding, string>();
  const edits = importEdits(root, text, found, refused);
  const removals = new Map<PyNode, Map<PyNode, FixableFinding[]>>();
  const unusedImports = new Map<string, FixableFinding[]>();
  const take = (change: Change, owners: FixableFinding[]) => {
    edits.push(...change.edits.map((e) => ({ ...e, owners })));
    for (const { list, item } of change.removals) {
      const items = removals.get(list) ?? new Map<PyNode, FixableFinding[]>();
      items.set(item, [...(items.get(item) ?? []), ...owners]);
      removals.set(list, items);
    }
    for (const name of change.unusedImports) unusedImports.set(name, [...(unusedImports.get(name) ?? []), ...owners]);
  };
  const movedTo = new Set(edits.flatMap((e) => e.owners.flatMap((f) => (f.fixIntent?.kind === 'import' ? [f.fixIntent.path] : []))));
  for (const f of found) {
    const intent = f.fixIntent;
    if (!intent || intent.kind === 'import') continue;
    if (intent.kind === 'keyword' && intent.ifMovedTo && !movedTo.has(intent.ifMovedTo)) {
      refused.set(f, `only ${intent.ifMovedTo} takes ${intent.to}=: fixed with the import, when it moves there`);
      continue;
    }
    const change = FIXERS[intent.kind](root, text, offsetOf(text, f.line, f.col), intent as never);
    if (typeof change === 'string') refused.set(f, change);
    else take(change, [f]);
  }
  // The imports a removed decorator leaves unused go with it (their removals merge with the rest).
  for (const [name, owners] of unusedImports) take(dropUnusedImport(root, text, name, edits), owners);
  for (const [list, items] of removals) {
    for (const e of removeItems(text, list, new Set(items.keys()))) {
      const owners = [...items].filter(([item]) => e.start <= item.start && item.end <= e.end).flatMap(([, fs]) => fs);
      edits.push({ ...e, owners });
    }
  }
  return { edits, refused };
}

/** The import fixes, statement by statement: the edits own every import finding (and use) of the file they fix. */
function importEdits(root: PyNode, text: string, found: FixableFinding[], refused: Map<FixableFinding, string>): OwnedEdit[] {
  const paths = new Map<string, string>();
  for (const f of found) if (f.fixIntent?.kind === 'import' && !f.related) paths.set(`${key(f.line, f.col)}:${f.text}`, f.fixIntent.path);
  if (!paths.size) return [];
  const result = fixImports(root, text, (line, col, name) => paths.get(`${key(line, col)}:${name}`));
  const skipped = new Map(result.skipped.map((s) => [key(s.line, s.col), s.reason]));
  for (const f of found) {
    const reason = skipped.get(key(f.line, f.col));
    if (reason) refused.set(f, reason);
  }
  const owners = found.filter(
    (f) => f.fixIntent?.kind === 'import' && (result.fixed.has(key(f.line, f.col)) || f.related?.some((r) => r.file === f.file && result.fixed.has(key(r.line, r.col)))),
  );
  return result.edits.map((e) => ({ ...e, owners }));
}

/** Identical edits (a default_args dict two DAGs share) count once; of two that overlap, the first wins. */
function withoutOverlaps(edits: OwnedEdit[]): { kept: OwnedEdit[]; dropped: OwnedEdit[] } {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const kept: OwnedEdit[] = [];
  const dropped: OwnedEdit[] = [];
  for (const e of sorted) {
    const last = kept.at(-1);
    if (last && last.start === e.start && last.end === e.end && last.text === e.text) last.owners = [...new Set([...last.owners, ...e.owners])];
    else if (last && e.start < last.end) dropped.push(e);
    else kept.push(e);
  }
  return { kept, dropped };
}

function reasonFor(f: FixableFinding): string {
  if (f.related) return `its import at line ${f.related[0]!.line} is not fixed`;
  if (!f.fixIntent && f.family === 'IMP') return 'no one importable path replaces it: change the code by hand';
  if (!f.fixIntent) return 'no mechanical fix for it here (its fix hint in the report says what to do)';
  if (f.fixIntent.kind === 'days-ago') return 'the name is still used where it is not called, so its import stays';
  if (f.fixIntent.kind === 'subdag') return 'SubDagOperator is still used: fix --unsafe-fixes rewrites its calls to TaskGroups where it can (ARG009), the rest by hand';
  return 'a plain `import module` or `import *`: its uses name the module, change them by hand';
}

const notFixed = (f: FixableFinding, reason: string): NotFixed => ({ file: f.file, line: f.line, col: f.col, ruleId: f.ruleId, name: f.text, reason });
