import type { ConfigOption, Inventory, Source } from '../../../home/inventory.js';
import { dataTable } from '../../../refdata/data.js';
import type { Hit, Severity } from '../../types.js';

// The generated tables the configuration rules read, and the small vocabulary they share: names,
// values as Airflow compares them, and where a hit points.
//
// Where a hit points: an option from airflow.cfg at its file and line; an option, connection or
// variable from the environment (--env-file or the process) at the variable's name with line 0,
// since the Inventory records only the name; something the home leaves unset (a default that
// changes) at the config file with line 0. Hit.text is `[section] key` as the home wrote it, or
// the variable's name; values of secret options never reach a hit.

export type ChangeKind = 'renamed' | 'moved' | 'removed' | 'value-changed' | 'default-changed' | 'invalid-value';

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
  /** A checked removal: what losing a value other than the default does on MWAA. */
  severity?: Severity;
  impact?: string;
}

export interface ReservedEntry {
  option: string;
  airflow: '2' | '3' | 'all';
  value?: string;
  note?: string;
}

export interface DefaultEntry {
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

export function changeIndex(): ChangeIndex {
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

export const rowsFor = (section: string, key: string): ChangeRow[] => changeIndex().byOption.get(name(section, key)) ?? [];

// ---------------------------------------------------------------------------------------------
// Names, values, places

export const name = (section: string, key: string) => `${section}.${key}`;
export const label = (section: string, key: string) => `[${section}] ${key}`;
export const labelOf = (full: string) => label(full.slice(0, full.indexOf('.')), full.slice(full.indexOf('.') + 1));
const majorOf = (version: string) => version.split('.')[0]!;
export const forLine = (airflow: '2' | '3' | 'all', target: string) => airflow === 'all' || airflow === majorOf(target);
/** `section.*` in a table stands for every option of the section. */
export const covers = (pattern: string, full: string) => pattern === full || (pattern.endsWith('.*') && full.startsWith(pattern.slice(0, -1)));

const BOOL = /^(true|false|t|f|yes|no|y|n|1|0|on|off)$/i;
const TRUE = /^(true|t|yes|y|1|on)$/i;

/** Equal as Airflow reads them: booleans loosely, numbers numerically, config.yml's {{ }} and %% escapes undone. */
export function sameValue(a: string, b: string): boolean {
  const x = a.trim();
  const y = b.trim().replace(/\{\{/g, '{').replace(/\}\}/g, '}').replace(/%%/g, '%');
  if (x === y) return true;
  if (BOOL.test(x) && BOOL.test(y)) return TRUE.test(x) === TRUE.test(y);
  return x !== '' && y !== '' && !Number.isNaN(Number(x)) && Number(x) === Number(y);
}

export function at(source: Source): Pick<Hit, 'file' | 'line' | 'col'> {
  if (source.kind === 'file') return { file: source.file, line: source.line, col: 1 };
  // A variable from --env-file points at its line there; one from the process has no place.
  return source.file ? { file: source.file, line: source.line ?? 0, col: 1 } : { file: source.name, line: 0, col: 0 };
}
export const unsetAt = (inv: Inventory): Pick<Hit, 'file' | 'line' | 'col'> => ({ file: inv.config.file ?? 'airflow.cfg', line: 0, col: 0 });

export function where(source: Source): string {
  return source.kind === 'file' ? `${source.file} line ${source.line}` : `the environment variable ${source.name}`;
}

/** The value as Airflow reads it, or null when the scan cannot know it (a secret, a command, a backend). */
export const knownValue = (o: ConfigOption): string | null => (o.valueFrom === 'literal' && !o.secret ? o.value : null);

export function shown(o: ConfigOption): string {
  if (o.valueFrom === 'command') return '(read from a command)';
  if (o.valueFrom === 'secrets-backend') return '(read from the secrets backend)';
  if (o.secret) return '(a secret)';
  return o.value === '' ? '(empty)' : o.value!;
}

/** The first of these table names (`section.*` for a whole section) that covers one of an option's names. */
export const covering = (options: string[], names: string[]): string | undefined => options.find((o) => names.some((n) => covers(o, n)));
