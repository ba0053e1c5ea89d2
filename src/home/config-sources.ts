import { join, resolve } from 'node:path';
import { parseCfg, type CfgEntry } from './cfgparse.js';
import type { EnvVar } from './config.js';
import { parseDotenv } from './dotenv.js';
import { ioReason, readRegularSync, type ScanIO } from './fs.js';
import type { Problem, RequirementsInventory } from './inventory.js';
import { readCapped } from './read.js';
import { collectRequirements } from './requirements.js';
import { UsageError } from '../exit.js';

// What the scan reads before the folders: airflow.cfg, the environment's overrides and
// requirements.txt, each turned into entries and problems.

/** A home that cannot be read: a usage-class error, one line, exit 2. */
export class ScanInputError extends UsageError {}

export interface SourceContext {
  io: ScanIO;
  home: string;
  maxSize: number;
  show: (abs: string) => string;
  problems: Problem[];
}

export interface CfgRead {
  path: string;
  /** The file as shown, when it was found. */
  file: string | null;
  entries: CfgEntry[];
}

/** airflow.cfg, or $AIRFLOW_CONFIG when the environment is read. */
export async function readCfgFile(c: SourceContext, configVar: string | undefined): Promise<CfgRead> {
  const path = configVar ? resolve(configVar) : join(c.home, 'airflow.cfg');
  const shown = c.show(path);
  const bytes = await readCapped(c.io, path, c.maxSize, shown, c.problems, false);
  if (!bytes) {
    if (!c.problems.some((p) => p.file === shown)) {
      c.problems.push({ code: 'cfg-missing', file: shown, message: 'no airflow.cfg: Airflow would use its defaults and environment variables' });
    }
    return { path, file: null, entries: [] };
  }
  if (bytes.includes(0)) {
    c.problems.push({ code: 'cfg-malformed', file: shown, message: 'binary content (NUL bytes): not an INI file, nothing read from it' });
    return { path, file: shown, entries: [] };
  }
  const text = Buffer.from(bytes).toString('utf8');
  if (text.includes('\uFFFD') && !Buffer.from(bytes).includes(Buffer.from('\uFFFD'))) {
    c.problems.push({ code: 'not-utf8', file: shown, message: 'not valid UTF-8; Airflow fails to read it (invalid bytes were replaced here)' });
  }
  const parsed = parseCfg(text, shown);
  c.problems.push(...parsed.problems);
  return { path, file: shown, entries: parsed.entries };
}

export interface EnvRead {
  /** The --env-file's variables. */
  fileVars: EnvVar[];
  /** Every override, the process environment's winning over the file's. */
  all: EnvVar[];
}

/** --env-file, then (with --use-env) the process environment's AIRFLOW__*, AIRFLOW_CONN_* and AIRFLOW_VAR_*. */
export async function readEnvOverrides(c: SourceContext, envFile: string | undefined, processEnv: Record<string, string | undefined> | null): Promise<EnvRead> {
  const vars = new Map<string, EnvVar>();
  const fileVars: EnvVar[] = [];
  if (envFile) {
    const path = resolve(envFile);
    let bytes: Uint8Array;
    try {
      bytes = await c.io.readFile(path);
    } catch (e) {
      throw new ScanInputError(`--env-file ${envFile}: ${ioReason(e)}`);
    }
    const shown = c.show(path);
    const parsed = parseDotenv(Buffer.from(bytes).toString('utf8'), shown);
    c.problems.push(...parsed.problems);
    for (const e of parsed.entries) fileVars.push({ name: e.name, value: e.value, source: { kind: 'env', name: e.name, origin: 'env-file', file: shown, line: e.line } });
    for (const v of fileVars) vars.set(v.name, v);
  }
  for (const [name, value] of Object.entries(processEnv ?? {})) {
    if (value !== undefined && /^AIRFLOW(__|_CONN_|_VAR_)/.test(name)) vars.set(name, { name, value, source: { kind: 'env', name, origin: 'process' } });
  }
  return { fileVars, all: [...vars.values()] };
}

/** requirements.txt and the files it includes. */
export function readRequirements(c: SourceContext, names: string[]): RequirementsInventory {
  if (!names.includes('requirements.txt')) return { files: [], requirements: [] };
  const collected = collectRequirements('requirements.txt', (p) => {
    try {
      return readRegularSync(join(c.home, p), c.maxSize).toString('utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(ioReason(e));
    }
  });
  c.problems.push(...collected.problems);
  return { files: collected.files, requirements: collected.requirements };
}

/** The home's names; a folder that is missing, unreadable or holds nothing of Airflow's is a ScanInputError. */
export async function homeEntries(io: ScanIO, home: string): Promise<string[]> {
  let st;
  try {
    st = await io.stat(home);
  } catch (e) {
    throw new ScanInputError(`Airflow home ${home}: ${ioReason(e)}`);
  }
  if (!st.isDirectory()) throw new ScanInputError(`Airflow home ${home} is not a folder`);
  let names: string[];
  try {
    names = await io.readdir(home);
  } catch (e) {
    throw new ScanInputError(`Airflow home ${home} cannot be read: ${ioReason(e)}`);
  }
  if (!names.some((n) => ['airflow.cfg', 'dags', 'plugins', 'requirements.txt', 'webserver_config.py'].includes(n))) {
    throw new ScanInputError(
      `${home} does not look like an Airflow home: no airflow.cfg, dags/, plugins/ or requirements.txt` + (names.length ? '' : ' (the folder is empty)'),
    );
  }
  return names;
}
