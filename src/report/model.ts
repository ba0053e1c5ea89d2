import { createHash } from 'node:crypto';
import { isAbsolute, relative } from 'node:path';
import type { Catalog } from '../check/catalog.js';
import { SEVERITIES, type CheckResult, type Finding, type Severity, type SuppressedFinding } from '../check/types.js';
import type { Inventory, InventorySummary, Problem, VersionSource } from '../home/inventory.js';
import type { Sizing } from '../sizing/sizing.js';
import { TOOL_VERSION } from '../version.js';

// The report: one versioned value that every renderer (text, json, markdown, sarif, html) reads.
// Built by a pure function from the inventory, the check result and a reader of excerpts,
// so the same input gives the same bytes on any machine.

export const REPORT_SCHEMA_VERSION = 1;

/** One source line shown beside a finding; secret values are already `<redacted>`. */
export interface ExcerptLine {
  line: number; // 1-based
  text: string;
}

/** What a Python file is to Airflow: a DAG file the DagBag parses, a module DAGs import, or plugin code. */
export type FileKind = 'dag' | 'module' | 'plugin';
export const FILE_KIND_LABEL: Record<FileKind, string> = { dag: 'DAG file', module: 'module', plugin: 'plugin' };

/** "dags/etl.py (DAG file)": a file heading. */
export const fileHeading = (file: string, kind: FileKind | undefined): string => `${file || NO_FILE}${kind ? ` (${FILE_KIND_LABEL[kind]})` : ''}`;

export interface ReportFinding extends Finding {
  /** For findings in Python files. */
  fileKind?: FileKind;
  /** The finding's line and one line either side, when the file is one the report may quote. */
  excerpt?: ExcerptLine[];
}

export interface ReportSuppressedFinding extends ReportFinding {
  suppressedBy: SuppressedFinding['suppressedBy'];
}

export interface ReportRule {
  id: string;
  title: string;
  /** The rule's default severity; a finding may carry another (see each finding). */
  severity: Severity;
  family: string;
  docs: string;
  /** The fix as a template: `{name}` is filled in per finding. */
  fix: string;
  why?: string;
}

export type SeverityCounts = Record<Severity, number> & { total: number };

export interface ReportCounts {
  /** Findings that count (suppressed ones are not in these). */
  bySeverity: SeverityCounts;
  /** Keyed by family, in alphabetical order. */
  byFamily: Record<string, SeverityCounts>;
  suppressed: number;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'mwaa-migrate'; version: string };
  /** Which rule catalogue judged the input (changes whenever a rule file changes). */
  catalogVersion: string;
  /**
   * `sha256:` over the DAG and plugin files' hashes, the requirements lines, and each config
   * option's value and provenance, connection and variable names: equal for the same input on
   * any machine. Secret values and their fingerprints, absolute paths and times are left out.
   */
  inputFingerprint: string;
  /** The Airflow home as given on the command line. */
  home: string;
  airflowVersion: {
    detected: string | null;
    family: string | null;
    source: VersionSource;
    confidence: Inventory['airflowVersion']['confidence'];
    evidence: string[];
  };
  target: { version: string; isDefault: boolean };
  /** Rule ids or family prefixes the run was limited to, and left out; empty when all rules ran. */
  filters: { select: string[]; ignore: string[] };
  inventory: InventorySummary;
  /** What the scanner could not read or understand; part of the report, not a failure. */
  problems: Problem[];
  findings: ReportFinding[];
  suppressed: ReportSuppressedFinding[];
  /** The rules that findings (suppressed ones too) refer to, by id. */
  rules: ReportRule[];
  counts: ReportCounts;
  /** The recommended MWAA environment and its monthly cost (see `size`). */
  sizing?: Sizing;
  /** When the report was made (ISO 8601, UTC): only with --timestamp, so reports stay comparable. */
  timestamp?: string;
}

export interface ReportInput {
  inventory: Inventory;
  result: CheckResult;
  catalog: Catalog;
  home: string;
  targetIsDefault: boolean;
  filters: Report['filters'];
  sources: SourceLines;
  timestamp?: string;
  sizing?: Sizing;
}

/** What the report quotes from the home (see excerpts.ts): the lines around a place, if it may. */
export interface SourceLines {
  excerpt(file: string, line: number): ExcerptLine[] | undefined;
}


// Code-unit order, not localeCompare: the same on every machine whatever its locale.
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const findingOrder = (a: Finding, b: Finding): number =>
  cmp(a.file, b.file) || a.line - b.line || a.col - b.col || cmp(a.ruleId, b.ruleId) || cmp(a.text, b.text) || cmp(a.message, b.message);

const emptyCounts = (): SeverityCounts => ({ error: 0, warning: 0, info: 0, total: 0 });

export function buildReport(input: ReportInput): Report {
  const { inventory: inv, result } = input;
  const kinds = new Map<string, FileKind>([...inv.dagFiles.map((f) => [f.path, f.role] as const), ...inv.plugins.files.map((f) => [f.path, 'plugin'] as const)]);
  // Excerpts are read as each finding is rendered, not held: a getter on one shared prototype (a
  // getter per object would give each of 100,000 findings a hidden class of its own).
  const withExcerpt = {
    get excerpt(): ExcerptLine[] | undefined {
      const f = this as unknown as Finding;
      return input.sources.excerpt(f.file, f.line);
    },
    toJSON(): object {
      const excerpt = this.excerpt;
      return { ...this, ...(excerpt ? { excerpt } : {}) };
    },
  };
  const place = <F extends Finding>(list: F[]): (F & { excerpt?: ExcerptLine[]; fileKind?: FileKind })[] =>
    list.sort(findingOrder).map((f) => {
      const fileKind = kinds.get(f.file);
      return Object.assign(Object.create(withExcerpt) as typeof withExcerpt, f, fileKind ? { fileKind } : {});
    });
  const findings = place(result.findings);
  const suppressed = place(result.suppressed);

  const bySeverity = emptyCounts();
  const byFamily: Record<string, SeverityCounts> = {};
  for (const f of findings) {
    const family = (byFamily[f.family] ??= emptyCounts());
    for (const c of [bySeverity, family]) {
      c[f.severity]++;
      c.total++;
    }
  }

  const used = new Set([...findings, ...suppressed].map((f) => f.ruleId));
  const rules = input.catalog.rules
    .filter((r) => used.has(r.id))
    .sort((a, b) => cmp(a.id, b.id))
    .map(({ id, title, severity, family, docs, fix, why }): ReportRule => ({ id, title, severity, family, docs, fix, ...(why ? { why: why.trim() } : {}) }));

  const v = inv.airflowVersion;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'mwaa-migrate', version: TOOL_VERSION },
    catalogVersion: input.catalog.version,
    inputFingerprint: inputFingerprint(inv),
    home: input.home,
    airflowVersion: { detected: v.version, family: v.family, source: v.source, confidence: v.confidence, evidence: v.evidence },
    target: { version: result.target, isDefault: input.targetIsDefault },
    filters: input.filters,
    inventory: inv.summary,
    problems: inv.problems,
    findings,
    suppressed,
    rules,
    counts: {
      bySeverity,
      byFamily: Object.fromEntries(Object.entries(byFamily).sort(([a], [b]) => cmp(a, b))),
      suppressed: suppressed.length,
    },
    ...(input.sizing ? { sizing: input.sizing } : {}),
    ...(input.timestamp ? { timestamp: input.timestamp } : {}),
  };
}

/** Severities at or above `level`, most severe first. */
export function severitiesFrom(level: Severity): Severity[] {
  return SEVERITIES.slice(0, SEVERITIES.indexOf(level) + 1);
}

/** See Report.inputFingerprint. */
export function inputFingerprint(inv: Inventory): string {
  // A folder outside the home (an absolute path) is named relative to itself, which is the same
  // wherever the home sits.
  const portable = (path: string, base: string | null) => (isAbsolute(path) && base && isAbsolute(base) ? relative(base, path) : path);
  const files = (list: Inventory['dagFiles'], base: string | null) => list.map((f) => [portable(f.path, base), f.sha256]);
  const facts = {
    version: inv.airflowVersion.source === 'flag' ? inv.airflowVersion.version : null,
    dagFiles: files(inv.dagFiles, inv.dagFolder.path),
    pluginFiles: files(inv.plugins.files, inv.plugins.folder),
    pluginsZip: inv.plugins.zip?.entries ?? null,
    requirements: inv.requirements.requirements.map((r) => [r.file, r.line, r.text]),
    config: inv.config.options.map((o) => [o.section, o.key, o.valueFrom, o.secret ? null : o.value, o.source, o.overridden ?? []]),
    connections: inv.connections.map((c) => [c.connId, c.source]),
    variables: inv.variables.map((x) => [x.key, x.source]),
  };
  return `sha256:${createHash('sha256').update(JSON.stringify(facts)).digest('hex')}`;
}

/** Findings grouped by file, in report order (findings are sorted by file first). */
export function byFile<F extends Finding>(findings: F[]): [string, F[]][] {
  const groups = new Map<string, F[]>();
  for (const f of findings) {
    const list = groups.get(f.file);
    if (list) list.push(f);
    else groups.set(f.file, [f]);
  }
  return [...groups];
}

/**
 * One file's findings with those of the same rule and name folded together (a name imported once
 * and used on ten lines reads as one entry with eleven places), in report order.
 */
export function byName<F extends Finding>(findings: F[]): { first: F; others: F[] }[] {
  const groups = new Map<string, { first: F; others: F[] }>();
  for (const f of findings) {
    const key = `${f.ruleId}\0${f.text}`;
    const group = groups.get(key);
    if (group) group.others.push(f);
    else groups.set(key, { first: f, others: [] });
  }
  return [...groups.values()];
}

/** "also at 12:5, 20:1": the other places of a group, for people. */
export const alsoAt = (others: { line: number; col: number }[]): string =>
  others.length ? `also at ${others.map((o) => `${o.line}:${o.col}`).join(', ')}` : '';

/** How a version decision is worded for people. */
export const VERSION_SOURCES: Record<VersionSource, string> = {
  flag: '--airflow-version',
  'requirements-pin': 'apache-airflow pin in requirements',
  'constraints-url': 'Airflow constraints URL in requirements',
  'image-tag': 'Airflow image tag (Dockerfile, compose or Helm values)',
  'pinned-file': 'apache-airflow pin or constraints URL outside requirements.txt',
  'config-fingerprint': 'airflow.cfg options',
  'dag-imports': 'DAG imports',
  none: 'no evidence',
};

/** "Airflow 2.7.2", or the family when only that is known. */
export function detectedLabel(r: Report): string {
  const v = r.airflowVersion;
  return v.detected ? `Airflow ${v.detected}` : v.family ? `Airflow ${v.family}` : 'Airflow (version unknown)';
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "3 errors, 1 warning, 0 info". */
export function countsLabel(c: SeverityCounts): string {
  return `${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${c.info} info`;
}

/** How a finding without a file (one about the installation as a whole) is labelled. */
export const NO_FILE = '(no file)';

/** "dags/etl.py:12", or the file alone when the finding has no line. */
export const locationLabel = (f: { file: string; line: number }): string => (f.line ? `${f.file || NO_FILE}:${f.line}` : f.file || NO_FILE);
