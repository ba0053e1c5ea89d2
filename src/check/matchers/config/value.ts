import { airflowConfigCatalog, defaultAt } from '../../../refdata/airflow-config.js';
import type { Hit, Matcher, Severity } from '../../types.js';
import { claimOf, currentName, defaultNear, namesOf } from './changes.js';
import { defaultsFor, reservedFor } from './mwaa-owned.js';
import { at, covering, knownValue, label, labelOf, mwaaOptions, name, sameValue, shown, unsetAt } from './tables.js';

// config-value: named options, or a group from mwaa-options.json, judged on their value.
// mwaa-default: MWAA's own defaults that change how DAGs run, for options the home leaves unset.

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

/** Whether a value is what the rule looks for. */
function judgeWith(p: ValueParams, detected: string | null, target: string) {
  const must = p.value ? new RegExp(p.value) : null;
  const mustNot = p.not ? new RegExp(p.not) : null;
  /** The default the home had under the name it wrote, else the option's default under its target name. */
  const defaultOf = (literal: string, current: string) => {
    const inVersion = (full: string, version: string | null) => (version ? defaultAt(full, version) : undefined);
    return inVersion(literal, detected) ?? inVersion(current, detected) ?? inVersion(current, target) ?? defaultNear(airflowConfigCatalog().options[current] ? current : literal, []);
  };
  return (value: string | null, literal: string, current: string, entry: Entry): boolean => {
    if (p.set && value === '') return false;
    if ((must || mustNot) && value === null) return false;
    if (must && !must.test(value!)) return false;
    if (mustNot && mustNot.test(value!)) return false;
    if (p.changed && value !== null) {
      // MWAA's own value changes nothing, nor does Airflow's default: generated airflow.cfg files
      // write every option out, and a value nobody chose is no choice lost.
      if (entry.value !== undefined && sameValue(value, entry.value)) return false;
      const def = defaultOf(literal, current);
      if (def !== undefined && sameValue(value, def ?? '')) return false;
    }
    return true;
  };
}

export const configValue: Matcher = (inv, ctx, raw) => {
  const p = raw as unknown as ValueParams;
  const severities = Object.entries(p.severityByValue ?? {}).map(([re, s]) => [new RegExp(re), s] as const);
  const entries = entriesOf(p, ctx.target).filter((e) => !p.exclude?.includes(e.option));
  const judge = judgeWith(p, ctx.detected, ctx.target);
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
    const matched = covering(entries.map((e) => e.option), namesOf(o.section, o.key, ctx.target));
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
  // Nothing known of the configuration (a folder of DAGs, no airflow.cfg, no option from the
  // environment): the running home's settings are elsewhere, and its default is no fact about them.
  const unknown = inv.config.file === null && inv.config.options.length === 0;
  if (p.orDefault && ctx.detected && !unknown) {
    for (const entry of entries) {
      const full = entry.option;
      const def = defaultAt(full, ctx.detected);
      if (seen.has(full) || def === undefined || def === null || !judge(def, full, full, entry)) continue;
      const severity = severityOf(def);
      hits.push({ ...unsetAt(inv), text: labelOf(full), vars: vars(labelOf(full), labelOf(full), `${def} (Airflow ${ctx.detected}'s default)`, entry), ...(severity ? { severity } : {}) });
    }
  }
  return hits;
};

export const mwaaDefault: Matcher = (inv, ctx) => {
  const set = new Set(inv.config.options.map((o) => name(...currentName(o.section, o.key, ctx.target))));
  const hits: Hit[] = [];
  for (const d of defaultsFor(ctx.target)) {
    if (!d.notable || set.has(d.option)) continue;
    const def = defaultAt(d.option, ctx.target);
    if (def === undefined || sameValue(d.value, def ?? '')) continue;
    hits.push({ ...unsetAt(inv), text: labelOf(d.option), vars: { option: labelOf(d.option), key: d.option, airflowDefault: def ?? '(none)', mwaaDefault: d.value, why: d.why, target: ctx.target } });
  }
  return hits;
};
