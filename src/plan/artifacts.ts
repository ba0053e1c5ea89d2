import { createHash } from 'node:crypto';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { UsageError } from '../exit.js';
import { ioReason, nodeIO, readBounded } from '../home/fs.js';
import type { Inventory, Requirement } from '../home/inventory.js';
import { wrappingFolder } from '../home/plugins.js';
import { redactUrlCredentials } from '../home/secrets.js';
import { walkFolder } from '../home/walk.js';
import { GENERATED, startupPlan, type StartupPlan } from './startup.js';
import type { AddedRequirement, FixedCode, FixedFile, FixSummary } from './fixed.js';
import { constraintsUrl } from '../refdata/mwaa.js';
import { buildZip } from '../fix/zip.js';

// What plan puts in the bucket, built deterministically from the scanned home: the same home
// gives the same keys, bytes and hashes on any machine. Reading files happens here at the edge;
// the zip, layout and requirements logic are pure functions of contents.

export const PLUGINS_KEY = 'plugins.zip';
export const REQUIREMENTS_KEY = 'requirements.txt';

export interface ObjectArtifact {
  key: string;
  /** The file it is made from, relative to the home (absolute when outside it). */
  source: string;
  size: number;
  /** Hex MD5: what S3 answers as the ETag of a single-part upload. */
  md5: string;
  /** With --fix, when the object holds fixed code: what the fixes changed. */
  fixes?: FixSummary;
}

export interface FileFingerprint {
  path: string;
  sha256: string;
}

export interface BuiltArtifact extends ObjectArtifact {
  bytes: Uint8Array;
}

/** A DAG object: its bytes are read as it uploads, but for a fixed file's, made here. */
export type DagObject = ObjectArtifact & { bytes?: Uint8Array };

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** The files Airflow would see in a folder (honouring .airflowignore), read once, in path order. */
async function readFolder(inv: Inventory, folder: string, keep: (rel: string) => boolean): Promise<{ rel: string; shown: string; bytes: Uint8Array }[]> {
  const root = resolve(inv.home, folder);
  const show = (rel: string) => {
    const abs = join(root, rel);
    const inside = relative(inv.home, abs);
    return inside.startsWith('..') || isAbsolute(inside) ? abs : inside.split('\\').join('/');
  };
  const walked = await walkFolder(nodeIO, root, { syntax: inv.dagFolder.ignoreSyntax, display: show, accept: () => true, skipDirs: new Set(['__pycache__']) });
  const files = walked.files.filter((f) => keep(f.rel)).sort((a, b) => byPath(a.rel, b.rel));
  return Promise.all(files.map(async (f) => ({ rel: f.rel, shown: show(f.rel), bytes: await readInput(inv, show(f.rel)) })));
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A file of the home (as the inventory shows it); one line naming it when it cannot be read. */
async function readInput(inv: Inventory, shown: string): Promise<Buffer> {
  try {
    return await readBounded(resolve(inv.home, shown));
  } catch (e) {
    throw new UsageError(`${shown}: ${ioReason(e)}`);
  }
}

/** Editor and OS droppings never go to MWAA. */
const isJunk = (rel: string) => /(^|\/)\.DS_Store$/.test(rel) || rel.endsWith('.pyc');
const isIgnoreFile = (rel: string) => /(^|\/)\.airflowignore$/.test(rel);

/**
 * One object per file in the DAG folder (zip packages as their .zip), keyed by its path under
 * the folder; non-Python files (SQL templates, helpers safe mode skipped) go too, since DAGs read
 * them. Files .airflowignore hides stay home unless a checked file imports them (a helper folder
 * the scheduler skips still runs on the workers), and the .airflowignore files go too, so MWAA's
 * scheduler skips what the old one did. The scan already listed and hashed the Python files:
 * only the others are read here. A fixed file goes as fixed; its fingerprint stays the home's.
 */
export async function dagObjects(inv: Inventory, prefix: string, fixed: FixedCode | null = null): Promise<{ objects: DagObject[]; fingerprints: FileFingerprint[] }> {
  const folder = inv.dagFolder.path;
  const under = (path: string) => (folder === '.' ? path : path.slice(folder.length + 1));
  const listed = [
    ...inv.dagFiles.filter((f) => f.zip === null).map((f) => ({ path: f.path, size: f.size, md5: f.md5 || null, sha256: f.sha256 || null })),
    ...inv.dagFolder.dataFiles,
  ].filter((f) => !isJunk(under(f.path)));
  const files = await Promise.all(
    listed.map(async (f) => {
      if (f.md5 !== null && f.sha256 !== null) return { rel: under(f.path), path: f.path, size: f.size, md5: f.md5, sha256: f.sha256 };
      const bytes = await readInput(inv, f.path);
      return { rel: under(f.path), path: f.path, size: bytes.length, md5: md5(bytes), sha256: sha256(bytes) };
    }),
  );
  files.sort((a, b) => byPath(a.rel, b.rel));
  return {
    objects: files.map((f) => {
      const fix = fixed?.files.get(f.path) ?? fixed?.archives.get(f.path);
      const key = `${prefix}/${f.rel}`;
      return fix ? { key, source: f.path, size: fix.size, md5: fix.md5, fixes: fix.summary, bytes: fix.bytes } : { key, source: f.path, size: f.size, md5: f.md5 };
    }),
    fingerprints: files.map((f) => ({ path: f.path, sha256: f.sha256 })),
  };
}

/** How many folders deep a plugin module may sit before MWAA's import path is unlikely to reach it as meant. */
const MAX_PY_DEPTH = 3;

/** What is wrong with a plugins.zip's entry list for MWAA (empty when nothing). */
export function pluginsLayoutProblems(entries: string[]): string[] {
  const problems: string[] = [];
  const wrapper = wrappingFolder(entries);
  if (wrapper !== null) problems.push(`every entry sits under ${wrapper}/: MWAA would unpack it to plugins/${wrapper}/ and the imports would miss`);
  for (const e of entries.filter((e) => e.endsWith('.py') && e.split('/').length - 1 > MAX_PY_DEPTH)) {
    problems.push(`${e} is more than ${MAX_PY_DEPTH} folders deep`);
  }
  return problems;
}

export interface PluginsZip extends BuiltArtifact {
  entries: string[];
  layoutProblems: string[];
  fingerprints: FileFingerprint[];
}

/**
 * plugins.zip from the contents of the plugins folder (no wrapping folder), the fixed files as
 * fixed; else the home's own plugins.zip, as it is or made again with its fixed files; null when
 * there is neither. A plugins.zip inside the folder is what MWAA unpacks into it, so it is not
 * zipped again.
 */
export async function pluginsZip(inv: Inventory, fixed: FixedCode | null = null): Promise<PluginsZip | null> {
  const files = inv.plugins.folder === null ? [] : await readFolder(inv, inv.plugins.folder, (rel) => !isJunk(rel) && !isIgnoreFile(rel) && rel !== PLUGINS_KEY);
  if (files.length === 0) return inv.plugins.zip ? homeZip(inv, inv.plugins.zip.path, inv.plugins.zip.entries, fixed?.archives.get(inv.plugins.zip.path)) : null;
  const fixOf = (f: { shown: string }) => fixed?.files.get(f.shown);
  const bytes = buildZip(Object.fromEntries(files.map((f) => [f.rel, fixOf(f)?.bytes ?? f.bytes])));
  const fixes = files.flatMap((f) => (fixOf(f) ? [{ path: f.shown, summary: fixOf(f)!.summary }] : []));
  const entries = files.map((f) => f.rel);
  return {
    key: PLUGINS_KEY,
    source: inv.plugins.folder!,
    size: bytes.length,
    md5: md5(bytes),
    ...(fixes.length ? { fixes: mergedSummary(fixes) } : {}),
    bytes,
    entries,
    layoutProblems: pluginsLayoutProblems(entries),
    fingerprints: files.map((f) => ({ path: f.shown, sha256: sha256(f.bytes) })),
  };
}

/** The fixes of the files in one object. */
function mergedSummary(files: { path: string; summary: FixSummary }[]): FixSummary {
  return {
    count: files.reduce((n, f) => n + f.summary.count, 0),
    rules: [...new Set(files.flatMap((f) => f.summary.rules))].sort(),
    files: files.map((f) => f.path),
  };
}

/** The home's plugins.zip, or the fixed one made from it (same entries); the fingerprint is the home's. */
async function homeZip(inv: Inventory, path: string, entries: string[], fix: FixedFile | undefined): Promise<PluginsZip> {
  const found = await readInput(inv, path);
  const bytes = fix?.bytes ?? found;
  return {
    key: PLUGINS_KEY,
    source: path,
    size: bytes.length,
    md5: md5(bytes),
    ...(fix ? { fixes: fix.summary } : {}),
    bytes,
    entries,
    layoutProblems: pluginsLayoutProblems(entries),
    fingerprints: [{ path, sha256: sha256(found) }],
  };
}

export interface CleanRequirements {
  text: string;
  /** What was dropped or replaced, and why. */
  notes: string[];
  /** Unified diff from the original (credentials redacted) to the cleaned file. */
  diff: string;
}

export function constraintUrl(target: string): string {
  const url = constraintsUrl(target);
  if (!url) throw new Error(`no Python version is known for Airflow ${target}`);
  return url;
}

/** The line as pip should read it, or why it is dropped. */
function cleanLine(r: Requirement): { line: string } | { dropped: string } {
  const where = `${r.file}:${r.line}`;
  if (r.kind === 'include') return { dropped: `${where} ${r.text}: inlined` };
  if (r.kind === 'constraint') return { dropped: `${where} ${r.text}: replaced by the target's constraints` };
  if (r.name === 'apache-airflow') return { dropped: `${where} ${r.text}: MWAA installs Airflow itself` };
  // The inventory holds credentials only as <redacted>: such a line cannot be written usefully, nor should the secret be.
  if (r.text.includes('<redacted>')) return { dropped: `${where}: holds a credential; use a CodeArtifact repository or wheels in plugins.zip instead` };
  // One hash per continuation line, as pip-compile writes them.
  return { line: r.text.replace(/\s+(--hash=)/g, ' \\\n    $1') };
}

/**
 * requirements.txt for MWAA: the target's constraint line first, includes inlined, Airflow pins
 * and credentials dropped, then the providers the fixed code needs (`added`, unpinned: the
 * constraints pin them). `original` is the top requirements file as read (for the diff only).
 */
export function cleanRequirements(inv: Inventory, target: string, original: string, added: AddedRequirement[] = []): CleanRequirements {
  const lines = [`--constraint "${constraintUrl(target)}"`];
  const notes: string[] = [];
  for (const r of inv.requirements.requirements) {
    const out = cleanLine(r);
    if ('line' in out) lines.push(out.line);
    else notes.push(out.dropped);
  }
  for (const a of added) {
    lines.push(a.name);
    notes.push(`${REQUIREMENTS_KEY}: ${a.name} added: ${a.why}`);
  }
  const text = `${lines.join('\n')}\n`;
  const before = redactUrlCredentials(original);
  const diff = createTwoFilesPatch(`a/${REQUIREMENTS_KEY}`, `b/${REQUIREMENTS_KEY}`, before.endsWith('\n') || before === '' ? before : `${before}\n`, text, 'original', 'for MWAA');
  return { text, notes, diff };
}

/** The cleaned requirements.txt as an object; null when the home has none and the fixed code adds nothing. */
export async function requirementsObject(
  inv: Inventory,
  target: string,
  added: AddedRequirement[] = [],
): Promise<{ artifact: BuiltArtifact; clean: CleanRequirements; fingerprints: FileFingerprint[] } | null> {
  const [root, ...included] = inv.requirements.files;
  if (root === undefined && added.length === 0) return null;
  const read = (f: string) => readInput(inv, f);
  const original = root === undefined ? Buffer.alloc(0) : await read(root);
  const clean = cleanRequirements(inv, target, original.toString('utf8'), added);
  const bytes = new TextEncoder().encode(clean.text);
  const fingerprints = root === undefined ? [] : [{ path: root, sha256: sha256(original) }];
  for (const f of included) fingerprints.push({ path: f, sha256: sha256(await read(f)) });
  return { artifact: { key: REQUIREMENTS_KEY, source: root === undefined ? GENERATED : posix.normalize(root), size: bytes.length, md5: md5(bytes), bytes }, clean, fingerprints };
}

export interface Artifacts {
  dags: DagObject[];
  plugins: PluginsZip | null;
  requirements: BuiltArtifact | null;
  /** startup.sh exporting the old host's environment variables the code reads; null when none. */
  startup: StartupPlan | null;
  /** Every input file's hash: DAG files, plugin files, requirements files, airflow.cfg. */
  fingerprints: FileFingerprint[];
  notes: string[];
  requirementsDiff: string | null;
}

/** Everything plan would upload, read from the home once; with --fix, the code as `fixed` has it. */
export async function buildArtifacts(inv: Inventory, target: string, dagsPrefix: string, fixed: FixedCode | null = null): Promise<Artifacts> {
  const dags = await dagObjects(inv, dagsPrefix, fixed);
  const plugins = await pluginsZip(inv, fixed);
  const requirements = await requirementsObject(inv, target, fixed?.requirements);
  const cfg = inv.config.file === null ? [] : [{ path: inv.config.file, sha256: sha256(await readInput(inv, inv.config.file)) }];
  return {
    dags: dags.objects,
    plugins,
    requirements: requirements?.artifact ?? null,
    startup: startupPlan(inv, target),
    fingerprints: [...dags.fingerprints, ...(plugins?.fingerprints ?? []), ...(requirements?.fingerprints ?? []), ...cfg],
    notes: [
      ...(requirements?.clean.notes ?? []),
      ...(plugins && plugins.source === inv.plugins.zip?.path ? [`plugins.zip: ${plugins.source} uploaded ${plugins.fixes ? 'with its fixed files' : 'as it is'} (no plugins folder to build it from)`] : []),
      ...(plugins?.layoutProblems.map((p) => `plugins.zip: ${p}`) ?? []),
    ],
    requirementsDiff: requirements?.clean.diff ?? null,
  };
}
