// The Inventory: everything the scanner learned about one Airflow home, as one plain,
// serialisable value. Every later stage reads this and nothing else. Secrets never enter it:
// they are replaced by REDACTED and described by a salted fingerprint.

// 2: a use or reference names its import by index in the file's imports (1: by a copy of its position).
export const INVENTORY_SCHEMA_VERSION = 2;
export const REDACTED = '<redacted>';

/** Where a value came from: a file position (paths relative to the home) or a variable (with its env-file line). */
export type Source =
  | { kind: 'file'; file: string; line: number }
  | { kind: 'env'; name: string; origin: 'env-file' | 'process'; file?: string; line?: number };

export interface Position {
  line: number; // 1-based
  col: number; // 1-based
}

export type ProblemCode =
  | 'home-missing'
  | 'home-empty'
  | 'cfg-missing'
  | 'cfg-malformed'
  | 'cfg-duplicate-section'
  | 'cfg-duplicate-option'
  | 'cfg-interpolation'
  | 'env-malformed'
  | 'dags-folder-fallback'
  | 'plugins-folder-fallback'
  | 'dags-folder-missing'
  | 'dags-folder-is-home'
  | 'ignore-invalid-pattern'
  | 'unreadable'
  | 'symlink-loop'
  | 'too-large'
  | 'binary'
  | 'not-utf8'
  | 'syntax-error'
  | 'python2'
  | 'zip-invalid'
  | 'requirements-malformed'
  | 'requirements-include-missing'
  | 'plugins-zip-layout'
  | 'analysis-failed'
  | 'not-followed';

export interface Problem {
  code: ProblemCode;
  file?: string; // relative to the home where possible
  line?: number;
  message: string;
}

export interface SecretRef {
  /** What holds the secret, e.g. "[database] sql_alchemy_conn" or "AIRFLOW_CONN_PG (password)". */
  what: string;
  source: Source;
  /** Salted hash: equal values within one scan have equal fingerprints; the value cannot be recovered. */
  fingerprint: string;
}

export interface ConfigOption {
  section: string; // lower case
  key: string; // lower case
  /** The effective value; REDACTED when secret. null when it comes from a command or secrets backend. */
  value: string | null;
  source: Source;
  /** `_cmd`/`_secret` forms are recorded, never executed or looked up. */
  valueFrom: 'literal' | 'command' | 'secrets-backend';
  secret: boolean;
  fingerprint?: string;
  /** Whether the option exists in the reference version's catalogue (null when no version is known). */
  known: boolean | null;
  /** Differs from the reference version's default (null when unknown). */
  differsFromDefault: boolean | null;
  /** Values this one overrode, e.g. airflow.cfg under an env override. */
  overridden?: Source[];
  /** The value's `$NAME` / `${NAME}` references, which Airflow expands from the old host's environment. */
  expansion?: Expansion;
}

/**
 * What the value becomes once Airflow expands its references (os.path.expandvars), read from the
 * env file: `value` is null unless every name is there and none is a secret (its value is never kept).
 */
export interface Expansion {
  value: string | null;
  /** Names the env file does not set. */
  missing: string[];
  /** Names whose values are secrets: they belong in Secrets Manager, not in a configuration option. */
  secret: string[];
}

export interface ConfigInventory {
  file: string | null; // relative path of airflow.cfg, null when absent
  /** The config catalogue version defaults are compared against. */
  referenceVersion: string | null;
  options: ConfigOption[];
}

export interface Connection {
  connId: string;
  source: Source;
  format: 'uri' | 'json';
  connType: string | null;
  host: string | null;
  login: string | null;
  port: number | null;
  schema: string | null;
  hasPassword: boolean;
  extraKeys: string[];
  fingerprint: string;
}

export interface HostVariable {
  name: string;
  source: Extract<Source, { kind: 'env' }>;
  /** Sensitive by name (password, token...) or by value (a credential in a URL, a DSN password). */
  secret: boolean;
  /** null for a secret: its value is never kept. */
  value: string | null;
}

export interface Variable {
  key: string;
  source: Source;
  length: number;
  fingerprint: string;
}

export type LiteralValue = string | number | boolean | null | LiteralValue[] | { [k: string]: LiteralValue };

export interface PyImport extends Position {
  /** Fully qualified imported name: module for `import x.y`, module.name for `from x import name`. */
  name: string;
  module: string;
  alias: string | null; // local name when it differs from the default binding
  level: number; // relative import dots
  /** 'try': in a try body; 'fallback': in its `except ImportError`/`except Exception`/bare except (a compatibility fallback). */
  guarded: 'none' | 'try' | 'fallback' | 'type-checking';
}

export type Schedule =
  | { kind: 'default' }
  | { kind: 'none' }
  | { kind: 'preset'; value: string }
  | { kind: 'cron'; value: string }
  | { kind: 'timedelta'; seconds: number | null; text: string }
  | { kind: 'dataset'; text: string }
  | { kind: 'timetable'; text: string }
  | { kind: 'expression'; text: string };

/** A DAG's start_date: a fixed date (UTC ISO, naive ones read as UTC), days_ago(n), or another expression. */
export type StartDate = { kind: 'date'; iso: string } | { kind: 'days-ago'; days: number } | { kind: 'expression'; text: string };

export interface PyDag extends Position {
  dagId: string | null;
  form: 'constructor' | 'context-manager' | 'decorator';
  /** Built inside a loop (or comprehension) at parse time: one site, many DAGs. */
  inLoop: boolean;
  scheduleArg: 'schedule' | 'schedule_interval' | 'timetable' | null;
  schedule: Schedule;
  /** start_date=, else default_args' "start_date"; null when the DAG gives neither. */
  startDate: StartDate | null;
  /** Keyword arguments: literal values where literal, else null. Sensitive names are redacted. */
  kwargs: Record<string, LiteralValue>;
  /** Keyword names given with a non-literal value. */
  exprKwargs: string[];
  /** Where each keyword's name is written: line and column, two numbers a keyword, in the order of kwargs, then exprKwargs. */
  keywordAt: number[];
}

export interface PyTask extends Position {
  /** Qualified operator name resolved through imports, or the local name if unresolved. */
  operator: string;
  form: 'operator' | 'sensor' | 'taskflow';
  taskId: string | null;
  /** Index into the file's dags (null when it cannot be tied to one). */
  dag: number | null;
  inLoop: boolean;
  mapped: boolean;
  kwargs: Record<string, LiteralValue>;
  exprKwargs: string[];
  /** As PyDag's. */
  keywordAt: number[];
}

export interface PyCall extends Position {
  /** Qualified callee, e.g. airflow.models.Variable.get. */
  callee: string;
  category: 'variable' | 'connection' | 'database' | 'network' | 'subprocess' | 'file' | 'syspath';
  /** Inside a loop body or comprehension: made once per iteration. */
  inLoop: boolean;
}

/**
 * A DAG's or task's keyword argument whose value calls something that gives a new value at every
 * parse (`start_date=datetime.now()`, `task_id=f"t_{uuid4()}"`): Airflow 3 stores a DAG version per parse.
 */
export interface PyDynamicArgument extends Position {
  /** What is called, as ruff's AIR304 names it: `datetime.now`, `pendulum.today`, `uuid.uuid4`... */
  call: string;
  /** The keyword (start_date; for default_args, the key inside it: default_args.start_date). */
  argument: string;
  /** The module-level name the value goes through (start_date=START, START = pendulum.now()), else null. */
  via: string | null;
  /** The DAG or task it is passed to, by index into the file's dags or tasks. */
  dag: number | null;
  task: number | null;
}

/** A dotted name used through an imported module, e.g. `operators.bash_operator.BashOperator`. */
export interface PyReference extends Position {
  name: string; // qualified, e.g. airflow.operators.bash_operator.BashOperator
  /** Index in the file's imports of the import that bound the reference's root name. */
  import?: number;
}

/** A use (load) of a local name bound by an airflow import, e.g. `days_ago(1)` after `from airflow.utils.dates import days_ago`. */
export interface PyUse extends Position {
  name: string; // qualified, e.g. airflow.utils.dates.days_ago
  import: number; // index in the file's imports of the import that bound it
}

/** A task-context key read: `context["k"]`, `context.get("k")`, `{{ k }}`, `def f(k, **kwargs)`, `dag_run.conf`... */
export interface PyContextRead extends Position {
  /** The key; for attribute reads on dag_run/ti/task_instance/macros, `object.attr` (e.g. dag_run.external_trigger). */
  key: string;
  via: 'subscript' | 'get' | 'attribute' | 'fstring' | 'format' | 'template' | 'parameter';
}

/** A `x.m(...)` call whose receiver does not resolve to an import. */
export interface PyMethodCall extends Position {
  method: string;
  receiver: string; // the receiver expression's text, at most 80 characters
}

export interface PyFunction extends Position {
  name: string;
  params: string[]; // as written: 'x', '*args', '**kwargs'
  decorators: string[]; // qualified where resolvable
}

export interface PyClass extends Position {
  name: string;
  bases: string[]; // qualified where resolvable
  /** Keyword arguments of the class statement, e.g. ['metaclass']. */
  keywords: string[];
  /** Class-level assignments: attribute -> element texts (for lists) or the value text. */
  attributes: Record<string, string[]>;
}

/**
 * What the rules look for among the context reads and method calls a home has 100,000s of:
 * context keys (a read of `a.b` is kept for `a.b` or `a`) and method names. A scan given one
 * records only these, which keeps the analyses a report holds, caches and sends between threads small.
 */
export interface AnalysisInterest {
  contextKeys: string[];
  methods: string[];
}

export interface PyAnalysis {
  encoding: string;
  syntax: 'ok' | 'error' | 'python2';
  syntaxErrors: (Position & { message: string })[];
  imports: PyImport[];
  dags: PyDag[];
  tasks: PyTask[];
  parseTimeCalls: PyCall[];
  classes: PyClass[];
  functions: PyFunction[];
  /**
   * Calls of airflow.* functions and methods (not operators or DAGs), anywhere in the file, with
   * their keyword names and, when there are any, the places (0-based) of positional arguments
   * written as a dict (`{...}`, `dict(...)`, or a module-level name holding one).
   */
  calls: (Position & { callee: string; kwargs: string[]; dicts?: number[] })[];
  /** airflow.* names reached through attribute access on an imported module. */
  references: PyReference[];
  /** Loads of local names bound by airflow imports (not the import itself, not assignment targets or keyword names). */
  uses: PyUse[];
  /** `dag >> task` / `task << dag`: a DAG object used in a dependency chain. */
  dagChains: Position[];
  /** `name["literal"]` lookups, e.g. context["execution_date"]. */
  subscripts: (Position & { object: string; key: string })[];
  /** Task-context keys read any way (see PyContextRead); only the interest's keys when the scan had one. */
  contextReads: PyContextRead[];
  /** Method calls on receivers that are not imports, e.g. `dag.create_dagrun(...)`; only the interest's methods when the scan had one. */
  methodCalls: PyMethodCall[];
  /** String literals that look like absolute or home-relative file paths. */
  paths: (Position & { value: string })[];
  /** `# mwaa-migrate: ignore[ID,...]` comments; ids ['*'] for a bare `ignore`. */
  suppressions: { line: number; ids: string[] }[];
  /** Environment variables read by a literal name: `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`. */
  envReads: PyEnvRead[];
  /** DAG and task arguments that change at every parse. */
  dynamicArgs: PyDynamicArgument[];
}

export interface PyEnvRead extends Position {
  name: string;
  /** Read with a fallback (`get`/`getenv` with a default): a missing variable changes what the code does, without an error. */
  hasDefault: boolean;
  /** Inside a function body: read when a task runs, not when the scheduler parses the file. */
  runtime: boolean;
}

export interface PyFile {
  path: string; // relative to the home; inside a zip: archive.zip/inner/path.py
  size: number;
  sha256: string; // '' when not read (over the size limit)
  md5: string; // likewise; S3's ETag for these bytes
  zip: string | null; // the archive it came from
  /** 'dag': Airflow parses it as a DAG file (safe mode and .airflowignore let it through); 'module': code a DAG or plugin imports. Both are checked. */
  role: 'dag' | 'module';
  analysis: PyAnalysis | null; // null when the file could not be read or decoded
}

export interface DagFolder {
  configured: string | null; // [core] dags_folder as written
  path: string; // what was scanned, relative to the home when inside it
  fellBack: boolean;
  ignoreSyntax: 'regexp' | 'glob';
  safeMode: boolean;
  ignoredFiles: string[]; // by .airflowignore
  /** Files safe mode keeps from being parsed as DAG files: checked as modules. */
  skippedBySafeMode: string[];
  /** Files .airflowignore hides that a checked file imports: checked as modules. */
  importedIgnored: string[];
  zips: string[];
  /** Every other file the folder holds (zips, SQL, templates): uploaded as they are. */
  dataFiles: DataFile[];
}

export interface DataFile {
  path: string;
  size: number;
  /** Known when the scan read the file (zips), else null: plan reads it. */
  md5: string | null;
  sha256: string | null;
}

export interface PluginDef extends Position {
  file: string;
  className: string;
  name: string | null;
  registers: Record<string, string[]>;
}

export interface PluginsInventory {
  folder: string | null;
  files: PyFile[];
  otherFiles: string[];
  plugins: PluginDef[];
  zip: {
    path: string;
    entries: string[];
    /** Top-level folder every entry sits under (the "zipped the folder" mistake), or null. */
    wrappedIn: string | null;
  } | null;
}

export interface Requirement {
  file: string;
  line: number;
  kind: 'requirement' | 'url' | 'vcs' | 'path' | 'include' | 'constraint' | 'option';
  /** The line as written with credentials redacted; comments stripped. */
  text: string;
  name: string | null; // normalised per PEP 503
  extras: string[];
  specifier: string | null;
  marker: string | null;
  url: string | null; // redacted
  hashes: string[];
  /** For -r / -c / options: the target or option name. */
  target: string | null;
  pinned: string | null; // exact version when `==X` (no wildcard)
}

export interface RequirementsInventory {
  files: string[];
  requirements: Requirement[];
}

export type VersionSource = 'flag' | 'requirements-pin' | 'constraints-url' | 'image-tag' | 'pinned-file' | 'config-fingerprint' | 'dag-imports' | 'none';

/** One piece of exact version evidence: a pin, a constraints URL or an Airflow image tag. */
export interface VersionPin {
  version: string;
  source: 'requirements-pin' | 'constraints-url' | 'image-tag' | 'pinned-file';
  file: string;
  line: number;
  /** What was read, e.g. "FROM apache/airflow:2.7.1-python3.10". */
  what: string;
}

export interface VersionDecision {
  version: string | null;
  source: VersionSource;
  confidence: 'certain' | 'high' | 'medium' | 'low' | 'none';
  /** Major.minor family when only that is known, e.g. "2.x". */
  family: string | null;
  candidates: { version: string; score: number }[];
  evidence: string[];
  /** Every piece of exact evidence found, agreeing or not. */
  pins?: VersionPin[];
}

export interface Inventory {
  schemaVersion: typeof INVENTORY_SCHEMA_VERSION;
  tool: { name: 'mwaa-migrate'; version: string };
  home: string; // absolute path
  airflowVersion: VersionDecision;
  config: ConfigInventory;
  connections: Connection[];
  variables: Variable[];
  secrets: SecretRef[];
  /** The old host's own environment variables that DAG or plugin code reads by name (see PyEnvRead). */
  environment: HostVariable[];
  dagFolder: DagFolder;
  dagFiles: PyFile[];
  plugins: PluginsInventory;
  requirements: RequirementsInventory;
  problems: Problem[];
  summary: InventorySummary;
}

/** Counts of dags, tasks and imports cover DAG files (role 'dag') that decode and parse (what Airflow would load). */
export interface InventorySummary {
  dagFiles: number;
  /** Python modules of the DAG folder that are not DAG files (helpers, operators, ignored files a DAG imports). */
  moduleFiles: number;
  /** DAG files that cannot be read, decoded or parsed. */
  brokenDagFiles: number;
  dags: number;
  tasks: number;
  imports: number;
  plugins: number;
  pluginFiles: number;
  requirements: number;
  connections: number;
  variables: number;
  secrets: number;
  problems: number;
  bytes: number;
}
