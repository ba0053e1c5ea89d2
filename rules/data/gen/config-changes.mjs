// config-changes.json: Airflow configuration options renamed, moved, removed, or given new values
// or defaults between versions (airflow/config-changes.yml), one row per table entry. Every row
// carries a verdict: `check` (a CFG rule tests it) or `not-applicable`, with the reason. The
// mechanically derived disappearances are judged one by one below.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const output = 'config-changes.json';

// The 3.x catalogues are main-branch points; rules name them by their line, as airflow-config.json does.
const versionName = (v) => String(v).replace(/-main-branchpoint$/, '');

/** Airflow's deprecated_values patterns are Python regexes, some written as re.escape() calls. */
function jsPattern(py) {
  const escaped = /^(?:'\^' \+ )?re2?\.escape\('(.*)'\)(?: \+ '\$')?$/s.exec(py);
  let source;
  let flags = '';
  if (escaped) {
    const literal = escaped[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    source = py.startsWith("'^'") ? `^${literal}$` : literal;
  } else {
    source = py;
    if (source.startsWith('(?i)')) {
      flags = 'i';
      source = source.slice(4);
    }
    source = source.replace(/\\A/g, '^').replace(/\\[Zz]/g, '$');
  }
  new RegExp(source, flags); // fails the generation on a pattern JS cannot read
  return { source, flags };
}

// Rows of changes[] that no rule should test on MWAA.
const CHANGES_NOT_APPLICABLE = {
  'default-changed core.executor':
    "MWAA always runs CeleryExecutor and sets [core] executor itself, so Airflow's default executor never applies; MWAA002 reports the executor a home uses",
};

// derived_disappearances: options absent from one captured option list on. Judged per section or
// option; an item no entry covers fails the generation, so a new reference forces a decision.
const PROVIDER_REASON = (d) =>
  `not a removal: from 2.7 the [${d.section}] section is declared by ${d.provider}'s provider.yaml instead of core config.yml, and Airflow still reads it when that package is installed`;
const GONE = (d) =>
  `absent from Airflow's option list from ${versionName(d.absent_in)} on (last seen in ${versionName(d.last_seen_in)}), in no later captured version and in no deprecation table, so Airflow no longer reads it`;
const DERIVED = {
  'core.secure_mode': GONE,
  'core.store_serialized_dags': (d) => `${GONE(d)}; Airflow 2 always serializes DAGs`,
  'core.store_dag_code': GONE,
  'core.donot_pickle': GONE,
  'core.database_access_isolation': GONE,
  'core.internal_api_url': GONE,
  'core.internal_api_secret_key': GONE,
  'webserver.authenticate': (d) => `${GONE(d)}; the 1.10 UI's login switch (upgrade_check LegacyUIDeprecated: FAB RBAC is on by default)`,
  'webserver.filter_by_owner': GONE,
  'webserver.owner_mode': GONE,
  'webserver.rbac': (d) => `${GONE(d)}; upgrade_check LegacyUIDeprecated: the legacy UI is gone and FAB RBAC is always on`,
  'webserver.demo_mode': GONE,
  'webserver.dag_default_view': GONE,
  'webserver.dag_orientation': GONE,
  'scheduler.run_duration': GONE,
  'scheduler.authenticate': GONE,
  'scheduler.clean_tis_without_dagrun_interval': GONE,
  'scheduler.schedule_after_task_execution': GONE,
  'scheduler.standalone_dag_processor': (d) => `${GONE(d)}; Airflow 3 always runs the DAG processor on its own`,
  'ldap.*': (d) => `${GONE(d)}; the whole [ldap] section configured the 1.10 UI's LDAP login`,
  'mesos.*': (d) => `${GONE(d)}; upgrade_check MesosExecutorRemovedRule: the Mesos executor was removed`,
  'logging.extra_loggers': GONE,
  'celery.worker_umask': GONE,
  'github_enterprise.api_rev': GONE,
  'smart_sensor.*': (d) => `${GONE(d)}; the whole [smart_sensor] section went with smart sensors`,
  'kubernetes_executor.worker_pods_pending_timeout_batch_size': GONE,
  'atlas.*': (d) => `${GONE(d)}; the whole [atlas] section, which is not one of the provider-declared sections`,
  'cli.api_client': GONE,
  'cli.endpoint_url': GONE,
  'debug.fail_fast': GONE,
  'api.enable_experimental_api': GONE,
  'api.google_oauth2_audience': GONE,
  'api.google_key_path': GONE,
  'api.enable_xcom_deserialize_support': GONE,
  'usage_data_collection.enabled': GONE,
};

function judgeDerived(d) {
  if (d.kind === 'moved' && d.provider) return { verdict: 'not-applicable', reason: PROVIDER_REASON(d) };
  const judge = DERIVED[`${d.section}.${d.option}`] ?? DERIVED[`${d.section}.*`];
  if (d.kind !== 'removed' || !judge) throw new Error(`config-changes.mjs: judge the derived disappearance ${d.section}.${d.option} (${d.kind})`);
  return { verdict: 'check', reason: judge(d) };
}

// Notes from Airflow 3's lint table explain a change; the deprecation tables' notes are our own
// boilerplate and say nothing about the option.
const usefulNote = (c) => (/CONFIGS_CHANGES/.test(c.source) && c.note ? c.note.trim() : undefined);

function changeRow(c, i) {
  const readAt = (c.in_deprecation_table_at ?? []).map(versionName);
  const row = {
    id: `C${String(i + 1).padStart(3, '0')}`,
    table: 'changes',
    kind: c.kind,
    section: c.section,
    option: c.option,
    newSection: c.new_section ?? null,
    newOption: c.new_option ?? null,
    // value-changed rows have no version of their own: they apply from the first table that holds them.
    since: c.since != null ? String(c.since) : readAt[0] ?? versionName(c.in_lint_table_at[0]),
    readAt,
  };
  if (c.old_value_pattern) {
    row.pattern = jsPattern(c.old_value_pattern);
    row.replacement = c.replacement_value === 'XX-set-after-default-config-loaded-XX' ? null : c.replacement_value;
    if (c.removal_version) row.removal = String(c.removal_version);
  }
  if (c.only_if_value_equals !== undefined) row.equals = String(c.only_if_value_equals);
  if (c.invalid_value !== undefined) row.equals = String(c.invalid_value);
  if (c.old_default !== undefined) Object.assign(row, { oldDefault: String(c.old_default), newDefault: String(c.new_default) });
  const note = usefulNote(c);
  if (note) row.note = note;
  const na = CHANGES_NOT_APPLICABLE[`${c.kind} ${c.section}.${c.option}`];
  Object.assign(row, na ? { verdict: 'not-applicable', reason: na } : { verdict: 'check' });
  return row;
}

/**
 * A whole-section move (`option: '*'`) moves the options that exist under the new section; the
 * section's other options had vanished before the move (config-changes.yml does not list them),
 * and become removals of their own.
 */
function expandSections(changes, matrix) {
  const extra = [];
  for (const row of changes.filter((r) => r.option === '*')) {
    const keys = Object.values(matrix.options).filter((o) => o.section === row.section).map((o) => o.option);
    row.options = keys.filter((k) => matrix.options[`${row.newSection}.${k}`]).sort();
    for (const k of keys.filter((k) => !row.options.includes(k)).sort()) {
      const present = matrix.options[`${row.section}.${k}`].present_in;
      const absent = matrix.versions[matrix.versions.indexOf(present.at(-1)) + 1];
      extra.push({
        id: `S${String(extra.length + 1).padStart(3, '0')}`,
        table: 'section',
        kind: 'removed',
        section: row.section,
        option: k,
        newSection: null,
        newOption: null,
        since: versionName(absent),
        readAt: [],
        verdict: 'check',
        reason: `in [${row.section}] up to ${versionName(present.at(-1))} only, and not in [${row.newSection}] where ${row.id} moves that section: Airflow no longer reads it`,
      });
    }
  }
  return extra;
}

function derivedRow(d, i) {
  return {
    id: `D${String(i + 1).padStart(3, '0')}`,
    table: 'derived',
    kind: d.kind,
    section: d.section,
    option: d.option,
    newSection: d.new_section ?? null,
    newOption: d.new_option ?? null,
    since: versionName(d.absent_in),
    readAt: [],
    ...judgeDerived(d),
  };
}

export function generate(ref) {
  const table = parse(readFileSync(join(ref, 'airflow/config-changes.yml'), 'utf8'));
  const matrix = JSON.parse(readFileSync(join(ref, 'airflow/config-options-matrix.json'), 'utf8'));
  const changes = table.changes.map(changeRow);
  const sections = expandSections(changes, matrix);
  const derived = table.derived_disappearances.items.map(derivedRow);
  if (changes.length !== table.count || derived.length !== table.derived_disappearances.count) {
    throw new Error('config-changes.yml: row counts disagree with the counts the file states');
  }
  return {
    description:
      "Airflow configuration changes between versions, generated from config-changes.yml; do not edit by hand. `table`: changes, derived (derived_disappearances) or section (options a whole-section move leaves behind). `since`: the version of the change. `options`: what a whole-section row (`option: *`) moves. `readAt`: captured versions whose deprecation table still maps the old name or value (read with a warning there). `pattern`: the deprecated value (JS regex, searched). `equals`: the value a conditional removal or an invalid value needs. `verdict`: whether a rule checks the row, with `reason` where one was judged.",
    rows: [...changes, ...derived, ...sections],
  };
}
