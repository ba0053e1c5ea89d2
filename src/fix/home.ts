import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Catalog } from '../check/catalog.js';
import type { FixableFinding } from '../check/types.js';
import type { Inventory, PyFile } from '../home/inventory.js';
import { parsePython } from '../python/parser.js';
import { applyEdits } from './edits.js';
import { fixImports } from './imports.js';

// The fixes for a home: which findings carry a safe fix, the fixed text of each file they are in,
// and the findings left to do by hand, each with the reason.

export interface FileFix {
  /** As in the inventory: relative to the home (or absolute, for a DAG folder outside it). */
  path: string;
  before: string;
  after: string;
  fixes: number;
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
}

const key = (line: number, col: number) => `${line}:${col}`;

/** The safe fixes of `findings` (from check with `replacements`), file by file. */
export function planFixes(inv: Inventory, findings: FixableFinding[], catalog: Catalog, homePath: string): FixPlan {
  const safe = new Set(catalog.rules.filter((r) => r.fixable === 'safe').map((r) => r.id));
  const byFile = new Map<string, FixableFinding[]>();
  for (const f of findings) if (safe.has(f.ruleId)) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const plan: FixPlan = { files: [], notFixed: [] };
  for (const file of [...inv.dagFiles, ...inv.plugins.files]) {
    const found = byFile.get(file.path);
    if (found) fixFile(file, found, homePath, plan);
  }
  return plan;
}

function fixFile(file: PyFile, found: FixableFinding[], homePath: string, plan: FixPlan): void {
  const refuse = (reason: string): void => {
    plan.notFixed.push(...found.map((f) => notFixed(f, reason)));
  };
  if (file.zip) return refuse('inside a zip archive: fix the source and zip it again');
  const bytes = readFileSync(resolve(homePath, file.path));
  const before = bytes.toString('utf8');
  // Written back as UTF-8, so only a file that is UTF-8 already comes back byte-identical.
  if (!Buffer.from(before, 'utf8').equals(bytes)) return refuse('not UTF-8: fix it by hand');
  const tree = parsePython(before);
  const replacements = new Map<string, string>();
  for (const f of found) if (f.replacement && !f.related) replacements.set(`${key(f.line, f.col)}:${f.text}`, f.replacement);
  const result = fixImports(tree.root, before, (line, col, name) => replacements.get(`${key(line, col)}:${name}`));
  const after = result.edits.length ? applyEdits(before, result.edits) : before;
  if (after !== before && parsePython(after).hasError && !tree.hasError) return refuse('the fixed file would not parse: fix it by hand');
  if (after !== before) plan.files.push({ path: file.path, before, after, fixes: result.fixed.size });
  const skipped = new Map(result.skipped.map((s) => [key(s.line, s.col), s.reason]));
  const isFixed = (f: FixableFinding) =>
    result.fixed.has(key(f.line, f.col)) || f.related?.some((r) => r.file === f.file && result.fixed.has(key(r.line, r.col)));
  for (const f of found) {
    if (isFixed(f)) continue;
    plan.notFixed.push(notFixed(f, skipped.get(key(f.line, f.col)) ?? reasonFor(f)));
  }
}

function reasonFor(f: FixableFinding): string {
  if (f.related) return `its import at line ${f.related[0]!.line} is not fixed`;
  if (!f.replacement) return 'the table gives no single new path for it';
  return 'a plain `import module` or `import *`: its uses name the module, change them by hand';
}

const notFixed = (f: FixableFinding, reason: string): NotFixed => ({ file: f.file, line: f.line, col: f.col, ruleId: f.ruleId, name: f.text, reason });
