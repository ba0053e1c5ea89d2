import { dataTable } from '../../refdata/data.js';
import type { ConfigOption, Inventory, Source } from '../../home/inventory.js';
import { airflowConfigCatalog, catalogVersionFor, compareVersions, defaultIn, PROVIDER_SECTIONS, type CatalogOption } from '../../refdata/airflow-config.js';
import type { CheckContext, Hit, Matcher, Severity } from '../types.js';
import { detectedVersion } from '../versions.js';

// Match kinds for the Airflow configuration (CFG), what MWAA owns in it (MWAA) and the secrets it
// holds (SEC). They read the Inventory's effective options, connections and variables, and two
// generated tables: rules/data/config-changes.json (renames, removals, value and default changes
// between Airflow versions) and rules/data/mwaa-options.json (what MWAA sets, replaces or
// defaults differently).
//
// One option gets one finding. Who reports it, first match wins: a setting for a service MWAA
// replaces (MWAA rules), a removal in the target (CFG), an option MWAA sets itself (MWAA), then
// the other CFG and SEC rules.
//
// Where a hit points: an option from airflow.cfg at its file and line; an option, connection or
// variable from the environment (--env-file or the process) at the variable's name with line 0,
// since the Inventory records only the name; something the home leaves unset (a default that
// changes) at the config file with line 0. Hit.text is `[section] key` as the home wrote it, or
// the variable's name; values of secret options never reach a hit.

// ---------------------------------------------------------------------------------------------
// Data

type ChangeKind = 'renamed' | 'moved' | 'removed' | 'value-changed' | 'default-changed' | 'invalid-value';

export interface ChangeRow {
  id: string;
  table: 'changes' | 'derived' | 'section';
  kind: ChangeKind;
  section: string;
  /** `*` for a whole section. */
  option: string;
  newSection: string | null;
  newOption: string | null;
  since: string;
  /** Captured versions that still read the old name or rewrite the old value, with a warning. */
  readAt: string[];
  /** For a whole-section row: the options it moves. */
  options?: string[];
  pattern?: { source: string; flags: string };
  /** null: Airflow falls back to its current default. */
  replacement?: string | null;
  equals?: string;
  oldDefault?: string;
  newDefault?: string;
  note?: string;
  verdict: 'check' | 'not-applicable';
  reason?: string;
}

interface ReservedEntry {
  option: string;
  airflow: '2' | '3' | 'all';
  value?: string;
  note?: string;
}

interface DefaultEntry {
  option: string;
  value: string;
  airflow: '2' | '3' | 'all';
  notable: boolean;
  why: string;
}

export interface MwaaOptions {
  reserved: ReservedEntry[];
  merged: { option: string; note: string }[];
  defaults: DefaultEntry[];
  replaced: Record<string, { service: string; options: string[] }>;
  keyPattern: { min: number; max: number; pattern: string };
  valueConstraints: { min: number; max: number };
}

interface ChangeIndex {
  /** section.option -> rows, a whole-section row under each option it moves. */
  byOption: Map<string, ChangeRow[]>;
  patterns: Map<ChangeRow, RegExp>;
}

const changeData = dataTable<{ rows: ChangeRow[] }>('config-changes.json');
export const changeRows = (): ChangeRow[] => changeData().rows;
export const mwaaOptions = dataTable<MwaaOptions>('mwaa-options.json');
let index: ChangeIndex | null = null;

function changeIndex(): ChangeIndex {
  if (index) return index;
  index = { byOption: new Map(), patterns: new Map() };
  for (const row of changeRows()) {
    for (const key of row.options ?? [row.option]) {
      const k = name(row.section, key);
      index.byOption.set(k, [...(index.byOption.get(k) ?? []), row]);
    }
    if (row.pattern) index.patterns.set(row, new RegExp(row.pattern.source, row.pattern.flags));
  }
  return index;
}

// ---------------------------------------------------------------------------------------------
// Names, values, places

const name = (section: string, key: string) => `${section}.${key}`;
const label = (section: string, key: string) => `[${section}] ${key}`;
const labelOf = (full: string) => label(full.slice(0, full.indexOf('.')), full.slice(full.indexOf('.') + 1));
const majorOf = (version: string) => version.split('.')[0]!;
const forLine = (airflow: '2' | '3' | 'all', target: string) => airflow === 'all' || airflow === majorOf(target);
/** `section.*` in a table stands for every option of the section. */
const covers = (pattern: string, full: string) => pattern === full || (pattern.endsWith('.*') && full.startsWith(pattern.slice(0, -1)));

const BOOL = /^(true|false|t|f|yes|no|y|n|1|0|on|off)$/i;
const TRUE = /^(true|t|yes|y|1|on)$/i;

/** Equal as Airflow reads them: booleans loosely, numbers numerically, config.yml's {{ }} and %% escapes undone. */
function sameValue(a: string, b: string): boolean {
  const x = a.trim();
  const y = b.trim().replace(/\{\{/g, '{').replace(/\}\}/g, '}').replace(/%%/g, '%');
  if (x === y) return true;
  if (BOOL.test(x) && BOOL.test(y)) return TRUE.test(x) === TRUE.test(y);
  return x !== '' && y !== '' && !Number.isNaN(Number(x)) && Number(x) === Number(y);
}

function at(source: Source): Pick<Hit, 'file' | 'line' | 'col'> {
  if (source.kind === 'file') return { file: source.file, line: source.line, col: 1 };
  // A variable from --env-file points at its line there; one from the process has no place.
  return source.file ? { file: source.file, line: source.line ?? 0, col: 1 } : { file: source.name, line: 0, col: 0 };
}
const unsetAt = (inv: Inventory): Pick<Hit, 'file' | 'line' | 'col'> => ({ file: inv.config.file ?? 'airflow.cfg', line: 0, col: 0 });

function where(source: Source): string {
  return source.kind === 'file' ? `${source.file} line ${source.line}` : `the environment variable ${source.name}`;
}

/** The value as Airflow reads it, or null when the scan cannot know it (a secret, a command, a backend). */
const knownValue = (o: ConfigOption): string | null => (o.valueFrom === 'literal' && !o.secret ? o.value : null);

function shown(o: ConfigOption): string {
  if (o.valueFrom === 'command') return '(read from a command)';
  if (o.valueFrom === 'secrets-backend') return '(read from the secrets backend)';
  if (o.secret) return '(a secret)';
  return o.value === '' ? '(empty)' : o.value!;
}

/** Airflow's default for an option: in the first of the given versions that has it, else where it last existed. */
function defaultNear(entry: CatalogOption | undefined, versions: (string | null)[]): string | null | undefined {
  if (!entry) return undefined;
  for (const v of versions) {
    const d = v ? defaultIn(entry, v) : undefined;
    if (d !== undefined) return d;
  }
  return defaultIn(entry, entry.present.at(-1)!);
}

const catalogAt = (version: string | null) => (version ? catalogVersionFor(version) : null);

/** Whether an option holds the default of the version the home runs, so the home chose nothing. */
function isHomeDefault(o: ConfigOption, detected: string | null): boolean {
  if (o.differsFromDefault === false) return true;
  const value = knownValue(o);
  const version = catalogAt(detected);
  const entry = airflowConfigCatalog().options[name(o.section, o.key)];
  const def = entry && version ? defaultIn(entry, version) : undefined;
  return value !== null && def !== undefined && sameValue(value, def ?? '');
}

// ---------------------------------------------------------------------------------------------
// Changes between versions

const rowsFor = (section: string, key: string): ChangeRow[] => changeIndex().byOption.get(name(section, key)) ?? [];
const renames = (r: ChangeRow) => (r.kind === 'renamed' || r.kind === 'moved') && r.newSection !== null;
const newKey = (r: ChangeRow, key: string) => (r.newOption === '*' || r.newOption === null ? key : r.newOption);

/** The name Airflow `target` reads an option under: every rename and move up to the target applied. */
function currentName(section: string, key: string, target: string): [string, string] {
  let s = section;
  let k = key;
  for (let step = 0; step < 4; step++) {
    const row = rowsFor(s, k)
      .filter((r) => renames(r) && r.verdict === 'check' && compareVersions(r.since, target) <= 0)
      .reduce<ChangeRow | null>((best, r) => (best && compareVersions(best.since, r.since) >= 0 ? best : r), null);
    if (!row || (row.newSection === s && newKey(row, k) === k)) break;
    [s, k] = [row.newSection!, newKey(row, k)];
  }
  return [s, k];
}

/** The value Airflow reads instead of a deprecated one (it substitutes the pattern), or null for its current default. */
function rewrite(row: ChangeRow, value: string): string | null {
  const re = changeIndex().patterns.get(row);
  if (!re || row.replacement == null) return null;
  return value.replace(new RegExp(re.source, `${re.flags}g`), () => row.replacement!);
}

interface Change {
  row: ChangeRow;
  /** The target still reads the old name or rewrites the old value, with a warning. */
  tolerated: boolean;
  /** When the change first happened: a rename that later tables repeat dates from the first. */
  since: string;
}

const family = (kind: ChangeKind) => (kind === 'renamed' || kind === 'moved' ? 'name' : kind);

/**
 * The change that concerns an option at the target: among the rows whose change happened by the
 * target and whose value condition holds, the latest. The old name in the file is evidence enough,
 * so the detected version does not narrow this; it does for defaults (see defaultChanges).
 */
function changeAt(section: string, key: string, value: string | null, target: string): Change | null {
  const holds = (r: ChangeRow) => {
    const re = changeIndex().patterns.get(r);
    if (re) return value !== null && re.test(value);
    return r.equals === undefined || (value !== null && value.trim() === r.equals);
  };
  const candidates = rowsFor(section, key).filter(
    (r) => r.verdict === 'check' && r.kind !== 'default-changed' && compareVersions(r.since, target) <= 0 && holds(r),
  );
  if (candidates.length === 0) return null;
  const row = candidates.reduce((best, r) => (compareVersions(r.since, best.since) > 0 ? r : best));
  const same = candidates.filter((r) => family(r.kind) === family(row.kind));
  if (renames(row)) {
    // A name that moved and was removed under its new name is gone.
    const [s, k] = currentName(section, key, target);
    const after = s === section && k === key ? null : changeAt(s, k, value, target);
    if (after?.row.kind === 'removed' && after.row.equals === undefined) return after;
  }
  const version = catalogVersionFor(target);
  return {
    row,
    tolerated: version !== null && same.some((r) => r.readAt.includes(version)),
    since: same.reduce((first, r) => (compareVersions(r.since, first) < 0 ? r.since : first), row.since),
  };
}

// ---------------------------------------------------------------------------------------------
// What MWAA owns

type Claim = 'replaced' | 'removed' | 'reserved';

/** The first of these table names (`section.*` for a whole section) that covers an option, as written or under its name at the target. */
function covering(options: string[], section: string, key: string, target: string): string | undefined {
  const names = [name(section, key), name(...currentName(section, key, target))];
  return options.find((o) => names.some((n) => covers(o, n)));
}

const reservedFor = (target: string) => mwaaOptions().reserved.filter((e) => forLine(e.airflow, target));

/** Who reports an option first: a service MWAA replaces, a removal in the target, an option MWAA sets. */
function claimOf(section: string, key: string, value: string | null, target: string): Claim | null {
  if (Object.values(mwaaOptions().replaced).some((g) => covering(g.options, section, key, target))) return 'replaced';
  if (changeAt(section, key, value, target)?.row.kind === 'removed') return 'removed';
  return covering(reservedFor(target).map((e) => e.option), section, key, target) ? 'reserved' : null;
}

// ---------------------------------------------------------------------------------------------
// config-change: renamed, moved, removed options, deprecated or invalid values, changed defaults

interface ChangeParams {
  kinds: ChangeKind[];
}

function changeVars(o: ConfigOption, c: Change, target: string): Record<string, string> {
  const r = c.row;
  const vars: Record<string, string> = {
    option: label(o.section, o.key),
    since: c.since,
    target,
    value: shown(o),
    note: r.note ? ` ${r.note}` : '',
  };
  if (renames(r)) {
    vars['new'] = label(...currentName(o.section, o.key, target));
    vars['status'] = c.tolerated
      ? `Airflow ${target} still reads the old name, with a deprecation warning`
      : `Airflow ${target} no longer reads the old name, so the setting is ignored`;
  } else if (r.kind === 'removed') {
    vars['evidence'] =
      r.table !== 'changes'
        ? `it is not in Airflow's option list from ${r.since} on`
        : r.equals !== undefined
          ? `Airflow ${r.since} no longer accepts this value for it`
          : `Airflow ${r.since} removed it`;
  } else if (r.kind === 'value-changed') {
    const readAs = rewrite(r, o.value!);
    vars['problem'] = `is deprecated since Airflow ${r.since} (read as ${readAs ?? "Airflow's current default"}); ${
      c.tolerated ? `Airflow ${target} still rewrites it, with a warning` : `Airflow ${target} no longer rewrites it`
    }`;
    vars['remedy'] = readAs ? `Set it to ${readAs}` : 'Remove it, so Airflow uses its current default';
  } else {
    vars['problem'] = `is not valid from Airflow ${r.since} on`;
    vars['remedy'] = 'Set a valid value';
  }
  return vars;
}

/** Defaults that change on the way to the target, for options the home leaves unset. */
function defaultChanges(inv: Inventory, ctx: CheckContext): Hit[] {
  const set = new Set(inv.config.options.map((o) => name(...currentName(o.section, o.key, ctx.target))));
  return changeRows()
    .filter((r) => r.kind === 'default-changed' && r.verdict === 'check' && ctx.crosses(r.since) && !set.has(name(r.section, r.option)))
    .map((r) => ({
      ...unsetAt(inv),
      text: label(r.section, r.option),
      vars: { option: label(r.section, r.option), key: name(r.section, r.option), since: r.since, oldDefault: r.oldDefault ?? '', newDefault: r.newDefault ?? '', note: r.note ? ` ${r.note}` : '' },
    }));
}

const configChange: Matcher = (inv, ctx, raw) => {
  const kinds = new Set((raw as unknown as ChangeParams).kinds);
  const hits: Hit[] = [];
  for (const o of inv.config.options) {
    const value = knownValue(o);
    const claim = claimOf(o.section, o.key, value, ctx.target);
    if (claim === 'replaced' || claim === 'reserved') continue;
    const c = changeAt(o.section, o.key, value, ctx.target);
    if (!c || !kinds.has(c.row.kind)) continue;
    // A renamed or removed option left at the default of the home's version (a generated
    // airflow.cfg lists them all) loses nothing; conditional rows are about such values.
    if ((renames(c.row) || (c.row.kind === 'removed' && c.row.equals === undefined)) && isHomeDefault(o, ctx.detected)) continue;
    // Old names and values the target no longer reads are errors; tolerated ones stay warnings.
    const gone = (renames(c.row) || c.row.kind === 'value-changed') && !c.tolerated;
    hits.push({ ...at(o.source), text: label(o.section, o.key), vars: changeVars(o, c, ctx.target), ...(gone ? { severity: 'error' as Severity } : {}) });
  }
  if (kinds.has('default-changed')) hits.push(...defaultChanges(inv, ctx));
  return hits;
};

// ---------------------------------------------------------------------------------------------
// unknown-option: options in no captured Airflow version and in no table

const unknownOption: Matcher = (inv, ctx) => {
  const { options: catalog, versions: captured } = airflowConfigCatalog();
  const versions = `${captured[0]} to ${captured.at(-1)}`;
  const merged = new Set(mwaaOptions().merged.map((m) => m.option));
  return inv.config.options
    .filter((o) => {
      const n = name(o.section, o.key);
      return !catalog[n] && !merged.has(n) && rowsFor(o.section, o.key).length === 0 && !claimOf(o.section, o.key, knownValue(o), ctx.target);
    })
    .map((o) => ({ ...at(o.source), text: label(o.section, o.key), vars: { option: label(o.section, o.key), versions } }));
};

// ---------------------------------------------------------------------------------------------
// config-value: named options, or a group from mwaa-options.json, judged on their value

interface ValueParams {
  /** section.option names as Airflow reads them at the target; old names match through renames. */
  options?: string[];
  /** `reserved`, or a group of mwaa-options.json `replaced`. */
  group?: string;
  exclude?: string[];
  /** Regexes the value must match / must not match; a value the scan cannot read never matches. */
  value?: string;
  not?: string;
  /** Only values that differ from what MWAA sets (group entries that name it), else from Airflow's default. */
  changed?: boolean;
  /** Any non-empty value, including one read from a command or the secrets backend. */
  set?: boolean;
  /** An unset option is judged on Airflow's default at the detected version. */
  orDefault?: boolean;
  /** First regex the value matches gives the hit's severity. */
  severityByValue?: Record<string, Severity>;
}

interface Entry {
  option: string;
  value?: string;
  note?: string;
  service?: string;
}

function entriesOf(p: ValueParams, target: string): Entry[] {
  if (p.group === 'reserved') return reservedFor(target);
  if (p.group) {
    const g = mwaaOptions().replaced[p.group];
    if (!g) throw new Error(`config-value: no group '${p.group}' in mwaa-options.json`);
    return g.options.map((option) => ({ option, service: g.service }));
  }
  return (p.options ?? []).map((option) => ({ option }));
}

const configValue: Matcher = (inv, ctx, raw) => {
  const p = raw as unknown as ValueParams;
  const must = p.value ? new RegExp(p.value) : null;
  const mustNot = p.not ? new RegExp(p.not) : null;
  const severities = Object.entries(p.severityByValue ?? {}).map(([re, s]) => [new RegExp(re), s] as const);
  const entries = entriesOf(p, ctx.target).filter((e) => !p.exclude?.includes(e.option));
  const catalog = airflowConfigCatalog().options;
  const [detected, target] = [catalogAt(ctx.detected), catalogAt(ctx.target)];
  /** The default the home had under the name it wrote, else the option's default under its target name. */
  const defaultOf = (literal: string, current: string) => {
    const inVersion = (full: string, version: string | null) => (catalog[full] && version ? defaultIn(catalog[full], version) : undefined);
    return inVersion(literal, detected) ?? inVersion(current, detected) ?? inVersion(current, target) ?? defaultNear(catalog[current] ?? catalog[literal], []);
  };

  const judge = (value: string | null, literal: string, current: string, entry: Entry): boolean => {
    if (p.set && value === '') return false;
    if ((must || mustNot) && value === null) return false;
    if (must && !must.test(value!)) return false;
    if (mustNot && mustNot.test(value!)) return false;
    if (p.changed && value !== null) {
      // Where MWAA names its value, only that value changes nothing; else Airflow's default does.
      if (entry.value !== undefined) return !sameValue(value, entry.value);
      const def = defaultOf(literal, current);
      if (def !== undefined && sameValue(value, def ?? '')) return false;
    }
    return true;
  };
  const vars = (option: string, current: string, value: string, entry: Entry) => ({
    option,
    current,
    value,
    mwaa: entry.value ? ` (to ${entry.value})` : '',
    note: entry.note ? ` (${entry.note})` : '',
    service: entry.service ?? '',
    target: ctx.target,
  });
  const severityOf = (value: string | null) => (value === null ? undefined : severities.find(([re]) => re.test(value))?.[1]);

  const hits: Hit[] = [];
  const seen = new Set<string>();
  for (const o of inv.config.options) {
    const current = name(...currentName(o.section, o.key, ctx.target));
    const matched = covering(entries.map((e) => e.option), o.section, o.key, ctx.target);
    const entry = entries.find((e) => e.option === matched);
    if (!entry) continue;
    seen.add(current);
    const value = knownValue(o);
    // A group hands each option to the rule that reports it first (claimOf).
    if (p.group && claimOf(o.section, o.key, value, ctx.target) !== (p.group === 'reserved' ? 'reserved' : 'replaced')) continue;
    if (!judge(value, name(o.section, o.key), current, entry)) continue;
    const severity = severityOf(value);
    // Name the option as the entry does (a protected variable names its own section), a section by the target's name.
    const owned = entry.option.endsWith('.*') ? current : entry.option;
    hits.push({ ...at(o.source), text: label(o.section, o.key), vars: vars(label(o.section, o.key), labelOf(owned), shown(o), entry), ...(severity ? { severity } : {}) });
  }
  if (p.orDefault && ctx.detected) {
    const version = catalogVersionFor(ctx.detected);
    for (const entry of entries) {
      const full = entry.option;
      const def = version && catalog[full] ? defaultIn(catalog[full], version) : undefined;
      if (seen.has(full) || def === undefined || def === null || !judge(def, full, full, entry)) continue;
      const severity = severityOf(def);
      hits.push({ ...unsetAt(inv), text: labelOf(full), vars: vars(labelOf(full), labelOf(full), `${def} (Airflow ${ctx.detected}'s default)`, entry), ...(severity ? { severity } : {}) });
    }
  }
  return hits;
};

// ---------------------------------------------------------------------------------------------
// mwaa-default: MWAA's own defaults that change how DAGs run, for options the home leaves unset

const mwaaDefault: Matcher = (inv, ctx) => {
  const set = new Set(inv.config.options.map((o) => name(...currentName(o.section, o.key, ctx.target))));
  const version = catalogVersionFor(ctx.target);
  const catalog = airflowConfigCatalog().options;
  const hits: Hit[] = [];
  for (const d of mwaaOptions().defaults) {
    if (!d.notable || !forLine(d.airflow, ctx.target) || set.has(d.option)) continue;
    const def = version && catalog[d.option] ? defaultIn(catalog[d.option]!, version) : undefined;
    if (def === undefined || sameValue(d.value, def ?? '')) continue;
    hits.push({ ...unsetAt(inv), text: labelOf(d.option), vars: { option: labelOf(d.option), key: d.option, airflowDefault: def ?? '(none)', mwaaDefault: d.value, why: d.why, target: ctx.target } });
  }
  return hits;
};

// ---------------------------------------------------------------------------------------------
// Carry-over: what may go to MWAA as AirflowConfigurationOptions

export interface CarryOver {
  section: string;
  key: string;
  value: string;
}

interface Candidate extends CarryOver {
  option: ConfigOption;
  /** Why MWAA's API would refuse it, or null. */
  problem: string | null;
}

function formatProblem(full: string, value: string): string | null {
  const { keyPattern: k, valueConstraints: v } = mwaaOptions();
  if (full.length > k.max || !new RegExp(`^(?:${k.pattern})$`).test(full)) return `its name does not fit MWAA's key format (${k.pattern}, at most ${k.max} characters)`;
  if (value.length < v.min) return 'MWAA does not accept an empty value';
  if (value.length > v.max) return `its value is longer than the ${v.max} characters MWAA accepts`;
  if (!/^[ -~]+$/.test(value)) return 'its value has characters MWAA does not accept (printable ASCII only: no tabs, newlines or accents)';
  return null;
}

function carryCandidates(inv: Inventory, target: string): Candidate[] {
  const version = catalogVersionFor(target);
  const detected = catalogAt(detectedVersion(inv.airflowVersion));
  const catalog = airflowConfigCatalog().options;
  const merged = new Set(mwaaOptions().merged.map((m) => m.option));
  const mwaaDefaults = new Map(mwaaOptions().defaults.filter((d) => forLine(d.airflow, target)).map((d) => [d.option, d.value]));
  const out = new Map<string, Candidate>();
  for (const o of inv.config.options) {
    if (o.secret || o.valueFrom !== 'literal' || o.value === null) continue;
    if (claimOf(o.section, o.key, o.value, target)) continue;
    const [section, key] = currentName(o.section, o.key, target);
    const full = name(section, key);
    let value = o.value;
    const change = changeAt(o.section, o.key, o.value, target);
    if (change?.row.kind === 'invalid-value') continue;
    if (change?.row.kind === 'value-changed') {
      const readAs = rewrite(change.row, value);
      if (readAs === null) continue;
      value = readAs;
    }
    const entry = catalog[full];
    const def = entry && version ? defaultIn(entry, version) : undefined;
    if (def === undefined && !(entry && PROVIDER_SECTIONS.has(section)) && !merged.has(full)) continue;
    const airflowDefault = def === undefined ? defaultNear(entry, []) : def;
    // Host paths: MWAA fixes AIRFLOW_HOME and the folders under it.
    if ((airflowDefault ?? '').includes('{AIRFLOW_HOME}')) continue;
    if (sameValue(value, mwaaDefaults.get(full) ?? airflowDefault ?? '')) continue;
    // An empty value that was the home's own default is a generated airflow.cfg line, not a choice.
    if (value.trim() === '' && sameValue('', defaultNear(catalog[name(o.section, o.key)], [detected]) ?? '')) continue;
    // Airflow reads the new name before an old one.
    if (out.has(full) && name(o.section, o.key) !== full) continue;
    out.set(full, { section, key, value, option: o, problem: formatProblem(full, value) });
  }
  return [...out.values()].sort((a, b) => a.section.localeCompare(b.section) || a.key.localeCompare(b.key));
}

/**
 * Options safe to pass to MWAA as AirflowConfigurationOptions, under the name the target reads:
 * not secret, not set or replaced by MWAA, still in the target's option list, not a host path,
 * accepted by MWAA's API, and different from the default MWAA would otherwise use (its own
 * default where it has one, else Airflow's). Deprecated values come out rewritten.
 */
export function carryOverOptions(inv: Inventory, target: string): CarryOver[] {
  return carryCandidates(inv, target)
    .filter((c) => c.problem === null)
    .map(({ section, key, value }) => ({ section, key, value }));
}

const mwaaFormat: Matcher = (inv, ctx) =>
  carryCandidates(inv, ctx.target)
    .filter((c) => c.problem !== null)
    .map((c) => ({ ...at(c.option.source), text: label(c.option.section, c.option.key), vars: { option: label(c.option.section, c.option.key), key: name(c.section, c.key), problem: c.problem! } }));

// ---------------------------------------------------------------------------------------------
// Secrets: in the configuration, read through _cmd / _secret, connections and variables in the environment

/** Whether the target accepts `<option>_secret` for an option (Airflow honours it for sensitive options only). */
function takesSecretForm(full: string, target: string): boolean {
  const version = catalogVersionFor(target);
  return version !== null && (airflowConfigCatalog().cmdSecretOptions[version] ?? []).includes(full);
}

function secretVars(section: string, key: string, source: Source, target: string): Record<string, string> {
  const [s, k] = currentName(section, key, target);
  return {
    option: label(section, key),
    current: name(s, k),
    where: where(source),
    how: takesSecretForm(name(s, k), target)
      ? `Store it in Secrets Manager as airflow/config/${s}_${k} (with config_prefix airflow/config in secrets.backend_kwargs) and pass ${s}.${k}_secret = ${s}_${k} as a configuration option`
      : `Keep the credential in an Airflow connection stored in Secrets Manager as airflow/connections/<conn_id> and read it from there`,
  };
}

const OPTION_SECRET = /^\[(.+)\] (.+)$/;

const configSecret: Matcher = (inv, ctx) => {
  const hits: Hit[] = [];
  for (const s of inv.secrets) {
    const m = OPTION_SECRET.exec(s.what);
    if (!m) continue;
    const [, section, key] = m as unknown as [string, string, string];
    if (claimOf(section, key, null, ctx.target)) continue;
    hits.push({ ...at(s.source), text: label(section, key), vars: secretVars(section, key, s.source, ctx.target) });
  }
  return hits;
};

interface IndirectParams {
  from: 'command' | 'secrets-backend';
}

const configIndirect: Matcher = (inv, ctx, raw) => {
  const { from } = raw as unknown as IndirectParams;
  return inv.config.options
    .filter((o) => o.valueFrom === from && !claimOf(o.section, o.key, null, ctx.target))
    .map((o) => {
      const [s, k] = currentName(o.section, o.key, ctx.target);
      const sensitive = takesSecretForm(name(s, k), ctx.target);
      return {
        ...at(o.source),
        text: label(o.section, o.key),
        vars: {
          ...secretVars(o.section, o.key, o.source, ctx.target),
          form: from === 'command' ? `${o.key}_cmd` : `${o.key}_secret`,
          ignored: sensitive ? '' : ` Airflow ${ctx.target} honours this form only for sensitive options, and this one is not.`,
        },
      };
    });
};

interface EnvParams {
  what: 'connections' | 'variables';
  only?: string[];
  except?: string[];
}

const envDefined: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as EnvParams;
  const wanted = (id: string) => (!p.only || p.only.includes(id)) && !p.except?.includes(id);
  const secretVariables = new Set(inv.secrets.filter((s) => s.what.startsWith('variable ')).map((s) => s.what.slice('variable '.length)));
  const items =
    p.what === 'connections'
      ? inv.connections.map((c) => ({ id: c.connId, source: c.source, secretName: `airflow/connections/${c.connId}`, type: c.connType ?? 'unknown type', secret: c.hasPassword }))
      : inv.variables.map((v) => ({ id: v.key, source: v.source, secretName: `airflow/variables/${v.key}`, type: 'variable', secret: secretVariables.has(v.key) }));
  return items
    .filter((i) => wanted(i.id))
    .map((i) => {
      const variable = i.source.kind === 'env' ? i.source.name : i.id;
      return {
        ...at(i.source),
        text: variable,
        vars: { id: i.id, variable, secretName: i.secretName, type: i.type, secret: i.secret ? ' It holds a secret.' : '' },
      };
    });
};

export const configMatchers: Record<string, Matcher> = {
  'config-change': configChange,
  'config-value': configValue,
  'config-secret': configSecret,
  'config-indirect': configIndirect,
  'env-defined': envDefined,
  'mwaa-default': mwaaDefault,
  'mwaa-format': mwaaFormat,
  'unknown-option': unknownOption,
};
