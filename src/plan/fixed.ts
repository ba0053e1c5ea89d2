import { resolve } from 'node:path';
import { CheckAsScanned } from '../check/as-scanned.js';
import { loadCatalog, type Catalog } from '../check/catalog.js';
import { check, type CheckOptions } from '../check/engine.js';
import { loadProject } from '../check/project.js';
import type { CheckResult } from '../check/types.js';
import { planFixes, type FileFix } from '../fix/home.js';
import type { Inventory, PyFile } from '../home/inventory.js';
import { findPlugins } from '../home/plugins.js';
import { requirementAt } from '../home/requirements.js';
import { digests, fileFacts } from '../python/file.js';
import { archiveReader, fixedArchives } from '../fix/zip.js';
import { REQUIREMENTS_KEY } from './artifacts.js';

// plan --fix: the DAG and plugin files as `fix` leaves them. The fixed texts are analysed again,
// so the plan checks the code it uploads and learns which provider packages its new imports need.
// Deterministic in the home and the settings: apply makes the fixes again and must get the same bytes.

/** How the fixed files were made; the plan records it so that apply makes the same bytes again. */
export interface FixSettings {
  /** --unsafe-fixes: the fixes that may shift what the code means, too. */
  unsafe: boolean;
  /** --airflow-version, when the home was read with it (the checks, and so the fixes, depend on it). */
  airflowVersion?: string;
}

/** What the fixes changed in one uploaded object. */
export interface FixSummary {
  count: number;
  /** The rules whose findings the fixes resolve. */
  rules: string[];
  /** For plugins.zip and a zipped DAG archive: the fixed files inside it. */
  files?: string[];
}

export interface FixedFile {
  bytes: Uint8Array;
  size: number;
  md5: string;
  summary: FixSummary;
}

/** A provider package the fixed code needs that neither requirements.txt nor MWAA's image provides. */
export interface AddedRequirement {
  name: string;
  why: string;
}

/** What plan --fix leaves as the home has it. */
export interface FixesLeft {
  /** Fixes that may shift the meaning, left out without --unsafe-fixes. */
  unsafe: number;
  /** Findings of fixable rules that no fix resolves here (`mwaa-migrate fix` lists them with the reason). */
  byHand: number;
}

export interface FixedCode {
  /** By the file's path in the inventory (inside a zip: archive.zip/inner/path.py). */
  files: Map<string, FixedFile>;
  /** The zip archives (zipped DAGs, the home's plugins.zip) holding fixed files, made again with them: by the archive's path. */
  archives: Map<string, FixedFile>;
  left: FixesLeft;
  requirements: AddedRequirement[];
}

export interface CheckedHome {
  /** The home as it will run on MWAA: with --fix, the fixed files analysed again and the added requirements listed. */
  inventory: Inventory;
  /** The rule check of that inventory: its findings, and those the home's suppressions hide. */
  result: CheckResult;
  fixed: FixedCode | null;
}

export interface CheckSettings {
  target: string;
  now: Date;
  fix?: FixSettings;
}

/** The rule check plan makes; with --fix, of the code after the fixes. `asScanned`: the check begun during the scan (see planCheckAsScanned). */
export function checkForPlan(inv: Inventory, homePath: string, s: CheckSettings, asScanned: CheckAsScanned | null = null): CheckedHome {
  if (!s.fix) return { inventory: inv, result: asScanned?.finish(inv) ?? check(inv, loadCatalog(), checkOptions(homePath, s)), fixed: null };
  const { inventory, fixed } = fixCode(inv, homePath, s, s.fix);
  return { inventory, result: check(inventory, loadCatalog(), checkOptions(homePath, s)), fixed };
}

const checkOptions = (homePath: string, s: CheckSettings): CheckOptions => ({ target: s.target, project: loadProject(resolve(homePath)), now: s.now });

/** Without --fix, the plan's check of the home taken file by file as the scan answers (ScanOptions.onFile); null with it. */
export const planCheckAsScanned = (homePath: string, s: CheckSettings): CheckAsScanned | null =>
  s.fix ? null : new CheckAsScanned(loadCatalog(), checkOptions(homePath, s));

/** The fixes --fix makes and the home as they leave it: all apply needs to compare the bytes, without checking the fixed code again. */
export function fixCode(inv: Inventory, homePath: string, s: CheckSettings, fix: FixSettings): { inventory: Inventory; fixed: FixedCode } {
  const catalog = loadCatalog();
  const options = checkOptions(homePath, s);
  const before = check(inv, catalog, { ...options, replacements: true }).findings;
  const fixPlan = planFixes(inv, before, catalog, homePath, { unsafe: fix.unsafe });
  const fixes = fixPlan.files;
  const reanalysed = new Map(fixes.map((f) => [f.path, fixedPyFile(inv, f)]));
  const swap = (files: PyFile[]) => files.map((f) => reanalysed.get(f.path) ?? f);
  const written = (files: PyFile[]) => files.flatMap((f) => (reanalysed.has(f.path) ? [importsWritten(f, reanalysed.get(f.path)!)] : []));
  const fixedHome = withFiles(inv, swap(inv.dagFiles), swap(inv.plugins.files));
  const added = neededProviders(withFiles(fixedHome, written(inv.dagFiles), written(inv.plugins.files)), catalog, options);
  // Listed where the home lists its own, so the check judges requirements.txt as uploaded.
  const root = inv.requirements.files[0] ?? REQUIREMENTS_KEY;
  const requirements = [...inv.requirements.requirements, ...added.map((a) => requirementAt(root, 0, a.name, { name: a.name }))];
  const inventory: Inventory = { ...fixedHome, requirements: { ...inv.requirements, requirements } };
  const files = new Map<string, FixedFile>(
    fixes.map((f) => {
      const file = reanalysed.get(f.path)!;
      return [f.path, { bytes: new TextEncoder().encode(f.after), size: file.size, md5: file.md5, summary: { count: f.fixes, rules: f.rules } }];
    }),
  );
  // A fixed file inside a zip goes up as its archive, made again with the fixed entries.
  const archives = new Map<string, FixedFile>();
  for (const [zip, bytes] of fixedArchives(fixes, archiveReader(inv, homePath))) {
    const inside = fixes.filter((f) => f.zip === zip);
    const summary = { count: inside.reduce((n, f) => n + f.fixes, 0), rules: [...new Set(inside.flatMap((f) => f.rules))].sort(), files: inside.map((f) => f.path.slice(zip.length + 1)) };
    archives.set(zip, { bytes, size: bytes.length, md5: digests(bytes).md5, summary });
  }
  return { inventory, fixed: { files, archives, requirements: added, left: { unsafe: fixPlan.unsafeLeft, byHand: fixPlan.notFixed.length } } };
}

/** The inventory with other DAG and plugin files (and the plugins those define). */
function withFiles(inv: Inventory, dagFiles: PyFile[], pluginFiles: PyFile[]): Inventory {
  return { ...inv, dagFiles, plugins: { ...inv.plugins, files: pluginFiles, plugins: findPlugins(pluginFiles) } };
}

/** The inventory's file with the fixed text: its hashes and analysis are of the fixed bytes. */
function fixedPyFile(inv: Inventory, fix: FileFix): PyFile {
  const file = [...inv.dagFiles, ...inv.plugins.files].find((f) => f.path === fix.path);
  if (!file) throw new Error(`${fix.path}: fixed, but not a DAG or plugin file of the home`);
  const bytes = new TextEncoder().encode(fix.after);
  const facts = fileFacts(bytes, true);
  return { ...file, size: bytes.length, sha256: facts.sha256, md5: facts.md5, analysis: facts.analysis };
}

/**
 * The fixed file with only the imports the fixes wrote (names the original did not import): the
 * providers an import the fixes left alone needs are REQ012's to report, as without --fix.
 */
function importsWritten(original: PyFile, fixed: PyFile): PyFile {
  const had = new Set(original.analysis?.imports.map((i) => i.name));
  return fixed.analysis ? { ...fixed, analysis: { ...fixed.analysis, imports: fixed.analysis.imports.filter((i) => !had.has(i.name)) } } : fixed;
}

const PROVIDER_MATCH = 'requirement-provider';

/**
 * The provider packages the fixes' imports need: the provider rule (REQ012) run over them alone,
 * as the check runs it (the home's suppressions hold), with its message worded to name the package.
 */
function neededProviders(fixedFiles: Inventory, catalog: Catalog, options: CheckOptions): AddedRequirement[] {
  const rules = catalog.rules.filter((r) => r.match.kind === PROVIDER_MATCH).map((r) => ({ ...r, message: '{provider}', fix: '{others}' }));
  const needs = new Map<string, string>();
  for (const f of check(fixedFiles, { ...catalog, rules }, options).findings) {
    if (!needs.has(f.message)) needs.set(f.message, `the fixed imports of ${f.file}${f.fix} need it`);
  }
  return [...needs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, why]) => ({ name, why }));
}
