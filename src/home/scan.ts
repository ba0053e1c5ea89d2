import { UsageError } from '../exit.js';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ScanCache, defaultCacheDir } from './cache.js';
import { parseCfg, type CfgEntry } from './cfgparse.js';
import { buildConfig, type EnvVar } from './config.js';
import { parseDotenv } from './dotenv.js';
import { hostEnvironment } from './environment.js';
import { ioReason, nodeIO, readRegularSync, type ScanIO } from './fs.js';
import type { IgnoreSyntax } from './ignore.js';
import {
  INVENTORY_SCHEMA_VERSION,
  type AnalysisInterest,
  type DagFolder,
  type Inventory,
  type PluginsInventory,
  type Problem,
  type PyFile,
  type RequirementsInventory,
} from './inventory.js';
import { findPlugins, wrappingFolder } from './plugins.js';
import { walkFolder } from './walk.js';
import { scanDagFolder, type Analyze, type FactsOf } from './dag-folder.js';
import { homeOwned } from './home-owned.js';
import { expandPath, locateFolder } from './locate.js';
import { openZip, readCapped, splitBySize, tooLargeProblem } from './read.js';
import { collectRequirements } from './requirements.js';
import { decideVersion } from './version.js';
import { readVersionFiles } from './version-files.js';
import { catalogVersionFor } from '../refdata/airflow-config.js';
import { fileFacts } from '../python/file.js';
import { withTreeSitter } from '../python/parser.js';
import { analyzeFiles, defaultWorkers, type FileJob, type FileOutcome } from '../python/pool.js';
import { TOOL_VERSION } from '../version.js';
import { compareNames } from '../collate.js';

// The scanner's edge: reads the home through ScanIO and hands contents to pure builders.

export interface ScanOptions {
  envFile?: string;
  /** Also read AIRFLOW__*, AIRFLOW_CONN_*, AIRFLOW_VAR_* (and AIRFLOW_CONFIG) from `env`. */
  useEnv?: boolean;
  env?: Record<string, string | undefined>;
  airflowVersion?: string;
  cache?: boolean;
  cacheDir?: string;
  workers?: number;
  /** false: hash the Python files without parsing them (no analysis, no imports followed). */
  analyze?: boolean;
  /** What the analyses keep of context reads and method calls (the rules' interest, see AnalysisInterest); everything when absent. */
  interest?: AnalysisInterest;
  maxFileSize?: number;
  io?: ScanIO;
  onProgress?: (p: ScanProgress) => void;
}

export interface ScanProgress {
  phase: 'config' | 'dags' | 'plugins' | 'done';
  filesFound: number;
  filesRead: number;
  dags: number;
}

/** Nothing useful can be read: the CLI prints the message alone and exits 2. */
/** A home that cannot be read: a usage-class error, one line, exit 2. */
export class ScanInputError extends UsageError {}

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

export async function scanHome(homeArg: string, options: ScanOptions = {}): Promise<Inventory> {
  const io = options.io ?? nodeIO;
  const env = options.env ?? process.env;
  const home = resolve(homeArg);
  const maxSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const problems: Problem[] = [];
  const progress: ScanProgress = { phase: 'config', filesFound: 0, filesRead: 0, dags: 0 };
  const report = () => options.onProgress?.({ ...progress });
  const show = (abs: string) => {
    const r = relative(home, abs);
    return r === '' ? '.' : r.startsWith('..') || isAbsolute(r) ? abs : r.split(sep).join('/');
  };

  const names = await homeEntries(io, home);

  // airflow.cfg (or $AIRFLOW_CONFIG with --use-env)
  const cfgPath = options.useEnv && env['AIRFLOW_CONFIG'] ? resolve(env['AIRFLOW_CONFIG']) : join(home, 'airflow.cfg');
  const cfgFile = show(cfgPath);
  let entries: CfgEntry[] = [];
  let cfgFound = false;
  const cfgBytes = await readCapped(io, cfgPath, maxSize, cfgFile, problems, false);
  if (cfgBytes) {
    cfgFound = true;
    if (cfgBytes.includes(0)) problems.push({ code: 'cfg-malformed', file: cfgFile, message: 'binary content (NUL bytes): not an INI file, nothing read from it' });
    else {
      const text = Buffer.from(cfgBytes).toString('utf8');
      if (text.includes('\uFFFD') && !Buffer.from(cfgBytes).includes(Buffer.from('\uFFFD'))) {
        problems.push({ code: 'not-utf8', file: cfgFile, message: 'not valid UTF-8; Airflow fails to read it (invalid bytes were replaced here)' });
      }
      const parsed = parseCfg(text, cfgFile);
      entries = parsed.entries;
      problems.push(...parsed.problems);
    }
  } else if (!problems.some((p) => p.file === cfgFile)) {
    problems.push({ code: 'cfg-missing', file: cfgFile, message: 'no airflow.cfg: Airflow would use its defaults and environment variables' });
  }

  // Environment overrides: --env-file, then (with --use-env) the process environment.
  const envVars = new Map<string, EnvVar>();
  const fileVars: EnvVar[] = [];
  if (options.envFile) {
    const path = resolve(options.envFile);
    let bytes: Uint8Array;
    try {
      bytes = await io.readFile(path);
    } catch (e) {
      throw new ScanInputError(`--env-file ${options.envFile}: ${ioReason(e)}`);
    }
    const shown = show(path);
    const parsed = parseDotenv(Buffer.from(bytes).toString('utf8'), shown);
    problems.push(...parsed.problems);
    for (const e of parsed.entries) fileVars.push({ name: e.name, value: e.value, source: { kind: 'env', name: e.name, origin: 'env-file', file: shown, line: e.line } });
    for (const v of fileVars) envVars.set(v.name, v);
  }
  if (options.useEnv) {
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined && /^AIRFLOW(__|_CONN_|_VAR_)/.test(name)) envVars.set(name, { name, value, source: { kind: 'env', name, origin: 'process' } });
    }
  }
  const envList = [...envVars.values()];

  // requirements.txt and what it includes
  const requirements: RequirementsInventory = { files: [], requirements: [] };
  if (names.includes('requirements.txt')) {
    const collected = collectRequirements('requirements.txt', (p) => {
      try {
        const abs = join(home, p);
        return readRegularSync(abs, maxSize).toString('utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new Error(ioReason(e));
      }
    });
    requirements.files = collected.files;
    requirements.requirements = collected.requirements;
    problems.push(...collected.problems);
  }

  // A first version decision (everything but DAG imports) picks the defaults the walk needs.
  const cfgKeys = entries.map((e) => `${e.sectionLower}.${e.key}`);
  const versionFiles = await readVersionFiles(io, home, new Set(requirements.files));
  let version = decideVersion({ flag: options.airflowVersion, requirements: requirements.requirements, files: versionFiles, cfgKeys, imports: [] });
  // Config options are read against the exact version, else the likeliest candidate (a 1.10 home
  // known only from its config still has its options described as 1.10 wrote them).
  const refVersion = () => {
    const v = version.version ?? version.candidates[0]?.version;
    return v ? catalogVersionFor(v) : null;
  };
  let config = buildConfig(cfgFound ? cfgFile : null, entries, envList, refVersion(), home);
  const setting = (section: string, key: string) => config.options.find((o) => o.section === section && o.key === key && o.valueFrom === 'literal')?.value ?? null;

  const major = version.version ? Number(version.version.split('.')[0]) : version.family === '3.x' ? 3 : 2;
  const syntaxSetting = setting('core', 'dag_ignore_file_syntax')?.trim().toLowerCase();
  const ignoreSyntax: IgnoreSyntax = syntaxSetting === 'glob' || syntaxSetting === 'regexp' ? syntaxSetting : major >= 3 ? 'glob' : 'regexp';
  const safeMode = !/^(false|f|no|n|0|off)$/i.test(setting('core', 'dag_discovery_safe_mode')?.trim() ?? 'true');

  const analyzing = options.analyze !== false;
  const cache = options.cache === false ? null : new ScanCache(options.cacheDir ?? defaultCacheDir(), home, TOOL_VERSION, !analyzing, options.interest);
  const cacheKeep = new Set<string>();
  const workers = options.workers ?? defaultWorkers();
  const factsOf: FactsOf = (bytes) => withTreeSitter(() => fileFacts(bytes, analyzing, options.interest ?? null));
  const analyze = async (files: { abs: string; size: number; mtimeMs: number }[]): Promise<FileOutcome[]> => {
    cache?.load();
    const out = new Array<FileOutcome>(files.length);
    const todo: number[] = [];
    files.forEach((f, i) => {
      cacheKeep.add(f.abs);
      const hit = cache?.get(f.abs, f.size, f.mtimeMs);
      if (hit) out[i] = hit;
      else todo.push(i);
    });
    const base = progress.filesRead;
    progress.filesFound += files.length;
    progress.filesRead += files.length - todo.length;
    report();
    const jobs: FileJob[] = todo.map((i) => ({ abs: files[i]!.abs, analyze: analyzing }));
    const results = await analyzeFiles(jobs, {
      // Hashing alone is quicker than handing files to workers.
      workers: analyzing ? workers : 0,
      read: options.io ? (p) => io.readFile(p) : undefined,
      interest: options.interest,
      onDone: (n) => {
        progress.filesRead = base + files.length - todo.length + n;
        report();
      },
      onResult: (k, outcome, text) => {
        const f = files[todo[k]!]!;
        cache?.set(f.abs, f.size, f.mtimeMs, outcome, text);
      },
    });
    todo.forEach((i, k) => (out[i] = results[k]!));
    return out;
  };

  // DAG folder
  progress.phase = 'dags';
  report();
  const configuredDags = setting('core', 'dags_folder');
  const dagsPath = await locateFolder(io, home, env, configuredDags, 'dags', 'dags_folder', problems, show);
  const dagFolder: DagFolder = {
    configured: configuredDags,
    path: dagsPath.path ? show(dagsPath.path) : show(join(home, 'dags')),
    fellBack: dagsPath.fellBack,
    ignoreSyntax,
    safeMode,
    ignoredFiles: [],
    skippedBySafeMode: [],
    importedIgnored: [],
    zips: [],
    dataFiles: [],
  };
  const pluginsPath = await locateFolder(io, home, env, setting('core', 'plugins_folder'), 'plugins', 'plugins_folder', problems, show);
  const logs = setting('logging', 'base_log_folder') ?? setting('core', 'base_log_folder');
  const own = [cfgPath, options.envFile ? resolve(options.envFile) : null, ...requirements.files.map((f) => join(home, f)), pluginsPath.path, logs ? expandPath(logs, home, env) : null];
  const owned = dagsPath.path === home ? homeOwned({ home, names, own }) : null;
  if (owned?.problem) problems.push(owned.problem);
  const dagFiles: PyFile[] = dagsPath.path
    ? await scanDagFolder(io, { root: dagsPath.path, safeMode, syntax: ignoreSyntax, maxSize, show, analyze, factsOf, analyzing, skip: owned?.skip ?? new Set() }, dagFolder, problems)
    : [];
  // Counts cover what Airflow would load: files that decode and parse. The facts recovered from
  // broken files stay on each file for the rules.
  const dagOnly = dagFiles.filter((f) => f.role === 'dag');
  const loadable = dagOnly.filter((f) => f.analysis?.syntax === 'ok');
  progress.dags = loadable.reduce((n, f) => n + f.analysis!.dags.length, 0);

  // Plugins
  progress.phase = 'plugins';
  report();
  const plugins = await scanPlugins(io, home, pluginsPath.path, ignoreSyntax, maxSize, problems, show, analyze, factsOf);

  cache?.save(cacheKeep);

  if (version.source === 'none') {
    const imports = [...dagFiles, ...plugins.files].flatMap((f) => (f.analysis?.imports ?? []).map((i) => ({ ...i, file: f.path })));
    version = decideVersion({ requirements: requirements.requirements, files: versionFiles, cfgKeys, imports });
    config = buildConfig(cfgFound ? cfgFile : null, entries, envList, refVersion(), home);
  }
  problems.push(...config.problems);

  const inventory: Inventory = {
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    tool: { name: 'mwaa-migrate', version: TOOL_VERSION },
    home,
    airflowVersion: version,
    config: { file: cfgFound ? cfgFile : null, referenceVersion: refVersion(), options: config.options },
    connections: config.connections,
    variables: config.variables,
    secrets: config.secrets,
    environment: hostEnvironment(fileVars, options.useEnv ? env : {}, [...dagFiles, ...plugins.files]),
    dagFolder,
    dagFiles,
    plugins,
    requirements,
    problems: sortProblems(problems),
    summary: {
      dagFiles: dagOnly.length,
      moduleFiles: dagFiles.length - dagOnly.length,
      dags: progress.dags,
      brokenDagFiles: dagOnly.length - loadable.length,
      tasks: loadable.reduce((n, f) => n + f.analysis!.tasks.length, 0),
      imports: loadable.reduce((n, f) => n + f.analysis!.imports.length, 0),
      plugins: plugins.plugins.length,
      pluginFiles: plugins.files.length,
      requirements: requirements.requirements.filter((r) => ['requirement', 'url', 'vcs', 'path'].includes(r.kind)).length,
      connections: config.connections.length,
      variables: config.variables.length,
      secrets: config.secrets.length,
      problems: problems.length,
      bytes: dagOnly.reduce((n, f) => n + f.size, 0),
    },
  };
  progress.phase = 'done';
  report();
  return inventory;
}

async function homeEntries(io: ScanIO, home: string): Promise<string[]> {
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

async function scanPlugins(
  io: ScanIO,
  home: string,
  folder: string | null,
  syntax: IgnoreSyntax,
  maxSize: number,
  problems: Problem[],
  show: (abs: string) => string,
  analyze: Analyze,
  factsOf: FactsOf,
): Promise<PluginsInventory> {
  const out: PluginsInventory = { folder: folder ? show(folder) : null, files: [], otherFiles: [], plugins: [], zip: null };
  const zipCandidates = [join(home, 'plugins.zip')];
  if (folder) {
    const root = folder;
    const walked = await walkFolder(io, root, { syntax, display: (rel) => show(join(root, rel)), accept: () => true, skipDirs: new Set(['__pycache__']) });
    problems.push(...walked.problems);
    const py = walked.files.filter((f) => f.rel.endsWith('.py'));
    const { fitting, tooLarge } = splitBySize(py, maxSize);
    for (const f of tooLarge) problems.push(tooLargeProblem(show(f.abs), f.size, maxSize));
    const outcomes = await analyze(fitting);
    fitting.forEach((f, i) => {
      const o = outcomes[i]!;
      const path = show(f.abs);
      if (!o.ok) return void problems.push({ code: 'unreadable', file: path, message: ioReason({ code: o.code, message: o.error }) });
      if (o.problem) problems.push({ code: o.problem.code, file: path, message: o.problem.message });
      out.files.push({ path, size: f.size, sha256: o.sha256, md5: o.md5, zip: null, role: 'module', analysis: o.analysis });
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

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => compareNames(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || compareNames(a.code, b.code));
}
