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
const parts = (v) => String(v).split('.').map((p) => Number.parseInt(p, 10) || 0);
function compare(a, b) {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

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

// What losing a removed option does on MWAA, when the home set it to something other than its
// default (CFG002). airflow.cfg never goes to MWAA, so every removal is at least cleanup (info);
// a warning where a behaviour DAGs, alerts or API clients may rely on goes away; an error only
// where DAGs that worked will fail. Keyed by section.option or section.*; a removed row no entry
// covers fails the generation.
const INFO_MWAA_RUNS_IT = 'MWAA runs and configures this part of Airflow itself, and nothing a DAG does depends on it';
const INFO_UI = "it shaped the old Flask web UI, which Airflow 3's API server and new UI replace; MWAA runs the web server";
const INFO_LOGS = 'it chose where and how Airflow wrote logs; MWAA sends every log to CloudWatch Logs';
const INFO_EXECUTOR = 'it configured an executor MWAA does not run (MWAA always runs Celery workers it manages)';
const INFO_AUTH = "it configured sign-in, which MWAA replaces with IAM";
const INFO_NOW_DEFAULT = 'its behaviour became the only one, so nothing changes';
const IMPACT = {
  'core.hostname': ['info', INFO_MWAA_RUNS_IT],
  'core.check_slas': ['info', 'SLAs are gone in Airflow 3 (the argument rules report DAGs that set sla=), so the switch has nothing left to turn on or off'],
  'core.strict_dataset_uri_validation': ['info', INFO_NOW_DEFAULT],
  'core.dag_default_view': ['info', INFO_UI],
  'core.dag_orientation': ['info', INFO_UI],
  'core.task_runner': ['info', INFO_MWAA_RUNS_IT],
  'core.enable_xcom_pickling': ['error', 'XCom values are no longer pickled, so tasks that push or pull objects Airflow cannot serialise (class instances, sets of custom objects...) fail'],
  'core.dag_processor_manager_log_location': ['info', INFO_LOGS],
  'core.log_processor_filename_template': ['info', INFO_LOGS],
  'logging.*': ['info', INFO_LOGS],
  'elasticsearch.log_id_template': ['info', INFO_LOGS],
  'traces.otel_task_log_event': ['info', INFO_LOGS],
  'metrics.*': ['info', "MWAA's metrics sidecar publishes Airflow's metrics to CloudWatch"],
  'operators.allow_illegal_arguments': ['error', 'operators no longer accept unknown arguments, so DAGs that pass one fail to import'],
  'webserver.*': ['info', INFO_UI],
  'scheduler.dependency_detector': ['warning', 'a custom dependency detector no longer draws the cross-DAG dependencies this home added to the UI'],
  'scheduler.allow_trigger_in_future': ['warning', 'runs can no longer be triggered with a logical date in the future'],
  'scheduler.*': ['info', INFO_MWAA_RUNS_IT],
  'smtp.smtp_user': ['warning', 'Airflow 3 reads the SMTP login from the smtp_default connection only, so email alerts go out without it (or fail) until that connection exists'],
  'smtp.smtp_password': ['warning', 'Airflow 3 reads the SMTP login from the smtp_default connection only, so email alerts go out without it (or fail) until that connection exists'],
  'database.load_default_connections': ['info', "MWAA creates the environment's metadata database itself"],
  'email.email_backend': ['warning', 'the sendgrid module it names is gone, so email alerts fail until the backend points at the sendgrid provider'],
  'core.secure_mode': ['info', INFO_UI],
  'core.store_serialized_dags': ['info', INFO_NOW_DEFAULT],
  'core.store_dag_code': ['info', INFO_NOW_DEFAULT],
  'core.donot_pickle': ['info', INFO_NOW_DEFAULT],
  'core.database_access_isolation': ['info', INFO_MWAA_RUNS_IT],
  'core.internal_api_url': ['info', INFO_MWAA_RUNS_IT],
  'core.internal_api_secret_key': ['info', INFO_MWAA_RUNS_IT],
  'ldap.*': ['info', INFO_AUTH],
  'github_enterprise.*': ['info', INFO_AUTH],
  'api.google_oauth2_audience': ['info', INFO_AUTH],
  'api.google_key_path': ['info', INFO_AUTH],
  'api.enable_experimental_api': ['warning', 'the experimental REST API is gone, so clients that call /api/experimental get errors'],
  'api.enable_xcom_deserialize_support': ['warning', 'API clients can no longer ask for deserialised XCom values'],
  'mesos.*': ['info', INFO_EXECUTOR],
  'kubernetes.*': ['info', INFO_EXECUTOR],
  'kubernetes_executor.*': ['info', INFO_EXECUTOR],
  'celery.worker_umask': ['info', INFO_MWAA_RUNS_IT],
  'smart_sensor.*': ['warning', 'smart sensors are gone, so every sensor they consolidated takes a worker slot again (deferrable sensors or mode="reschedule" free them)'],
  'atlas.*': ['info', 'it configured a lineage backend that no captured Airflow 2.7+ reads'],
  'cli.*': ['info', "the CLI on MWAA goes through the environment's CLI token endpoint"],
  'debug.fail_fast': ['info', 'it only applied to local debug runs'],
  'usage_data_collection.*': ['info', INFO_MWAA_RUNS_IT],
};

function impactOf(row) {
  const impact = IMPACT[`${row.section}.${row.option}`] ?? IMPACT[`${row.section}.*`];
  if (!impact) throw new Error(`config-changes.mjs: judge what losing the removed option ${row.section}.${row.option} does on MWAA (IMPACT)`);
  return { severity: impact[0], impact: impact[1] };
}

/**
 * Airflow 3's lint table files every 3.x move under 3.0; where Airflow's own deprecated_options
 * table dates the same move to a later release and the 3.0 capture still has the old name, the
 * dated release is right (3.0.6 still reads [webserver] page_size, which moved in 3.1.0).
 */
function redate(rows, raw, matrix) {
  const dated = new Map();
  raw.forEach((c, i) => {
    if (/deprecated_options/.test(c.source) && c.new_section) dated.set(`${c.section}.${c.option}>${c.new_section}.${c.new_option}`, rows[i]);
  });
  raw.forEach((c, i) => {
    const better = dated.get(`${c.section}.${c.option}>${c.new_section}.${c.new_option}`);
    const row = rows[i];
    const oldAt = matrix.options[`${c.section}.${c.option}`]?.present_in.map(versionName) ?? [];
    if (!/CONFIGS_CHANGES/.test(c.source) || !better || compare(better.since, row.since) <= 0 || !oldAt.includes(row.since)) return;
    row.reason = `Airflow 3's lint table files this under ${row.since}, but ${better.id} (Airflow's deprecated_options table) dates it to ${better.since}, and the ${row.since} option list still has [${c.section}] ${c.option}`;
    row.since = better.since;
  });
}

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
  redate(changes, table.changes, matrix);
  const sections = expandSections(changes, matrix);
  const derived = table.derived_disappearances.items.map(derivedRow);
  for (const row of [...changes, ...derived, ...sections]) if (row.kind === 'removed' && row.verdict === 'check') Object.assign(row, impactOf(row));
  if (changes.length !== table.count || derived.length !== table.derived_disappearances.count) {
    throw new Error('config-changes.yml: row counts disagree with the counts the file states');
  }
  return {
    description:
      "Airflow configuration changes between versions, generated from config-changes.yml; do not edit by hand. `table`: changes, derived (derived_disappearances) or section (options a whole-section move leaves behind). `since`: the version of the change. `options`: what a whole-section row (`option: *`) moves. `readAt`: captured versions whose deprecation table still maps the old name or value (read with a warning there). `pattern`: the deprecated value (JS regex, searched). `equals`: the value a conditional removal or an invalid value needs. `verdict`: whether a rule checks the row, with `reason` where one was judged. `severity` and `impact`: for a checked removal, what losing a non-default value does on MWAA.",
    rows: [...changes, ...derived, ...sections],
  };
}
