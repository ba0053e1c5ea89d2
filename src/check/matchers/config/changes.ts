import type { ConfigOption } from '../../../home/inventory.js';
import { airflowConfigCatalog, catalogVersionFor, compareVersions, defaultAt } from '../../../refdata/airflow-config.js';
import { reservedFor } from './mwaa-owned.js';
import { changeIndex, covering, mwaaOptions, name, rowsFor, sameValue, type ChangeKind, type ChangeRow } from './tables.js';

// What happened to an option between versions (config-changes.json) and who owns it on MWAA
// (mwaa-options.json): the name the target reads it under, the change that concerns it, and
// which rule reports it first.

const renames = (r: ChangeRow) => (r.kind === 'renamed' || r.kind === 'moved') && r.newSection !== null;
export const isRename = renames;
const newKey = (r: ChangeRow, key: string) => (r.newOption === '*' || r.newOption === null ? key : r.newOption);

/** The name Airflow `target` reads an option under: every rename and move up to the target applied. */
export function currentName(section: string, key: string, target: string): [string, string] {
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
export function rewrite(row: ChangeRow, value: string): string | null {
  const re = changeIndex().patterns.get(row);
  if (!re || row.replacement == null) return null;
  return value.replace(new RegExp(re.source, `${re.flags}g`), () => row.replacement!);
}

export interface Change {
  row: ChangeRow;
  /** The target still reads the old name or rewrites the old value, with a warning. */
  tolerated: boolean;
  /** When the change first happened: a rename that later tables repeat dates from the first. */
  since: string;
}

const family = (kind: ChangeKind) => (kind === 'renamed' || kind === 'moved' ? 'name' : kind);

/**
 * Whether the target still maps a row's old name or value: a deprecation entry stays in Airflow's
 * table from its release until it is dropped, so a capture at or after the target's that still
 * holds it means the target holds it too (3.0.6 reads [webserver] expose_config, which 3.0.1 moved
 * and the 3.1 table still maps).
 */
function stillRead(row: ChangeRow, target: string): boolean {
  const base = catalogVersionFor(target);
  return base !== null && row.readAt.some((v) => compareVersions(v, base) >= 0);
}

/**
 * The change that concerns an option at the target: among the rows whose change happened by the
 * target and whose value condition holds, the latest. The old name in the file is evidence enough,
 * so the detected version does not narrow this; it does for defaults (see defaultChanges).
 */
export function changeAt(section: string, key: string, value: string | null, target: string): Change | null {
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
  return {
    row,
    tolerated: same.some((r) => stillRead(r, target)),
    since: same.reduce((first, r) => (compareVersions(r.since, first) < 0 ? r.since : first), row.since),
  };
}

/** Airflow's default for an option: in the first of the given versions that has it, else where it last existed. */
export function defaultNear(full: string, versions: (string | null)[]): string | null | undefined {
  const entry = airflowConfigCatalog().options[full];
  if (!entry) return undefined;
  for (const v of versions) {
    const d = v ? defaultAt(full, v) : undefined;
    if (d !== undefined) return d;
  }
  return defaultAt(full, entry.present.at(-1)!);
}

/** Whether an option holds the default of the version the home runs, so the home chose nothing. */
export function isHomeDefault(o: ConfigOption, detected: string | null): boolean {
  if (o.differsFromDefault === false) return true;
  const value = o.valueFrom === 'literal' && !o.secret ? o.value : null;
  const def = detected ? defaultAt(name(o.section, o.key), detected) : undefined;
  return value !== null && def !== undefined && sameValue(value, def ?? '');
}

/**
 * Whether the home's own version already lacks an option a removal row names: the removal came
 * at or before it, or its option list no longer has the option. Such an option does nothing today.
 */
export function goneBefore(row: ChangeRow, full: string, detected: string | null): boolean {
  if (!detected) return false;
  return compareVersions(row.since, detected) <= 0 || (airflowConfigCatalog().options[full] !== undefined && defaultAt(full, detected) === undefined);
}

// ---------------------------------------------------------------------------------------------
// What MWAA owns

export type Claim = 'replaced' | 'removed' | 'reserved';


/** Both names of an option: as written and as the target reads it. */
export const namesOf = (section: string, key: string, target: string) => [name(section, key), name(...currentName(section, key, target))];

/** Who reports an option first: a service MWAA replaces, a removal in the target, an option MWAA sets. */
export function claimOf(section: string, key: string, value: string | null, target: string): Claim | null {
  const names = namesOf(section, key, target);
  if (Object.values(mwaaOptions().replaced).some((g) => covering(g.options, names))) return 'replaced';
  if (changeAt(section, key, value, target)?.row.kind === 'removed') return 'removed';
  return covering(reservedFor(target).map((e) => e.option), names) ? 'reserved' : null;
}
