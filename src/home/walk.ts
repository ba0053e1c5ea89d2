import { join, sep } from 'node:path';
import type { Problem } from './inventory.js';
import { ioReason, NOT_REGULAR, type ScanIO } from './fs.js';
import { addIgnoreFile, emptyRules, isIgnored, type IgnoreSyntax } from './ignore.js';

// Walks a DAG or plugins folder the way Airflow's find_path_from_directory does: following
// symlinks, reading .airflowignore in every folder, pruning ignored folders, refusing loops.

export interface FoundFile {
  abs: string;
  rel: string; // relative to the walked root, '/'-separated
  size: number;
  mtimeMs: number;
}

export interface WalkResult {
  files: FoundFile[];
  ignored: string[];
  problems: Problem[];
}

export interface WalkOptions {
  syntax: IgnoreSyntax;
  /** Turns a path under the root into the path shown to users (relative to the home). */
  display: (rel: string) => string;
  accept: (name: string) => boolean;
  skipDirs?: ReadonlySet<string>;
  /** Absolute paths neither walked nor listed: what belongs to the home when the folder is the home. */
  skip?: ReadonlySet<string>;
  /** Told of each file taken, as it is found (the walk's result lists them in walk order at the end). */
  onFile?: (f: FoundFile) => unknown;
}

// Folders no Airflow home lives in, whose walk would never end or would read devices and the
// kernel's files: a DAG folder or a symlink resolving into one is not walked.
const SYSTEM_TREES = ['/proc', '/sys', '/dev', '/run'];
const SYSTEM_FOLDERS = ['/', '/etc', '/usr', '/bin', '/sbin', '/lib', '/lib64', '/boot', '/var', '/home', '/root'];

export function isSystemPath(real: string): boolean {
  const p = real.split(sep).join('/');
  return SYSTEM_FOLDERS.includes(p) || SYSTEM_TREES.some((t) => p === t || p.startsWith(`${t}/`)) || /^[A-Za-z]:\/?$/.test(p);
}

export async function walkFolder(io: ScanIO, root: string, opts: WalkOptions): Promise<WalkResult> {
  const out: WalkResult = { files: [], ignored: [], problems: [] };
  const rootReal = await io.realpath(root);
  if (isSystemPath(rootReal)) {
    out.problems.push({ code: 'not-followed', file: opts.display('') || '.', message: `resolves to the system folder ${rootReal}: not scanned (point the setting at the real folder)` });
    return out;
  }

  type Rules = ReturnType<typeof emptyRules>;
  // Sibling folders are walked at once, a folder's findings kept in a part of their own: joined in
  // walk order at the end, they are what one folder after another gives (a walk of 291 folders
  // waited on some 900 round trips in turn).
  const visit = async (dir: string, rel: string, rules: Rules, chain: string[]): Promise<WalkResult[]> => {
    let here: WalkResult = { files: [], ignored: [], problems: [] };
    const parts: (WalkResult | Promise<WalkResult[]>)[] = [here];
    let names: string[];
    try {
      names = (await io.readdir(dir)).sort();
    } catch (e) {
      here.problems.push({ code: 'unreadable', file: opts.display(rel) || '.', message: `folder cannot be read: ${ioReason(e)}` });
      return [here];
    }
    if (names.includes('.airflowignore')) {
      const ignoreRel = rel ? `${rel}/.airflowignore` : '.airflowignore';
      try {
        const text = Buffer.from(await io.readFile(join(dir, '.airflowignore'))).toString('utf8');
        const added = addIgnoreFile(rules, rel, text);
        rules = added.rules;
        for (const p of added.problems) here.problems.push({ code: 'ignore-invalid-pattern', file: opts.display(ignoreRel), line: p.line, message: p.message });
      } catch (e) {
        here.problems.push({ code: 'unreadable', file: opts.display(ignoreRel), message: `cannot be read: ${ioReason(e)}` });
      }
    }
    // Stat a folder's entries together: one at a time, a big DAG folder waits on each round trip.
    const stats = await Promise.all(names.map((name) => io.stat(join(dir, name)).catch((e: unknown) => e as NodeJS.ErrnoException)));
    for (const [i, name] of names.entries()) {
      const abs = join(dir, name);
      if (opts.skip?.has(abs)) continue;
      const childRel = rel ? `${rel}/${name}` : name;
      const st = stats[i]!;
      // The ignore file itself is never ignored: it goes where its folder goes, when accepted.
      if (name === '.airflowignore') {
        if (!(st instanceof Error) && st.isFile() && opts.accept(name)) here.files.push({ abs, rel: childRel, size: st.size, mtimeMs: st.mtimeMs });
        continue;
      }
      if (st instanceof Error) {
        here.problems.push({ code: st.code === 'ELOOP' ? 'symlink-loop' : 'unreadable', file: opts.display(childRel), message: ioReason(st) });
        continue;
      }
      if (st.isDirectory()) {
        if (opts.skipDirs?.has(name)) continue;
        if (isIgnored(rules, childRel, true)) {
          here.ignored.push(opts.display(childRel) + '/');
          continue;
        }
        here = { files: [], ignored: [], problems: [] };
        parts.push(subfolder(abs, childRel, rules, chain), here);
      } else if (!st.isFile()) {
        here.problems.push({ code: 'unreadable', file: opts.display(childRel), message: NOT_REGULAR });
      } else if (opts.accept(name)) {
        if (isIgnored(rules, childRel, false)) here.ignored.push(opts.display(childRel));
        else {
          const f = { abs, rel: childRel, size: st.size, mtimeMs: st.mtimeMs };
          here.files.push(f);
          opts.onFile?.(f);
        }
      }
    }
    return (await Promise.all(parts.map((p) => (p instanceof Promise ? p : [p])))).flat();
  };

  /** A folder inside the walk, unless it leads out of it (a system folder, one above, a loop). */
  const subfolder = async (abs: string, childRel: string, rules: Rules, chain: string[]): Promise<WalkResult[]> => {
    const problem = (code: Problem['code'], message: string): WalkResult[] => [{ files: [], ignored: [], problems: [{ code, file: opts.display(childRel), message }] }];
    let real: string;
    try {
      real = await io.realpath(abs);
    } catch (e) {
      return problem('unreadable', ioReason(e));
    }
    if (isSystemPath(real) || rootReal.startsWith(real + sep)) {
      const what = isSystemPath(real) ? 'the system folder' : 'a folder holding this one,';
      return problem('not-followed', `symbolic link to ${what} ${real}: not followed`);
    }
    if (chain.includes(real)) {
      return problem('symlink-loop', 'symbolic link loops back to a folder above it; Airflow stops with "Detected recursive loop", the scan skips it');
    }
    return visit(abs, childRel, rules, [...chain, real]);
  };

  for (const part of await visit(root, '', emptyRules(opts.syntax), [rootReal])) {
    out.files.push(...part.files);
    out.ignored.push(...part.ignored);
    out.problems.push(...part.problems);
  }
  return out;
}
