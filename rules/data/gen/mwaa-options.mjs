// mwaa-options.json: what MWAA owns in the Airflow configuration. Options its images set and a
// user cannot override, the defaults it changes, the environment variables it protects, and the
// settings it replaces with its own services (CloudWatch logging, IAM login).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

export const output = 'mwaa-options.json';

// Comments in mwaa.yaml that give the value MWAA forces; the other comments are descriptions
// ("SQS") or name the Airflow line ("Airflow 2").
const FORCED_VALUES = new Set(['core.executor', 'celery_broker_transport_options.visibility_timeout', 'core.load_examples', 'scheduler.standalone_dag_processor']);

const OPTION = /^[a-z_]+\.[a-z0-9_]+$/;
const airflowLine = (comment) => /Airflow 2/.test(comment ?? '') ? '2' : /Airflow 3/.test(comment ?? '') ? '3' : 'all';

function assertOption(o, where) {
  if (!OPTION.test(o)) throw new Error(`mwaa.yaml ${where}: '${o}' is not a section.option`);
  return o;
}

/** set_by_mwaa_cannot_override: plain entries, two lists joined by '/' or ',', and two prose entries. */
function reservedOptions(seq) {
  const reserved = [];
  const merged = [];
  for (const item of seq.items) {
    const text = String(item.value);
    const comment = item.comment?.trim();
    if (text.startsWith('metrics.*')) {
      // MWAA's CloudWatch metrics sidecar takes over where statsd sends; statsd_on and the
      // allow/block lists stay the user's (the entry says so).
      for (const key of ['statsd_host', 'statsd_port', 'statsd_prefix']) {
        reserved.push({ option: `metrics.${key}`, airflow: 'all', note: 'set by MWAA when its CloudWatch metrics integration is on' });
      }
      merged.push({ option: 'metrics.statsd_on', note: 'honoured by MWAA\'s metrics sidecar' });
      merged.push({ option: 'metrics.metrics_allow_list', note: 'honoured by MWAA\'s metrics sidecar' });
      merged.push({ option: 'metrics.metrics_block_list', note: 'honoured by MWAA\'s metrics sidecar' });
      continue;
    }
    if (text.startsWith('celery.extra_celery_config:')) {
      merged.push({ option: 'celery.extra_celery_config', note: 'merged with MWAA\'s settings; broker keys are forced (Airflow 3.3 image)' });
      continue;
    }
    for (const part of text.split(/\s*[/,]\s*/)) {
      const option = assertOption(part, 'set_by_mwaa_cannot_override');
      const entry = { option, airflow: airflowLine(comment) };
      if (FORCED_VALUES.has(option)) {
        if (!comment) throw new Error(`mwaa.yaml: ${option} lost the comment that gives its forced value`);
        entry.value = comment;
      } else if (comment && entry.airflow === 'all') entry.note = comment;
      reserved.push(entry);
    }
  }
  return { reserved, merged };
}

// Which opinionated defaults change how DAGs run (and so deserve a finding when the home relies
// on Airflow's default), and why the others do not.
const NOTABLE = {
  'core.execute_tasks_new_python_interpreter': [true, 'every task starts a fresh Python interpreter: slower task start, no state shared with the worker process'],
  'scheduler.schedule_after_task_execution': [true, 'a finished task no longer schedules its downstream tasks at once; they wait for the next scheduler loop'],
  'scheduler.task_queued_timeout': [true, 'tasks stuck in the queue fail after 30 minutes instead of Airflow\'s default'],
  'core.sensitive_var_conn_names': [false, 'only adds names whose values get masked'],
  'secrets.backend_kwargs': [false, 'a secret option; the secrets rules cover the backend'],
  'workers.secrets_backend_kwargs': [false, 'a secret option; the secrets rules cover the backend'],
  'usage_data_collection.enabled': [false, 'telemetry only'],
  'database.sql_alchemy_connect_args': [false, 'concerns MWAA\'s own metadata database'],
  'api.server_type': [false, 'concerns MWAA\'s own API server'],
  'api.worker_refresh_interval': [false, 'concerns MWAA\'s own API server'],
  'api.worker_refresh_batch_size': [false, 'concerns MWAA\'s own API server'],
};

/** set_by_mwaa_user_may_override: `a / b / c: "x / y / z (Airflow 3)"` and `"same as above"` forms. */
function opinionatedDefaults(map) {
  const out = [];
  let previous = null;
  for (const pair of map.items) {
    const keys = String(pair.key.value).split(/\s*\/\s*/);
    let text = String(pair.value.value);
    const airflow = airflowLine(text);
    text = text.replace(/\s*\(Airflow \d\)$/, '');
    const values = text === 'same as above' ? [previous] : keys.length > 1 ? text.split(/\s*\/\s*/) : [text];
    if (values.length !== keys.length) throw new Error(`mwaa.yaml set_by_mwaa_user_may_override: ${pair.key.value} has ${values.length} values`);
    keys.forEach((k, i) => {
      const option = assertOption(k, 'set_by_mwaa_user_may_override');
      const judged = NOTABLE[option];
      if (!judged) throw new Error(`mwaa-options.mjs: judge whether MWAA's default for ${option} is notable`);
      out.push({ option, value: values[i], airflow, notable: judged[0], why: judged[1] });
    });
    previous = values.at(-1);
  }
  return out;
}

export function generate(ref) {
  const doc = parseDocument(readFileSync(join(ref, 'mwaa/mwaa.yaml'), 'utf8'));
  const opts = (path) => doc.getIn(['configuration_options', ...path], true);
  const { reserved, merged } = reservedOptions(opts(['set_by_mwaa_cannot_override']));
  const env = opts(['reserved_environment_variables']).toJSON();
  // Protected AIRFLOW__SECTION__KEY variables are options too: MWAA sets them in every container.
  for (const name of env.names) {
    const m = /^AIRFLOW__([A-Z0-9_]+?)__([A-Z0-9_]+)$/.exec(name);
    if (m) reserved.push({ option: `${m[1].toLowerCase()}.${m[2].toLowerCase()}`, airflow: 'all', note: `MWAA protects the environment variable ${name}` });
  }
  return {
    description:
      "Configuration MWAA owns, generated from the MWAA reference (mwaa.yaml, from the MWAA runtime images); do not edit by hand. `reserved`: options MWAA sets and a user cannot override (value: what MWAA sets, when known; airflow: the Airflow line the entry applies to). `merged`: options MWAA combines with the user's value. `defaults`: MWAA's own defaults for options a user may set (notable: changes how DAGs run). `replaced`: settings for services MWAA provides itself.",
    reserved,
    merged,
    defaults: opinionatedDefaults(opts(['set_by_mwaa_user_may_override'])),
    protectedEnv: { prefix: String(env.prefix_reserved).replace(/\*$/, ''), names: env.names },
    // Not a list in mwaa.yaml: MWAA forces logging.logging_config_class and sends every log to
    // CloudWatch Logs (LoggingConfiguration), and its web server signs users in through IAM
    // (README: "Custom auth/RBAC: MWAA maps IAM to Airflow roles"; core.auth_manager is forced).
    // These are the Airflow settings that configure the services it replaces.
    replaced: {
      'remote-logging': {
        service: 'CloudWatch Logs',
        options: [
          'logging.remote_logging',
          'logging.remote_base_log_folder',
          'logging.remote_log_conn_id',
          'logging.remote_task_handler_kwargs',
          'logging.encrypt_s3_logs',
          'logging.google_key_path',
          'elasticsearch.*',
          'elasticsearch_configs.*',
        ],
      },
      auth: {
        service: 'IAM sign-in',
        options: [
          'api.auth_backend',
          'api.auth_backends',
          'fab.auth_backends',
          'webserver.authenticate',
          'webserver.auth_backend',
          'core.auth_manager',
          'core.simple_auth_manager_users',
          'core.simple_auth_manager_all_admins',
          'core.simple_auth_manager_passwords_file',
          'ldap.*',
        ],
      },
    },
    keyPattern: doc.getIn(['configuration_options', 'key_constraints']).toJSON(),
    valueConstraints: { min: 1, max: 65536, printableAscii: true },
  };
}
