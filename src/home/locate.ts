import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ScanIO } from './fs.js';
import type { Problem } from './inventory.js';

// Where the DAG and plugin folders are: the configured path as Airflow expands it, else the
// home's own dags/ or plugins/ (a configuration copied from the old host names paths not here).

/** Expands what Airflow expands in a folder setting: env variables, ~ and the {AIRFLOW_HOME} template. */
export function expandPath(value: string, home: string, env: Record<string, string | undefined>): string {
  const expanded = value
    .trim()
    .replace(/\{AIRFLOW_HOME\}/g, home)
    .replace(/\$\{?(\w+)\}?/g, (all, name: string) => (name === 'AIRFLOW_HOME' ? home : env[name] ?? all))
    .replace(/^~(?=$|\/)/, homedir());
  return resolve(home, expanded);
}

export async function locateFolder(
  io: ScanIO,
  home: string,
  env: Record<string, string | undefined>,
  configured: string | null,
  fallbackName: string,
  option: string,
  problems: Problem[],
  show: (abs: string) => string,
): Promise<{ path: string | null; fellBack: boolean }> {
  const isDir = async (p: string) => {
    try {
      return (await io.stat(p)).isDirectory();
    } catch {
      return false;
    }
  };
  const fallback = join(home, fallbackName);
  if (configured) {
    const wanted = expandPath(configured, home, env);
    if (await isDir(wanted)) return { path: wanted, fellBack: false };
    if (await isDir(fallback)) {
      problems.push({
        code: fallbackName === 'dags' ? 'dags-folder-fallback' : 'plugins-folder-fallback',
        file: 'airflow.cfg',
        message: `[core] ${option} = ${configured} does not exist here (a path on the old host); scanned ${show(fallback)} instead`,
      });
      return { path: fallback, fellBack: true };
    }
  } else if (await isDir(fallback)) {
    return { path: fallback, fellBack: false };
  }
  if (fallbackName === 'dags') {
    problems.push({ code: 'dags-folder-missing', file: configured ?? show(fallback), message: `no DAG folder: neither ${configured ?? '(unset)'} nor ${show(fallback)} exists` });
  }
  return { path: null, fellBack: false };
}
