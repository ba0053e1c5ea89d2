import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { ioReason, makeFolder } from '../home/fs.js';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { UsageError } from '../exit.js';
import type { Inventory } from '../home/inventory.js';
import type { FileFix } from './home.js';
import { archiveReader, fixedArchives } from './zip.js';

// Where fixed files go: a unified diff, a fixed copy of the DAG and plugins folders and plugins.zip,
// or the home itself (not over uncommitted git changes: those would be mixed with the fixes past
// telling apart).

/** A git-style unified diff of every fixed file. */
export function unifiedDiff(files: FileFix[]): string {
  return [...diffPieces(files)].join('');
}

/** The diff file by file, to be written as it is made (7,000 changed files give a 100 MB diff). */
export function* diffPieces(files: FileFix[]): Generator<string> {
  for (const f of files) yield createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, f.before, f.after).replace(/^=+\n/, '');
}

const inside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** OUT/dags, OUT/plugins and OUT/plugins.zip: copies of the home's with the fixed files written over. */
export function writeOut(files: FileFix[], inv: Inventory, homePath: string, out: string): void {
  const dags = resolve(homePath, inv.dagFolder.path);
  const plugins = inv.plugins.folder ? resolve(homePath, inv.plugins.folder) : null;
  const pluginsZip = inv.plugins.zip ? resolve(homePath, inv.plugins.zip.path) : null;
  const target = resolve(out);
  if (inside(dags, target) || (plugins && inside(plugins, target))) throw new UsageError(`--out ${out}: inside the folder it would copy`);
  if (existsSync(target) && readdirSync(target).length) throw new UsageError(`--out ${out}: not empty (give a new or empty folder)`);
  try {
    makeFolder(target);
  } catch (e) {
    throw new UsageError(`--out ${out}: ${ioReason(e)}`);
  }
  const fixed = new Map(written(files, inv, homePath).map(([path, bytes]) => [resolve(homePath, path), bytes] as const));
  // The fixed files are written, not copied first and then written over (most of a big home's files).
  const copy = { recursive: true, filter: (src: string) => !fixed.has(src) };
  if (existsSync(dags)) cpSync(dags, join(target, 'dags'), copy);
  if (plugins && existsSync(plugins)) cpSync(plugins, join(target, 'plugins'), copy);
  if (pluginsZip && !fixed.has(pluginsZip)) cpSync(pluginsZip, join(target, 'plugins.zip'));
  for (const [abs, bytes] of fixed) {
    const dests = [
      ...(inside(dags, abs) ? [join(target, 'dags', relative(dags, abs))] : []),
      ...(plugins && inside(plugins, abs) ? [join(target, 'plugins', relative(plugins, abs))] : []),
      // OUT/plugins.zip, wherever the home keeps it (its top, or its plugins folder), as for an unfixed one.
      ...(abs === pluginsZip ? [join(target, 'plugins.zip')] : []),
    ];
    if (!dests.length) throw new Error(`${relative(homePath, abs)}: in neither the DAG nor the plugins folder, nor the home's plugins.zip`);
    for (const dest of dests) {
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, bytes);
    }
  }
}

/** What the fixes write, by path: the fixed files, and each archive (plugins.zip too) holding some made again with them. */
function written(files: FileFix[], inv: Inventory, homePath: string): [string, Uint8Array | string][] {
  const archives = fixedArchives(files, archiveReader(inv, homePath));
  return [...files.filter((f) => !f.zip).map((f): [string, string] => [f.path, f.after]), ...archives];
}

/** The paths --write rewrites: the fixed files, and the archives of those inside one. */
export const rewritten = (files: FileFix[]): string[] => [...new Set(files.map((f) => f.zip ?? f.path))];

/** The files among `paths` with uncommitted changes (untracked too), when the home is in a git work tree. */
export function uncommitted(homePath: string, paths: string[]): string[] {
  const inTree = spawnSync('git', ['-C', homePath, 'rev-parse', '--is-inside-work-tree'], { encoding: 'utf8' });
  // No git, or no work tree: nothing to protect.
  if (inTree.status !== 0 || inTree.stdout.trim() !== 'true' || paths.length === 0) return [];
  const status = spawnSync('git', ['-C', homePath, 'status', '--porcelain', '-z', '--untracked-files=all', '--', ...paths.map((p) => resolve(homePath, p))], { encoding: 'utf8' });
  if (status.status !== 0) throw new UsageError(`--write: git status failed in ${homePath}: ${status.stderr.trim().split('\n')[0]}`);
  return status.stdout.split('\0').filter(Boolean).map((entry) => entry.slice(3));
}

/** Rewrites the fixed files in place (an archive holding some: made again, entries sorted, timestamps 1980-01-01). */
export function writeInPlace(files: FileFix[], inv: Inventory, homePath: string): void {
  for (const [path, bytes] of written(files, inv, homePath)) writeFileSync(resolve(homePath, path), bytes);
}
