import { isAbsolute, join, posix } from 'node:path';
import type { Inventory, LiteralValue, PyFile } from '../../home/inventory.js';
import type { Hit, Matcher } from '../types.js';
import { globs } from './code.js';

// path-literal: absolute or ~ paths in string literals of DAG and plugin files. `folders` maps a
// [core] folder option to where MWAA puts that folder; `report: moved` reports paths under the
// old folders (with the rewritten path), `report: elsewhere` every other path outside `allow`
// whose first folder is one of `roots` (a string such as "/v1/orders" is more often a URL path).
interface PathParams {
  allow?: string[];
  folders: Record<string, string>;
  report: 'moved' | 'elsewhere';
  roots?: string[];
  /** Task arguments whose literal values are not file paths, e.g. an HTTP endpoint. */
  ignoreKwargs?: string[];
  /** Arguments of container operators that describe the container (its command, environment,
   * mounts inside it): their paths are inside the image, not on the old host. */
  containerSide?: { operators: string[]; kwargs: string[] };
}

const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** Where each folder lived on the old host: as configured (with AIRFLOW_HOME expanded) and as scanned. */
function oldFolders(inv: Inventory, folders: Record<string, string>) {
  const scanned: Record<string, string | null> = { dags_folder: inv.dagFolder.path, plugins_folder: inv.plugins.folder };
  const out: { option: string; old: string; target: string }[] = [];
  for (const [option, target] of Object.entries(folders)) {
    const configured = inv.config.options.find((o) => o.section === 'core' && o.key === option)?.value;
    const expanded = configured?.trim().replace(/\{AIRFLOW_HOME\}|\$\{AIRFLOW_HOME\}|\$AIRFLOW_HOME\b/g, inv.home);
    const local = scanned[option];
    for (const p of [expanded, local && (isAbsolute(local) ? local : join(inv.home, local))]) {
      const old = p && trimSlash(posix.normalize(p));
      if (old && /^[/~]/.test(old) && !old.includes('$') && old !== target) out.push({ option, old, target });
    }
  }
  return out.sort((a, b) => b.old.length - a.old.length); // the deepest folder wins
}

/** Every string inside a literal value, at any depth (lists, dict keys and values). */
function strings(v: LiteralValue | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]);
  return [];
}

/**
 * Path literals of a file that are not host paths: values of `ignoreKwargs` of any task, and values
 * inside the container-side arguments of a container task, from the task's line on. The path fact
 * carries a position only, so a literal counts when its value is one the task's call passes there.
 */
function notHostPaths(file: PyFile, p: PathParams): (lit: { line: number; value: string }) => boolean {
  const tasks = file.analysis?.tasks ?? [];
  const ignored = new Set((p.ignoreKwargs ?? []).flatMap((k) => tasks.flatMap((t) => strings(t.kwargs[k]))));
  const inContainer = new Map<string, number>(); // value -> first line of a container task passing it
  if (p.containerSide) {
    const container = globs(p.containerSide.operators);
    for (const t of tasks) {
      if (!container(t.operator)) continue;
      for (const value of p.containerSide.kwargs.flatMap((k) => strings(t.kwargs[k]))) {
        inContainer.set(value, Math.min(t.line, inContainer.get(value) ?? t.line));
      }
    }
  }
  return (lit) => ignored.has(lit.value) || (inContainer.get(lit.value) ?? Infinity) <= lit.line;
}

export const pathLiteral: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as PathParams;
  const folders = oldFolders(inv, p.folders);
  const roots = p.roots && new Set(p.roots);
  const rooted = (path: string) => !roots || path.startsWith('~') || roots.has(path.split('/', 2)[1]!);
  const hits: Hit[] = [];
  for (const file of [...inv.dagFiles, ...inv.plugins.files]) {
    const a = file.analysis;
    if (!a?.paths.length) continue;
    const notHost = notHostPaths(file, p);
    for (const lit of a.paths) {
      const path = trimSlash(lit.value);
      if (notHost(lit)) continue;
      // An old folder wins over `allow`: it did not move with the code wherever it was.
      const moved = folders.find((f) => under(path, f.old));
      if ((p.report === 'moved') !== Boolean(moved)) continue;
      if (!moved && (!rooted(path) || p.allow?.some((prefix) => under(path, prefix)))) continue;
      const vars: Record<string, string> = { path: lit.value };
      if (moved) Object.assign(vars, { old: moved.old, option: moved.option, target: moved.target, suggestion: moved.target + path.slice(moved.old.length) });
      hits.push({ file: file.path, line: lit.line, col: lit.col, text: lit.value, vars });
    }
  }
  return hits;
};
