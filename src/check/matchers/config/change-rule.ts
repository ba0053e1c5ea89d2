import type { ConfigOption, Inventory, VersionDecision } from '../../../home/inventory.js';
import { airflowConfigCatalog, compareVersions } from '../../../refdata/airflow-config.js';
import type { CheckContext, Hit, Matcher, Severity } from '../../types.js';
import { carryDecisions, planStatus, type CarryDecision } from './carry.js';
import { changeAt, claimOf, currentName, goneBefore, isHomeDefault, isRename, rewrite, type Change } from './changes.js';
import { at, changeRows, knownValue, label, mwaaOptions, name, rowsFor, shown, unsetAt, type ChangeKind } from './tables.js';

// config-change: renamed, moved, removed options, deprecated or invalid values, changed defaults.
// unknown-option: options in no captured Airflow version and in no table.
//
// airflow.cfg never goes to MWAA: the plan sends what it can carry over (carry.ts). So a hit is an
// error only where the environment loses a setting its DAGs need; an old name the plan sends under
// the new one, or an option that already does nothing on the home's own version, is cleanup.

const HOW: Record<VersionDecision['source'], string> = {
  flag: 'given with --airflow-version',
  'requirements-pin': 'pinned in the requirements',
  'constraints-url': "from a constraints URL's version",
  'image-tag': "from an Airflow image's tag",
  'pinned-file': 'from a pinned package list',
  'config-fingerprint': "guessed from airflow.cfg's options",
  'dag-imports': "guessed from the DAGs' imports",
  none: 'not found',
};

/** Which version of the home a sentence assumes, and on what evidence (the inventory's decision). */
export function assumedVersion(inv: Inventory, detected: string | null): string {
  const v = inv.airflowVersion;
  if (!detected) return 'no Airflow version was found for this home';
  const which = v.version ? `Airflow ${v.version}` : `Airflow ${v.family ?? detected} (taken as ${detected})`;
  return `this home was taken to run ${which}, ${HOW[v.source] ?? v.source}, ${v.confidence} confidence`;
}

interface ChangeParams {
  kinds: ChangeKind[];
}

function removedVars(o: ConfigOption, c: Change, inv: Inventory, ctx: CheckContext): { vars: Record<string, string>; severity?: Severity } {
  const r = c.row;
  const evidence =
    r.table !== 'changes'
      ? `it is not in Airflow's option list from ${r.since} on`
      : r.equals !== undefined
        ? `Airflow ${r.since} no longer accepts this value for it`
        : `Airflow ${r.since} removed it`;
  if (goneBefore(r, name(o.section, o.key), ctx.detected)) {
    const own = compareVersions(r.since, ctx.detected!) <= 0 ? evidence : `Airflow ${ctx.detected}'s option list does not have it`;
    return {
      vars: { effect: 'has no effect today', evidence: `${own} (${assumedVersion(inv, ctx.detected)})`, impact: ' Dropping it changes nothing, here or on MWAA.' },
      severity: 'info',
    };
  }
  return {
    vars: { effect: `has no effect on Airflow ${ctx.target}`, evidence, impact: r.impact ? ` On MWAA: ${r.impact}.` : '' },
    ...(r.severity ? { severity: r.severity } : {}),
  };
}

function changeVars(o: ConfigOption, c: Change, plan: CarryDecision | undefined, inv: Inventory, ctx: CheckContext): { vars: Record<string, string>; severity?: Severity } {
  const r = c.row;
  const target = ctx.target;
  const status = planStatus(plan);
  const vars: Record<string, string> = { option: label(o.section, o.key), since: c.since, target, value: shown(o), note: r.note ? ` ${r.note}` : '', plan: status.text };
  if (r.kind === 'removed') {
    const removed = removedVars(o, c, inv, ctx);
    return { vars: { ...vars, ...removed.vars }, ...(removed.severity ? { severity: removed.severity } : {}) };
  }
  if (isRename(r)) {
    vars['new'] = label(...currentName(o.section, o.key, target));
    vars['status'] = c.tolerated ? `Airflow ${target} still reads the old name, with a deprecation warning` : `Airflow ${target} no longer reads the old name`;
    // The plan sends the new name, so the environment keeps the setting: cleanup only.
    return { vars, severity: status.kept ? 'info' : 'warning' };
  }
  if (r.kind === 'value-changed') {
    const readAs = rewrite(r, o.value!);
    vars['problem'] = `is deprecated since Airflow ${r.since} (read as ${readAs ?? "Airflow's current default"}); ${
      c.tolerated ? `Airflow ${target} still rewrites it, with a warning` : `Airflow ${target} no longer rewrites it`
    }`;
    vars['remedy'] = readAs ? `Set it to ${readAs}` : 'Remove it, so Airflow uses its current default';
  } else {
    vars['problem'] = `is not valid from Airflow ${r.since} on`;
    vars['remedy'] = 'Set a valid value';
  }
  return { vars };
}

/** Defaults that change between the home's version and the target, for options the home leaves unset. */
function defaultChanges(inv: Inventory, ctx: CheckContext): Hit[] {
  const set = new Set(inv.config.options.map((o) => name(...currentName(o.section, o.key, ctx.target))));
  // The one place the source version changes the meaning: a home already on the new default loses nothing.
  const applies = (since: string) => compareVersions(since, ctx.target) <= 0 && !(ctx.detected && compareVersions(since, ctx.detected) <= 0);
  return changeRows()
    .filter((r) => r.kind === 'default-changed' && r.verdict === 'check' && applies(r.since) && !set.has(name(r.section, r.option)))
    .map((r) => ({
      ...unsetAt(inv),
      text: label(r.section, r.option),
      vars: {
        option: label(r.section, r.option),
        key: name(r.section, r.option),
        since: r.since,
        oldDefault: r.oldDefault ?? '',
        newDefault: r.newDefault ?? '',
        note: r.note ? ` ${r.note}` : '',
        assumed: ctx.detected ? assumedVersion(inv, ctx.detected) : `${assumedVersion(inv, null)}, so it is assumed to run a version before ${r.since}`,
      },
    }));
}

export const configChange: Matcher = (inv, ctx, raw) => {
  const kinds = new Set((raw as unknown as ChangeParams).kinds);
  const plan = new Map(carryDecisions(inv, ctx.target).map((d) => [d.option, d]));
  const hits: Hit[] = [];
  for (const o of inv.config.options) {
    const value = knownValue(o);
    const claim = claimOf(o.section, o.key, value, ctx.target);
    if (claim === 'replaced' || claim === 'reserved') continue;
    const c = changeAt(o.section, o.key, value, ctx.target);
    if (!c || !kinds.has(c.row.kind)) continue;
    // A renamed or removed option left at the default of the home's version (a generated
    // airflow.cfg lists them all) loses nothing; conditional rows are about such values.
    if ((isRename(c.row) || (c.row.kind === 'removed' && c.row.equals === undefined)) && isHomeDefault(o, ctx.detected)) continue;
    const { vars, severity } = changeVars(o, c, plan.get(o), inv, ctx);
    hits.push({ ...at(o.source), text: label(o.section, o.key), vars, ...(severity ? { severity } : {}) });
  }
  if (kinds.has('default-changed')) hits.push(...defaultChanges(inv, ctx));
  return hits;
};

export const unknownOption: Matcher = (inv, ctx) => {
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
