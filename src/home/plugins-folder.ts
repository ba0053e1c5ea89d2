import { basename, dirname, join } from 'node:path';
import { compareNames } from '../collate.js';
import { fileFrom } from './deferred.js';
import type { ScanAnalysis } from './analysis.js';
import type { FactsOf } from './dag-folder.js';
import { ioReason, type ScanIO } from './fs.js';
import type { IgnoreSyntax } from './ignore.js';
import type { PluginsInventory, Problem } from './inventory.js';
import { findPlugins, wrappingFolder } from './plugins.js';
import { openZip, readCapped, splitBySize, tooLargeProblem } from './read.js';
import { walkFolder } from './walk.js';

// The plugins folder (and a plugins.zip at its root or the home's): every module is analysed, and
// findPlugins() reads which AirflowPlugin classes they define.

export interface PluginsFolderScan {
  home: string;
  folder: string | null;
  syntax: IgnoreSyntax;
  maxSize: number;
  show: (abs: string) => string;
  analysis: ScanAnalysis;
  factsOf: FactsOf;
}

export async function scanPluginsFolder(io: ScanIO, s: PluginsFolderScan, problems: Problem[]): Promise<PluginsInventory> {
  const { home, folder, syntax, maxSize, show, analysis, factsOf } = s;
  const out: PluginsInventory = { folder: folder ? show(folder) : null, files: [], otherFiles: [], plugins: [], zip: null };
  const zipCandidates = [join(home, 'plugins.zip')];
  if (folder) {
    const root = folder;
    const walked = await walkFolder(io, root, {
      syntax,
      display: (rel) => show(join(root, rel)),
      accept: () => true,
      skipDirs: new Set(['__pycache__']),
      onFile: (f) => f.rel.endsWith('.py') && f.size <= maxSize && analysis.start(f),
    });
    problems.push(...walked.problems);
    const py = walked.files.filter((f) => f.rel.endsWith('.py'));
    const { fitting, tooLarge } = splitBySize(py, maxSize);
    for (const f of tooLarge) problems.push(tooLargeProblem(show(f.abs), f.size, maxSize));
    const outcomes = await analysis.outcomesOf(fitting);
    fitting.forEach((f, i) => {
      const o = outcomes[i]!;
      const path = show(f.abs);
      if (!o.ok) return void problems.push({ code: 'unreadable', file: path, message: ioReason({ code: o.code, message: o.error }) });
      if (o.problem) problems.push({ code: o.problem.code, file: path, message: o.problem.message });
      out.files.push(fileFrom(o, { path, size: f.size, sha256: o.sha256, md5: o.md5, zip: null, role: 'module' }));
    });
    out.otherFiles = walked.files.filter((f) => !f.rel.endsWith('.py')).map((f) => show(f.abs));
    zipCandidates.push(...walked.files.filter((f) => basename(f.rel) === 'plugins.zip' && dirname(f.rel) === '.').map((f) => f.abs));
  }
  for (const zipAbs of zipCandidates) {
    const shown = show(zipAbs);
    const bytes = await readCapped(io, zipAbs, maxSize, shown, problems, false);
    if (!bytes) continue;
    const unzipped = openZip(bytes, shown, problems, maxSize);
    if (!unzipped) continue;
    const entries = Object.keys(unzipped).sort();
    const wrappedIn = wrappingFolder(entries);
    if (wrappedIn) {
      problems.push({
        code: 'plugins-zip-layout',
        file: shown,
        message: `every entry sits under '${wrappedIn}/': MWAA unpacks the zip into its plugins folder, so modules land one level too deep; zip the folder's contents instead`,
      });
    }
    out.zip = { path: shown, entries, wrappedIn };
    for (const name of entries.filter((n) => n.endsWith('.py'))) {
      const facts = await factsOf(unzipped[name]!);
      out.files.push({ path: `${shown}/${name}`, size: unzipped[name]!.length, sha256: facts.sha256, md5: facts.md5, zip: shown, role: 'module', analysis: facts.analysis });
    }
    break;
  }
  out.files.sort((a, b) => compareNames(a.path, b.path));
  out.plugins = findPlugins(out.files);
  return out;
}
