import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ScanAnalysis } from './analysis.js';
import { ScanCache, defaultCacheDir } from './cache.js';
import { buildConfig, type ConfigResult } from './config.js';
import { homeEntries, readCfgFile, readEnvOverrides, readRequirements, type SourceContext } from './config-sources.js';
import { hostEnvironment } from './environment.js';
import { nodeIO, type ScanIO } from './fs.js';
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
  type VersionDecision,
} from './inventory.js';
import { scanDagFolder, type FactsOf } from './dag-folder.js';
import { homeOwned } from './home-owned.js';
import { outlineOf, sumTasks } from './outline.js';
import { expandPath, locateFolder } from './locate.js';
import { scanPluginsFolder } from './plugins-folder.js';
import { decideVersion } from './version.js';
import { readVersionFiles } from './version-files.js';
import { catalogVersionFor } from '../refdata/airflow-config.js';
import { fileFacts } from '../python/file.js';
import { withTreeSitter } from '../python/parser.js';
import { defaultWorkers } from '../python/pool.js';
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
  /**
   * Analyses the cache has stay unparsed until something reads them (see deferred.ts): for
   * commands that read few (scan's text, size read outlines). One that checks reads them all,
   * and deferring would add its own costs (some 0.4 s on 10,000 files).
   */
  deferAnalyses?: boolean;
  maxFileSize?: number;
  io?: ScanIO;
  onProgress?: (p: ScanProgress) => void;
  /**
   * Each Python file the walk of the DAG folder finds, as soon as its analysis is in (before the
   * scan ends: the check takes them as they come, see check/as-scanned.ts), with the inventory as
   * the scan knows it then: all but the files, the plugins, the problems and the host environment.
   * Files found otherwise (imported ignored ones, zips' entries, plugins) come with the inventory.
   */
  onFile?: (file: PyFile, early: Inventory) => void;
}

export interface ScanProgress {
  phase: 'config' | 'dags' | 'plugins' | 'done';
  filesFound: number;
  filesRead: number;
  dags: number;
}

export { ScanInputError } from './config-sources.js';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

export async function scanHome(homeArg: string, options: ScanOptions = {}): Promise<Inventory> {
  const io = options.io ?? nodeIO;
  const env = options.env ?? process.env;
  const home = resolve(homeArg);
  const problems: Problem[] = [];
  const progress: ScanProgress = { phase: 'config', filesFound: 0, filesRead: 0, dags: 0 };
  const report = () => options.onProgress?.({ ...progress });
  const show = (abs: string) => {
    const r = relative(home, abs);
    return r === '' ? '.' : r.startsWith('..') || isAbsolute(r) ? abs : r.split(sep).join('/');
  };
  const c: SourceContext = { io, home, maxSize: options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE, show, problems };

  const names = await homeEntries(io, home);
  const cfg = await readCfgFile(c, options.useEnv ? env['AIRFLOW_CONFIG'] : undefined);
  const envVars = await readEnvOverrides(c, options.envFile, options.useEnv ? env : null);
  const requirements = readRequirements(c, names);

  // A first version decision (everything but DAG imports) picks the defaults the walk needs.
  const cfgKeys = cfg.entries.map((e) => `${e.sectionLower}.${e.key}`);
  const versionFiles = await readVersionFiles(io, home, new Set(requirements.files));
  let version = decideVersion({ flag: options.airflowVersion, requirements: requirements.requirements, files: versionFiles, cfgKeys, imports: [] });
  // Config options are read against the exact version, else the likeliest candidate (a 1.10 home
  // known only from its config still has its options described as 1.10 wrote them).
  const refVersion = () => {
    const v = version.version ?? version.candidates[0]?.version;
    return v ? catalogVersionFor(v) : null;
  };
  let config = buildConfig(cfg.file, cfg.entries, envVars.all, refVersion(), home);

  const analyzing = options.analyze !== false;
  const cache =
    options.cache === false
      ? null
      : new ScanCache(options.cacheDir ?? defaultCacheDir(), home, TOOL_VERSION, { digestsOnly: !analyzing, interest: options.interest, defer: options.deferAnalyses });
  const analysis = new ScanAnalysis({
    analyzing,
    workers: options.workers ?? defaultWorkers(),
    cache,
    interest: options.interest,
    io: options.io,
    onCount: (found, read) => {
      progress.filesFound = found;
      progress.filesRead = read;
      report();
    },
  });
  // Told only when the version is decided without the DAG imports (below, it is decided anew from them).
  const onFile = version.source === 'none' ? undefined : options.onFile;
  // What onFile's listener reads besides the file: the inventory before any file is in.
  const early = (dagFolder: DagFolder, pluginsFolder: string | null) =>
    assemble(dagFolder, [], { folder: pluginsFolder, files: [], otherFiles: [], plugins: [], zip: null }, []);
  const folders = await scanFolders(c, { env, config, version, cfgPath: cfg.path, envFile: options.envFile, requirements, names, analysis, analyzing, interest: options.interest, onFile, early }, (phase) => {
    progress.phase = phase;
    report();
  }).finally(() => analysis.close());
  cache?.save(analysis.ids);
  const { dagFolder, dagFiles, plugins } = folders;

  if (version.source === 'none') {
    const imports = [...dagFiles, ...plugins.files].flatMap((f) => (f.analysis?.imports ?? []).map((i) => ({ ...i, file: f.path })));
    version = decideVersion({ requirements: requirements.requirements, files: versionFiles, cfgKeys, imports });
    config = buildConfig(cfg.file, cfg.entries, envVars.all, refVersion(), home);
  }
  problems.push(...config.problems);

  const inventory = assemble(dagFolder, dagFiles, plugins, sortProblems(problems));
  progress.dags = inventory.summary.dags;
  progress.phase = 'done';
  report();
  return inventory;

  /** The inventory of these folders' parts, with what the scan decided of the rest so far. */
  function assemble(dagFolder: DagFolder, dagFiles: PyFile[], plugins: PluginsInventory, found: Problem[]): Inventory {
    return {
      schemaVersion: INVENTORY_SCHEMA_VERSION,
      tool: { name: 'mwaa-migrate', version: TOOL_VERSION },
      home,
      airflowVersion: version,
      config: { file: cfg.file, referenceVersion: refVersion(), options: config.options },
      connections: config.connections,
      variables: config.variables,
      secrets: config.secrets,
      environment: hostEnvironment(envVars.fileVars, options.useEnv ? env : {}, [...dagFiles, ...plugins.files]),
      dagFolder,
      dagFiles,
      plugins,
      requirements,
      problems: found,
      summary: summarize(dagFiles, plugins, requirements, config, found.length),
    };
  }
}

interface FolderInputs {
  env: Record<string, string | undefined>;
  config: ConfigResult;
  version: VersionDecision;
  cfgPath: string;
  envFile: string | undefined;
  requirements: RequirementsInventory;
  names: string[];
  analysis: ScanAnalysis;
  analyzing: boolean;
  interest: AnalysisInterest | undefined;
  onFile: ScanOptions['onFile'];
  early: (dagFolder: DagFolder, pluginsFolder: string | null) => Inventory;
}

/** The DAG folder, then the plugins folder, located and read as the config says. */
async function scanFolders(c: SourceContext, f: FolderInputs, phase: (p: 'dags' | 'plugins') => void) {
  const { io, home, show, problems } = c;
  const setting = (section: string, key: string) => f.config.options.find((o) => o.section === section && o.key === key && o.valueFrom === 'literal')?.value ?? null;
  const major = f.version.version ? Number(f.version.version.split('.')[0]) : f.version.family === '3.x' ? 3 : 2;
  const syntaxSetting = setting('core', 'dag_ignore_file_syntax')?.trim().toLowerCase();
  const ignoreSyntax: IgnoreSyntax = syntaxSetting === 'glob' || syntaxSetting === 'regexp' ? syntaxSetting : major >= 3 ? 'glob' : 'regexp';
  const safeMode = !/^(false|f|no|n|0|off)$/i.test(setting('core', 'dag_discovery_safe_mode')?.trim() ?? 'true');
  const factsOf: FactsOf = (bytes) => withTreeSitter(() => fileFacts(bytes, f.analyzing, f.interest ?? null));

  phase('dags');
  const configuredDags = setting('core', 'dags_folder');
  const dagsPath = await locateFolder(io, home, f.env, configuredDags, 'dags', 'dags_folder', problems, show);
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
  const pluginsPath = await locateFolder(io, home, f.env, setting('core', 'plugins_folder'), 'plugins', 'plugins_folder', problems, show);
  const logs = setting('logging', 'base_log_folder') ?? setting('core', 'base_log_folder');
  const own = [f.cfgPath, f.envFile ? resolve(f.envFile) : null, ...f.requirements.files.map((r) => join(home, r)), pluginsPath.path, logs ? expandPath(logs, home, f.env) : null];
  const owned = dagsPath.path === home ? homeOwned({ home, names: f.names, own }) : null;
  if (owned?.problem) problems.push(owned.problem);
  const scan = { syntax: ignoreSyntax, maxSize: c.maxSize, show, analysis: f.analysis, factsOf };
  const listener = f.onFile;
  const early = listener && f.early(dagFolder, pluginsPath.path ? show(pluginsPath.path) : null);
  const onFile = early ? (file: PyFile) => listener(file, early) : undefined;
  const dagFiles: PyFile[] = dagsPath.path
    ? await scanDagFolder(io, { ...scan, root: dagsPath.path, safeMode, analyzing: f.analyzing, skip: owned?.skip ?? new Set(), onFile }, dagFolder, problems)
    : [];

  phase('plugins');
  const plugins = await scanPluginsFolder(io, { ...scan, home, folder: pluginsPath.path }, problems);
  return { dagFolder, dagFiles, plugins };
}

/** The counts cover what Airflow would load: files that decode and parse (the facts recovered from broken files stay on each file for the rules). */
function summarize(dagFiles: PyFile[], plugins: PluginsInventory, requirements: RequirementsInventory, config: ConfigResult, problems: number): Inventory['summary'] {
  const dagOnly = dagFiles.filter((f) => f.role === 'dag');
  const loadable = dagOnly.flatMap((f) => outlineOf(f) ?? []).filter((o) => o.syntax === 'ok');
  return {
    dagFiles: dagOnly.length,
    moduleFiles: dagFiles.length - dagOnly.length,
    dags: loadable.reduce((n, o) => n + o.dags.length, 0),
    brokenDagFiles: dagOnly.length - loadable.length,
    tasks: loadable.reduce((n, o) => n + o.untied.tasks + sumTasks(o.tasksByDag).tasks, 0),
    imports: loadable.reduce((n, o) => n + o.imports, 0),
    plugins: plugins.plugins.length,
    pluginFiles: plugins.files.length,
    requirements: requirements.requirements.filter((r) => ['requirement', 'url', 'vcs', 'path'].includes(r.kind)).length,
    connections: config.connections.length,
    variables: config.variables.length,
    secrets: config.secrets.length,
    problems,
    bytes: dagOnly.reduce((n, f) => n + f.size, 0),
  };
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => compareNames(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || compareNames(a.code, b.code));
}
