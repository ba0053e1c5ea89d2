import type { ConfigOption, Inventory } from '../../../home/inventory.js';
import { airflowConfigCatalog, defaultAt, PROVIDER_SECTIONS } from '../../../refdata/airflow-config.js';
import type { Matcher } from '../../types.js';
import { detectedVersion } from '../../versions.js';
import { changeAt, claimOf, currentName, defaultNear, rewrite } from './changes.js';
import { infrastructureOf } from './infrastructure.js';
import { defaultsFor } from './mwaa-owned.js';
import { at, label, mwaaOptions, name, sameValue } from './tables.js';
import { compareNames } from '../../../collate.js';

// Carry-over: what the plan passes to MWAA as AirflowConfigurationOptions, and for every option
// of the home why it does or does not go (the CFG rules say what the plan sends).

export interface CarryOver {
  section: string;
  key: string;
  value: string;
}

/** One option of the home and what the plan does with it. */
export interface CarryDecision {
  option: ConfigOption;
  /** What the plan sends (under the name the target reads); absent when it sends nothing. */
  sent?: CarryOver;
  /** Why MWAA's API would refuse what would be sent (MWAA006), or null. */
  problem: string | null;
  /** Why nothing is sent: `default` means nothing is lost (MWAA's value is the home's). */
  skipped?: Skip;
  /** For `infrastructure`, `unresolved` and `execution-date`: what exactly, in words. */
  detail?: string;
}

type Skip = 'secret' | 'owned' | 'invalid' | 'unknown' | 'host-path' | 'default' | 'shadowed' | 'infrastructure' | 'unresolved' | 'execution-date' | 'backend' | 'sized';

/** What every option's decision needs to know about the target and the rest of the home. */
interface Context {
  target: string;
  detected: string | null;
  mwaaDefaults: Map<string, string>;
  /** The home reads its secrets from a backend MWAA cannot use (see usableBackend). */
  foreignBackend: boolean;
}

// The backends MWAA can use: the amazon provider's (airflow.contrib's before 2.0), which sign
// with the execution role. Any other (Vault, GCP, Azure, a custom class) needs credentials and
// an endpoint the environment lacks, and with it every connection lookup fails.
const AWS_BACKEND = /^airflow\.(?:providers\.amazon\.aws\.secrets\.(?:secrets_manager|systems_manager)|contrib\.secrets\.aws_(?:secrets_manager|systems_manager))\.(?:SecretsManagerBackend|SystemsManagerParameterStoreBackend)$/;
const BACKEND_OPTIONS = new Set(['secrets.backend_kwargs', 'workers.secrets_backend_kwargs']);
export const usableBackend = (value: string): boolean => AWS_BACKEND.test(value.trim());

// The sizing sets tasks per worker from the environment class (celery.worker_autoscale), and
// Airflow reads worker_autoscale before worker_concurrency: the home's own values would undo it.
const SIZED = new Set(['celery.worker_autoscale', 'celery.worker_concurrency']);

// Airflow 3 has no execution_date in the template context; a template that only names the run
// by it names it by run_id instead, as Airflow 3's own default log_filename_template does.
const EXECUTION_DATE = /\{\{\s*(?:ti\.|task_instance\.|dag_run\.)?execution_date(?:\.isoformat\(\))?\s*\}\}/g;

/** The value in Airflow 3's form, or null when it uses execution_date in a way with no safe rewrite. */
function withoutExecutionDate(value: string, target: string): string | null {
  if (Number.parseInt(target, 10) < 3 || !/\bexecution_date\b/.test(value)) return value;
  const rewritten = value.replace(EXECUTION_DATE, '{{ ti.run_id }}');
  return /\bexecution_date\b/.test(rewritten) ? null : rewritten;
}

function formatProblem(full: string, value: string): string | null {
  const { keyPattern: k, valueConstraints: v } = mwaaOptions();
  if (full.length > k.max || !new RegExp(`^(?:${k.pattern})$`).test(full)) return `its name does not fit MWAA's key format (${k.pattern}, at most ${k.max} characters)`;
  if (value.length < v.min) return 'MWAA does not accept an empty value';
  if (value.length > v.max) return `its value is longer than the ${v.max} characters MWAA accepts`;
  if (!/^[ -~]+$/.test(value)) return 'its value has characters MWAA does not accept (printable ASCII only: no tabs, newlines or accents)';
  return null;
}

/**
 * A secrets backend's kwargs without the AWS CLI profile of the old host: MWAA has no profiles
 * (it signs with the execution role), and a backend told to use one fails every lookup.
 */
function withoutHostKeys(full: string, value: string): string {
  if (!full.endsWith('backend_kwargs')) return value;
  try {
    const kwargs = JSON.parse(value) as unknown;
    if (!kwargs || typeof kwargs !== 'object' || !('profile_name' in kwargs)) return value;
    const { profile_name: _profile, ...rest } = kwargs as Record<string, unknown>;
    return JSON.stringify(rest);
  } catch {
    return value;
  }
}

/** One option's fate, before checking whether a newer name of it is set too. */
function decide(o: ConfigOption, c: Context): Omit<CarryDecision, 'option' | 'problem'> {
  const { target } = c;
  if (o.secret || o.valueFrom !== 'literal' || o.value === null) return { skipped: 'secret' };
  if (claimOf(o.section, o.key, o.value, target)) return { skipped: 'owned' };
  const [section, key] = currentName(o.section, o.key, target);
  const full = name(section, key);
  if (SIZED.has(full)) return { skipped: 'sized' };
  if (c.foreignBackend && (full === 'secrets.backend' || BACKEND_OPTIONS.has(full))) return { skipped: 'backend' };
  if (o.expansion && o.expansion.value === null) {
    const names = [...o.expansion.missing.map((n) => `$${n} is not in the env file`), ...o.expansion.secret.map((n) => `$${n} holds a secret`)];
    return { skipped: 'unresolved', detail: names.join(', ') };
  }
  let value = o.expansion?.value ?? o.value;
  const change = changeAt(o.section, o.key, o.value, target);
  if (change?.row.kind === 'invalid-value') return { skipped: 'invalid' };
  if (change?.row.kind === 'value-changed') {
    const readAs = rewrite(change.row, value);
    // Rewritten to Airflow's current default: sending nothing gives the same.
    if (readAs === null) return { skipped: 'default' };
    value = readAs;
  }
  const current = withoutExecutionDate(value, target);
  if (current === null) return { skipped: 'execution-date' };
  value = withoutHostKeys(full, current);
  if (value === '{}') return { skipped: 'default' };
  const entry = airflowConfigCatalog().options[full];
  const def = defaultAt(full, target);
  const merged = mwaaOptions().merged.some((m) => m.option === full);
  if (def === undefined && !(entry && PROVIDER_SECTIONS.has(section)) && !merged) return { skipped: 'unknown' };
  const airflowDefault = def === undefined ? defaultNear(full, []) : def;
  // Host paths: MWAA fixes AIRFLOW_HOME and the folders under it.
  if ((airflowDefault ?? '').includes('{AIRFLOW_HOME}')) return { skipped: 'host-path' };
  if (sameValue(value, c.mwaaDefaults.get(full) ?? airflowDefault ?? '')) return { skipped: 'default' };
  // An empty value that was the home's own default is a generated airflow.cfg line, not a choice.
  if (value.trim() === '' && sameValue('', defaultNear(name(o.section, o.key), [c.detected]) ?? '')) return { skipped: 'default' };
  // Last: only a value that would otherwise be sent is worth a finding.
  const infrastructure = infrastructureOf(full);
  if (infrastructure) return { skipped: 'infrastructure', detail: `${infrastructure.what}: ${infrastructure.reason}` };
  return { sent: { section, key, value } };
}

/**
 * What the plan does with each option: send it under the name the target reads when it is not
 * secret, not set or replaced by MWAA, still in the target's option list, not a host path, and
 * different from the default MWAA would otherwise use (its own default where it has one, else
 * Airflow's). Deprecated values are sent rewritten. Airflow reads a new name before an old one.
 */
export function carryDecisions(inv: Inventory, target: string): readonly CarryDecision[] {
  // Seven rules and the plan ask for the same home's decisions: made once per inventory and target.
  let byTarget = decided.get(inv);
  if (!byTarget) decided.set(inv, (byTarget = new Map()));
  let decisions = byTarget.get(target);
  if (!decisions) byTarget.set(target, (decisions = decideAll(inv, target)));
  return decisions;
}
const decided = new WeakMap<Inventory, Map<string, readonly CarryDecision[]>>();

function decideAll(inv: Inventory, target: string): readonly CarryDecision[] {
  const backend = inv.config.options.find((o) => name(...currentName(o.section, o.key, target)) === 'secrets.backend' && o.valueFrom === 'literal');
  const context: Context = {
    target,
    detected: detectedVersion(inv.airflowVersion),
    mwaaDefaults: new Map(defaultsFor(target).map((d) => [d.option, d.value])),
    foreignBackend: Boolean(backend?.value?.trim()) && !usableBackend(backend!.value!),
  };
  const decisions: CarryDecision[] = inv.config.options.map((option) => ({ option, problem: null, ...decide(option, context) }));
  const byNewName = new Map<string, CarryDecision>();
  for (const d of decisions.filter((d) => d.sent)) {
    const full = name(d.sent!.section, d.sent!.key);
    const other = byNewName.get(full);
    const written = (x: CarryDecision) => name(x.option.section, x.option.key) === full;
    if (other && !written(d)) Object.assign(d, { sent: undefined, skipped: 'shadowed' });
    else {
      if (other) Object.assign(other, { sent: undefined, skipped: 'shadowed' });
      byNewName.set(full, d);
    }
  }
  for (const d of decisions) if (d.sent) d.problem = formatProblem(name(d.sent.section, d.sent.key), d.sent.value);
  return decisions;
}

/** The decisions that send an option MWAA accepts, sorted by name: what the plan and `size` carry over. */
export function sentDecisions(inv: Inventory, target: string): (CarryDecision & { sent: CarryOver })[] {
  return carryDecisions(inv, target)
    .filter((d): d is CarryDecision & { sent: CarryOver } => d.sent !== undefined && d.problem === null)
    .sort((a, b) => compareNames(a.sent.section, b.sent.section) || compareNames(a.sent.key, b.sent.key));
}

/** Options safe to pass to MWAA as AirflowConfigurationOptions (see carryDecisions), sorted. */
export function carryOverOptions(inv: Inventory, target: string): CarryOver[] {
  return sentDecisions(inv, target).map((d) => d.sent);
}

const SKIPPED: Record<Skip, string> = {
  secret: 'the plan does not send it: its value is a secret or read indirectly, which belongs in Secrets Manager (the SEC rules)',
  owned: 'the plan does not send it: MWAA sets or replaces it (the MWAA rules)',
  invalid: 'the plan does not send it: the value is not valid there, so MWAA uses the default',
  unknown: "the plan does not send it: the target's own option list has no option of that name (if a provider reads it, pass it yourself)",
  'host-path': 'the plan does not send it: it names a folder of the old host, and MWAA sets its own',
  default: 'the plan sends nothing for it: MWAA already uses that value',
  shadowed: 'the plan sends the newer name instead, which the home also sets and Airflow reads first',
  infrastructure: 'the plan does not send it: it configures',
  unresolved: "the plan does not send it: the old host's environment filled in its value, and",
  'execution-date': 'the plan does not send it: it uses execution_date, which Airflow 3 no longer has, in a way with no safe rewrite (write it with run_id or logical_date)',
  backend: 'the plan does not send it: MWAA cannot use this secrets backend (only the AWS Secrets Manager and Systems Manager backends work there), and without its credentials every connection lookup would fail',
  sized: 'the plan sends celery.worker_autoscale from the sizing instead: tasks per worker follow the environment class',
};

/** What the plan does with an option, as a sentence, and whether the environment still gets the setting. */
export function planStatus(d: CarryDecision | undefined): { text: string; kept: boolean } {
  if (!d) return { text: 'the plan does not send it', kept: false };
  if (d.sent && d.problem) return { text: `the plan cannot send it: ${d.problem} (MWAA006)`, kept: false };
  if (d.sent) return { text: `the plan sends it to MWAA as ${d.sent.section}.${d.sent.key} = ${d.sent.value}`, kept: true };
  const text = d.detail ? `${SKIPPED[d.skipped!]} ${d.detail}` : SKIPPED[d.skipped!];
  return { text, kept: d.skipped === 'default' || d.skipped === 'shadowed' };
}

/** Options this home sets to another value than MWAA's own default for them: which value the environment gets, and why. */
export const mwaaDefaultOverridden: Matcher = (inv, ctx) => {
  const defaults = new Map(defaultsFor(ctx.target).map((d) => [d.option, d.value]));
  return carryDecisions(inv, ctx.target).flatMap((d) => {
    const { section, key, value } = d.option;
    const mwaa = defaults.get(name(...currentName(section, key, ctx.target)));
    // Secrets and indirect values are the SEC rules' business, and never shown; an empty value
    // chooses nothing, and one the plan leaves out as MWAA's own ('default') loses nothing.
    if (mwaa === undefined || value === null || value.trim() === '' || d.option.secret || d.option.valueFrom !== 'literal' || d.skipped === 'default' || sameValue(value, mwaa)) return [];
    const { text, kept } = planStatus(d);
    return [{ ...at(d.option.source), text: label(section, key), vars: { option: label(section, key), value, mwaaDefault: mwaa, plan: text, wins: kept ? `this home's ${value}` : `MWAA's ${mwaa}`, target: ctx.target } }];
  });
};

export const mwaaFormat: Matcher = (inv, ctx) =>
  carryDecisions(inv, ctx.target)
    .filter((d) => d.sent && d.problem !== null)
    .map((d) => ({ ...at(d.option.source), text: label(d.option.section, d.option.key), vars: { option: label(d.option.section, d.option.key), key: name(d.sent!.section, d.sent!.key), problem: d.problem! } }));

// What the plan leaves out of AirflowConfigurationOptions, one rule per reason. An option renamed
// or moved in the target is already reported by its CFG change rule, whose message says the same.
const renamed = (o: ConfigOption, target: string) => ['renamed', 'moved'].includes(changeAt(o.section, o.key, o.value, target)?.row.kind ?? '');

const leftOut =
  (keep: (d: CarryDecision, target: string) => boolean): Matcher =>
  (inv, ctx) =>
    carryDecisions(inv, ctx.target)
      .filter((d) => keep(d, ctx.target) && !renamed(d.option, ctx.target))
      .map((d) => ({ ...at(d.option.source), text: label(d.option.section, d.option.key), vars: { option: label(d.option.section, d.option.key), value: d.option.value ?? '', plan: planStatus(d).text, target: ctx.target } }));

export const carryUnresolved = leftOut((d) => d.skipped === 'unresolved');
export const carryInfrastructure = leftOut((d) => d.skipped === 'infrastructure');
export const carryForeignBackend = leftOut((d, target) => d.skipped === 'backend' && name(...currentName(d.option.section, d.option.key, target)) === 'secrets.backend');
/** Sent rewritten for Airflow 3, or left out. */
export const carryExecutionDate = leftOut((d, target) => d.skipped === 'execution-date' || (d.sent !== undefined && Number.parseInt(target, 10) >= 3 && /\bexecution_date\b/.test(d.option.value ?? '')));
