import { join, posix, sep } from 'node:path';
import { ioReason, type ScanIO } from './fs.js';
import type { IgnoreSyntax } from './ignore.js';
import type { DagFolder, Problem, PyFile, PyImport } from './inventory.js';
import { openZip, readCapped, splitBySize, tooLargeProblem } from './read.js';
import { walkFolder, type FoundFile } from './walk.js';
import { digests, type FileFacts } from '../python/file.js';
import type { FileOutcome } from '../python/pool.js';
import type { ScanAnalysis } from './analysis.js';
import { compareNames } from '../collate.js';
import { fileFrom } from './deferred.js';
import { mayBeLocal, outlineOf } from './outline.js';

// The DAG folder as Airflow's workers see it. Safe mode and .airflowignore decide which files the
// DagBag parses as DAG files (role 'dag'); every other module still runs on the worker when a DAG
// imports it, so all of them are analysed and checked (role 'module'). Files that .airflowignore
// hides are checked when a checked file imports them: that is how helper folders are usually used.

/** One file's facts from bytes already read (a zip's entries), analysed as the scan's files are. */
export type FactsOf = (bytes: Uint8Array) => Promise<FileFacts>;

export interface DagFolderScan {
  root: string;
  safeMode: boolean;
  syntax: IgnoreSyntax;
  maxSize: number;
  show: (abs: string) => string;
  analysis: ScanAnalysis;
  factsOf: FactsOf;
  /** false: files are hashed, not parsed, so no import is followed. */
  analyzing: boolean;
  /** Paths under the folder that are not part of it (the home's own, see home-owned.ts). */
  skip: ReadonlySet<string>;
  /** Each file the walk finds, as soon as its analysis is in (see ScanOptions.onFile). */
  onFile?: (file: PyFile) => void;
}

export async function scanDagFolder(io: ScanIO, s: DagFolderScan, folder: DagFolder, problems: Problem[]): Promise<PyFile[]> {
  const walked = await walkFolder(io, s.root, {
    syntax: s.syntax,
    display: (rel) => s.show(join(s.root, rel)),
    accept: () => true,
    skipDirs: new Set(['__pycache__']),
    skip: s.skip,
    // Each Python file is analysed from the moment it is found, while the walk goes on.
    onFile: (f) => f.rel.endsWith('.py') && f.size <= s.maxSize && s.analysis.start(f, s.onFile && ((o) => tell(s, f, o))),
  });
  problems.push(...walked.problems);
  // Airflow only ever looks at .py and .zip files: the others it ignores are no news.
  folder.ignoredFiles = walked.ignored.filter((p) => p.endsWith('/') || isCode(p));
  folder.dataFiles = walked.files.filter((f) => !f.rel.endsWith('.py')).map((f) => ({ path: s.show(f.abs), size: f.size, md5: null, sha256: null }));
  const files: PyFile[] = [];
  const py = walked.files.filter((f) => f.rel.endsWith('.py'));
  const added = await addAnalysed(s, py, false, files, problems, folder);

  // Follow imports into ignored files until nothing new turns up.
  const skipped = [...s.skip];
  const seen = new Set(py.map((f) => f.rel));
  for (let round = s.analyzing ? added : []; round.length; ) {
    const wanted = [...new Set(round.flat())].filter((r) => !seen.has(r));
    for (const r of wanted) seen.add(r);
    // An import does not bring back what is not part of the folder (the home's plugins folder).
    const found = (await existingFiles(io, s.root, wanted)).filter((f) => !skipped.some((p) => f.abs === p || f.abs.startsWith(p + sep)));
    round = await addAnalysed(s, found, true, files, problems, folder);
  }

  for (const z of walked.files.filter((f) => f.rel.endsWith('.zip'))) files.push(...(await zipFiles(io, s, z, folder, problems)));
  return files.sort((a, b) => compareNames(a.path, b.path));
}

const isCode = (p: string) => p.endsWith('.py') || p.endsWith('.zip');

/** A readable file's entry; `ignored`: found by following an import into a file .airflowignore hides. */
function entryOf(s: DagFolderScan, f: FoundFile, o: FileOutcome & { ok: true }, ignored: boolean): PyFile {
  const role = !ignored && (!s.safeMode || o.mightContainDag) ? 'dag' : 'module';
  return fileFrom(o, { path: s.show(f.abs), size: f.size, sha256: o.sha256, md5: o.md5, zip: null, role });
}

const tell = (s: DagFolderScan, f: FoundFile, o: FileOutcome) => o.ok && s.onFile!(entryOf(s, f, o, false));

/** Adds the files' entries; returns the import candidates (see importCandidates) of each file analysed. */
async function addAnalysed(
  s: DagFolderScan,
  found: FoundFile[],
  ignored: boolean,
  files: PyFile[],
  problems: Problem[],
  folder: DagFolder,
): Promise<string[][]> {
  const { fitting, tooLarge } = splitBySize(found, s.maxSize);
  for (const f of tooLarge) {
    problems.push(tooLargeProblem(s.show(f.abs), f.size, s.maxSize));
    files.push({ path: s.show(f.abs), size: f.size, sha256: '', md5: '', zip: null, role: ignored ? 'module' : 'dag', analysis: null });
  }
  const outcomes = await s.analysis.outcomesOf(fitting);
  const analysed: string[][] = [];
  fitting.forEach((f, i) => {
    const o = outcomes[i]!;
    if (!o.ok) return void problems.push({ code: 'unreadable', file: s.show(f.abs), message: ioReason({ code: o.code, message: o.error }) });
    const entry = entryOf(s, f, o, ignored);
    const path = entry.path;
    if (ignored) folder.importedIgnored.push(path);
    else if (entry.role === 'module') folder.skippedBySafeMode.push(path);
    const outline = outlineOf(entry);
    if (o.problem) problems.push({ code: o.problem.code, file: path, line: outline?.errorLine ?? undefined, message: o.problem.message });
    files.push(entry);
    if (outline) analysed.push(importCandidates(f.rel, outline.localImports));
  });
  return analysed;
}

/**
 * Files under the DAG folder that an import may load, relative to it: the module itself (or its
 * package's __init__.py) and every parent package's __init__.py. The DAG folder is on sys.path,
 * so absolute imports resolve from it; relative ones from the importing file's folder.
 */
export function importCandidates(fileRel: string, imports: Pick<PyImport, 'level' | 'module' | 'name'>[]): string[] {
  const out = new Set<string>();
  for (const imp of imports) {
    let base: string[] = [];
    if (imp.level > 0) {
      base = posix.dirname(fileRel).split('/').filter((p) => p && p !== '.');
      if (imp.level - 1 > base.length) continue;
      base = base.slice(0, base.length - (imp.level - 1));
    } else if (!mayBeLocal(imp)) continue;
    for (const dotted of new Set([imp.module, imp.name])) {
      const parts = [...base, ...dotted.replace(/^\.+/, '').split('.').filter((p) => p && p !== '*')];
      for (let i = 1; i <= parts.length; i++) {
        const p = parts.slice(0, i).join('/');
        out.add(`${p}/__init__.py`);
        if (i === parts.length || i === parts.length - 1) out.add(`${p}.py`);
      }
    }
  }
  return [...out];
}

async function existingFiles(io: ScanIO, root: string, rels: string[]): Promise<FoundFile[]> {
  const stats = await Promise.all(rels.map((r) => io.stat(join(root, ...r.split('/'))).catch(() => null)));
  return rels.flatMap((rel, i) => {
    const st = stats[i];
    return st?.isFile() ? [{ abs: join(root, ...rel.split('/')), rel, size: st.size, mtimeMs: st.mtimeMs }] : [];
  });
}

/** Airflow parses the .py files at a DAG zip's root; deeper ones are modules its DAGs import. */
async function zipFiles(io: ScanIO, s: DagFolderScan, z: FoundFile, folder: DagFolder, problems: Problem[]): Promise<PyFile[]> {
  const zipPath = s.show(z.abs);
  folder.zips.push(zipPath);
  const bytes = await readCapped(io, z.abs, s.maxSize, zipPath, problems, true);
  const listed = folder.dataFiles.find((d) => d.path === zipPath);
  if (bytes && listed) Object.assign(listed, digests(bytes));
  const unzipped = bytes && openZip(bytes, zipPath, problems, s.maxSize);
  if (!unzipped) return [];
  const out: PyFile[] = [];
  for (const [name, data] of Object.entries(unzipped)) {
    if (!name.endsWith('.py')) continue;
    const facts = await s.factsOf(data);
    const path = `${zipPath}/${name}`;
    const role = !name.includes('/') && (!s.safeMode || facts.mightContainDag) ? 'dag' : 'module';
    if (role === 'module' && !name.includes('/')) folder.skippedBySafeMode.push(path);
    if (facts.problem) problems.push({ code: facts.problem.code, file: path, message: facts.problem.message });
    out.push({ path, size: data.length, sha256: facts.sha256, md5: facts.md5, zip: zipPath, role, analysis: facts.analysis });
  }
  return out;
}

