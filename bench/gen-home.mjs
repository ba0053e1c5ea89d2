// Generates a deterministic synthetic Airflow home for the scanner benchmark.
//
//   node bench/gen-home.mjs [OUT_DIR] [--files N] [--seed S] [--force]
//
// Same seed and file count give the same bytes: every DAG file draws from its own PRNG
// seeded by (seed, index), so the content never depends on iteration order or the clock.
import { mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, readdirSync, realpathSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

// Bump whenever the output changes, so stale homes with an old marker get regenerated.
export const GENERATOR_VERSION = 1;
export const MARKER_FILE = '.bench-home.json';
export const DEFAULT_FILES = 10000;
export const DEFAULT_SEED = 1;
export const MIN_BYTES = 2 * 1024;
export const MAX_BYTES = 20 * 1024;

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function defaultOutDir(files) {
  return path.join(REPO_ROOT, 'bench', 'out', `home-${files}`);
}

// ---------------------------------------------------------------------------------------------
// PRNG

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// FNV-1a, so string seeds and (seed, index) pairs map to stable 32-bit PRNG seeds.
export function hashSeed(...parts) {
  let h = 0x811c9dc5;
  const s = parts.join('\u0000');
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.next() * arr.length)];
  }
  weighted(pairs) {
    let total = 0;
    for (const [w] of pairs) total += w;
    let r = this.next() * total;
    for (const [w, v] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    return pairs[pairs.length - 1][1];
  }
  sample(arr, k) {
    const a = arr.slice();
    const n = Math.min(k, a.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (a.length - i));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, n);
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const DOMAINS = [
  'orders', 'payments', 'customers', 'inventory', 'marketing', 'clickstream', 'finance', 'ledger',
  'shipments', 'churn', 'forecast', 'pricing', 'sessions', 'campaigns', 'invoices', 'subscriptions',
  'products', 'returns', 'fraud', 'support_tickets', 'vendors', 'payroll', 'leads', 'experiments',
  'recommendations', 'search_logs', 'web_events', 'partners', 'refunds', 'store_sales',
];
const VERBS = [
  'extract', 'load', 'transform', 'validate', 'publish', 'aggregate', 'dedupe', 'enrich', 'snapshot',
  'export', 'sync', 'reconcile', 'backfill', 'archive', 'compact', 'score', 'refresh', 'ingest',
  'rollup', 'audit',
];
const CADENCES = ['daily', 'hourly', 'weekly', 'nightly', 'monthly', 'intraday', 'incremental', 'full'];
const SUBDIRS = [
  'etl', 'reporting', 'ingest', 'ml', 'exports', 'quality', 'finance', 'marketing', 'ops', 'vendors',
  'streaming', 'warehouse', 'adhoc', 'sync', 'legacy', 'partners', 'compliance',
];
const SCHEMAS = ['raw', 'staging', 'analytics', 'mart', 'reporting', 'ods', 'dw'];
const COLUMNS = [
  'id', 'created_at', 'updated_at', 'customer_id', 'order_id', 'amount', 'currency', 'status',
  'country_code', 'region', 'channel', 'sku', 'quantity', 'unit_price', 'discount', 'tax', 'total',
  'is_active', 'email_hash', 'session_id', 'event_type', 'event_ts', 'device', 'campaign_id', 'source',
  'medium', 'ingested_at', 'batch_id', 'partner_id', 'store_id', 'net_revenue', 'gross_margin',
  'payment_method', 'shipping_method', 'warehouse_id', 'invoice_id', 'due_date', 'paid_at', 'score',
  'segment',
];
const REGIONS = ['us_east', 'us_west', 'eu_central', 'eu_west', 'ap_south', 'ap_northeast', 'sa_east'];
const OWNERS = ['data-eng', 'analytics', 'platform', 'ml-team', 'finance-data', 'growth', 'bi', 'ops', 'airflow'];
const BUCKETS = ['acme-data-lake', 'acme-raw-landing', 'acme-analytics-exports', 'acme-ml-features', 'acme-archive'];
const CONNS = {
  sql: ['warehouse', 'postgres_reporting', 'redshift_default', 'postgres_default', 'mysql_legacy'],
  aws: ['aws_default', 'aws_data_lake'],
  slack: ['slack_alerts', 'slack_data_eng'],
  http: ['vendor_api', 'partner_api', 'crm_api'],
  ssh: ['ssh_etl_host', 'ssh_legacy_reports'],
};
const CRONS = [
  '0 3 * * *', '30 1 * * *', '0 */2 * * *', '15 * * * *', '0 6 * * 1', '0 0 1 * *', '*/30 * * * *',
  '45 4 * * *', '0 12 * * 1-5', '10 2 * * *', '0 5 * * 0', '20 7 * * *',
];
const PRESETS = ['@daily', '@hourly', '@weekly', '@monthly', '@once'];

const SENTENCES = [
  'Loads the previous day of {d} from the {s} schema into the warehouse.',
  'The upstream export lands in S3 around 02:00 UTC, so the sensor waits up to three hours.',
  'Idempotent: each run deletes and re-inserts the partition for its logical date.',
  'Owned by {team}; page the on-call engineer if this fails twice in a row.',
  'Backfills are safe but slow; keep max_active_runs at 1 when replaying more than a week.',
  'Downstream dashboards read from {s}.{d}_summary, refreshed right after this run.',
  'The vendor API returns at most 1000 records per page and allows 10 requests per second.',
  'Row counts are compared with the source system and the run fails on a difference above 0.5%.',
  'See the runbook in the team wiki for manual recovery steps.',
  'This job replaced the old cron script on the reporting host in 2021.',
  'Late-arriving events are picked up by the next run through a two-day lookback window.',
  'Credentials come from the {conn} connection; never hard-code them here.',
  'PII columns are hashed before they leave the staging schema.',
  'Partitions older than 400 days are archived by a separate job.',
  'Runtime is usually under ten minutes; the SLA is one hour.',
  'Each region is processed independently so one slow region does not block the rest.',
  'Results are published to the {d} topic for the product teams.',
  'The transformation logic mirrors the finance definitions agreed in Q3.',
  'Schema changes upstream are detected by the validation step and fail the run early.',
  'Only files with a matching _SUCCESS marker are processed.',
];
const COMMENTS = [
  'Keep retries low: the upstream API rate-limits aggressively.',
  'TODO: move to the shared connection once the secrets migration is done.',
  'NOTE: the warehouse runs in UTC; the business day ends at 23:00 local time.',
  'The pool keeps us under the connection limit of the reporting database.',
  'Do not rename the task ids: downstream sensors depend on them.',
  'FIXME: slow for month-end loads, see ticket DATA-1432.',
  'reschedule mode frees the worker slot while waiting.',
  'Templated; rendered at run time.',
  'Split by region so one slow region does not hold up the others.',
  'The vendor sometimes delivers empty files on public holidays.',
  'Explicit timeout: the default would let a stuck query run for a day.',
  'Kept separate from the load so it can be cleared and re-run alone.',
  'Same query as the finance report; keep them in sync.',
  'Cheap check, so run it before the expensive transform.',
];

function fill(text, w) {
  return text
    .replaceAll('{d}', w.domain)
    .replaceAll('{s}', w.schema)
    .replaceAll('{team}', w.team)
    .replaceAll('{conn}', w.sqlConn);
}

function indent(text, n) {
  if (n === 0) return text;
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l.length ? pad + l : l))
    .join('\n');
}

const q = (s) => JSON.stringify(s); // double-quoted Python literal (pools hold no backslashes)
const pyList = (items) => `[${items.join(', ')}]`;

// ---------------------------------------------------------------------------------------------
// Imports collected while a file is built, rendered at the end like isort would.

const STDLIB = new Set(['json', 'logging', 'os', 'datetime', 'typing', 'textwrap', 'time', 'pathlib', 'csv', 'hashlib', 'tempfile']);

class Imports {
  constructor() {
    this.froms = new Map();
    this.plain = new Set();
    this.future = false;
  }
  from(mod, name) {
    if (!this.froms.has(mod)) this.froms.set(mod, new Set());
    this.froms.get(mod).add(name);
    return name;
  }
  import(mod) {
    this.plain.add(mod);
    return mod;
  }
  render() {
    const groups = [[], [], []];
    const group = (mod) => {
      const top = mod.split('.')[0];
      if (STDLIB.has(top)) return 0;
      return top === 'airflow' ? 2 : 1;
    };
    const entries = [];
    for (const mod of this.plain) entries.push({ mod, kind: 0, line: `import ${mod}` });
    for (const [mod, names] of this.froms) {
      const sorted = [...names].sort();
      let line = `from ${mod} import ${sorted.join(', ')}`;
      if (line.length > 99) line = `from ${mod} import (\n${sorted.map((n) => `    ${n},`).join('\n')}\n)`;
      entries.push({ mod, kind: 1, line });
    }
    // isort's default: `import x` lines first, then `from x import y`, each sorted by module.
    entries.sort((a, b) => a.kind - b.kind || (a.mod < b.mod ? -1 : a.mod > b.mod ? 1 : 0));
    for (const e of entries) groups[group(e.mod)].push(e.line);
    const out = groups.filter((g) => g.length).map((g) => g.join('\n'));
    if (this.future) out.unshift('from __future__ import annotations');
    return out.join('\n\n');
  }
}

// ---------------------------------------------------------------------------------------------
// Operator catalogue per era: [module, class name].

const OPS = {
  empty: {
    1: ['airflow.operators.dummy_operator', 'DummyOperator'],
    2: ['airflow.operators.empty', 'EmptyOperator'],
    3: ['airflow.providers.standard.operators.empty', 'EmptyOperator'],
  },
  bash: {
    1: ['airflow.operators.bash_operator', 'BashOperator'],
    2: ['airflow.operators.bash', 'BashOperator'],
    3: ['airflow.providers.standard.operators.bash', 'BashOperator'],
  },
  python: {
    1: ['airflow.operators.python_operator', 'PythonOperator'],
    2: ['airflow.operators.python', 'PythonOperator'],
    3: ['airflow.providers.standard.operators.python', 'PythonOperator'],
  },
  external: {
    1: ['airflow.sensors.external_task_sensor', 'ExternalTaskSensor'],
    2: ['airflow.sensors.external_task', 'ExternalTaskSensor'],
    3: ['airflow.providers.standard.sensors.external_task', 'ExternalTaskSensor'],
  },
  s3sensor: {
    1: ['airflow.sensors.s3_key_sensor', 'S3KeySensor'],
    2: ['airflow.providers.amazon.aws.sensors.s3', 'S3KeySensor'],
    3: ['airflow.providers.amazon.aws.sensors.s3', 'S3KeySensor'],
  },
  trigger: {
    1: ['airflow.operators.dagrun_operator', 'TriggerDagRunOperator'],
    2: ['airflow.operators.trigger_dagrun', 'TriggerDagRunOperator'],
    3: ['airflow.providers.standard.operators.trigger_dagrun', 'TriggerDagRunOperator'],
  },
  slack: {
    1: ['airflow.contrib.operators.slack_webhook_operator', 'SlackWebhookOperator'],
    2: ['airflow.providers.slack.operators.slack_webhook', 'SlackWebhookOperator'],
    3: ['airflow.providers.slack.operators.slack_webhook', 'SlackWebhookOperator'],
  },
  email: {
    1: ['airflow.operators.email_operator', 'EmailOperator'],
    2: ['airflow.operators.email', 'EmailOperator'],
    3: ['airflow.providers.smtp.operators.smtp', 'EmailOperator'],
  },
  k8s: {
    1: ['airflow.contrib.operators.kubernetes_pod_operator', 'KubernetesPodOperator'],
    2: ['airflow.providers.cncf.kubernetes.operators.pod', 'KubernetesPodOperator'],
    3: ['airflow.providers.cncf.kubernetes.operators.pod', 'KubernetesPodOperator'],
  },
  ssh: {
    1: ['airflow.contrib.operators.ssh_operator', 'SSHOperator'],
    2: ['airflow.providers.ssh.operators.ssh', 'SSHOperator'],
    3: ['airflow.providers.ssh.operators.ssh', 'SSHOperator'],
  },
  emr: {
    1: ['airflow.contrib.operators.emr_add_steps_operator', 'EmrAddStepsOperator'],
    2: ['airflow.providers.amazon.aws.operators.emr', 'EmrAddStepsOperator'],
    3: ['airflow.providers.amazon.aws.operators.emr', 'EmrAddStepsOperator'],
  },
  s3redshift: {
    1: ['airflow.operators.s3_to_redshift_operator', 'S3ToRedshiftTransfer'],
    2: ['airflow.providers.amazon.aws.transfers.s3_to_redshift', 'S3ToRedshiftOperator'],
    3: ['airflow.providers.amazon.aws.transfers.s3_to_redshift', 'S3ToRedshiftOperator'],
  },
  http: {
    1: ['airflow.operators.http_operator', 'SimpleHttpOperator'],
    2: ['airflow.providers.http.operators.http', 'SimpleHttpOperator'],
    3: ['airflow.providers.http.operators.http', 'HttpOperator'],
  },
  spark: {
    1: ['airflow.contrib.operators.spark_submit_operator', 'SparkSubmitOperator'],
    2: ['airflow.providers.apache.spark.operators.spark_submit', 'SparkSubmitOperator'],
    3: ['airflow.providers.apache.spark.operators.spark_submit', 'SparkSubmitOperator'],
  },
  glue: {
    1: ['airflow.contrib.operators.aws_glue_job_operator', 'AWSGlueJobOperator'],
    2: ['airflow.providers.amazon.aws.operators.glue', 'GlueJobOperator'],
    3: ['airflow.providers.amazon.aws.operators.glue', 'GlueJobOperator'],
  },
  athena: {
    1: ['airflow.contrib.operators.aws_athena_operator', 'AWSAthenaOperator'],
    2: ['airflow.providers.amazon.aws.operators.athena', 'AthenaOperator'],
    3: ['airflow.providers.amazon.aws.operators.athena', 'AthenaOperator'],
  },
};

// The SQL operator differs most between eras and teams.
function sqlOperator(ctx) {
  if (ctx.era === 1) {
    return ctx.sqlConn === 'mysql_legacy'
      ? ['airflow.operators.mysql_operator', 'MySqlOperator', 'mysql_conn_id']
      : ['airflow.operators.postgres_operator', 'PostgresOperator', 'postgres_conn_id'];
  }
  if (ctx.era === 2 && ctx.flavor.legacySql) {
    return ['airflow.providers.postgres.operators.postgres', 'PostgresOperator', 'postgres_conn_id'];
  }
  return ['airflow.providers.common.sql.operators.sql', 'SQLExecuteQueryOperator', 'conn_id'];
}

function hookImport(ctx, kind) {
  if (kind === 'pg') {
    return ctx.era === 1
      ? ctx.imports.from('airflow.hooks.postgres_hook', 'PostgresHook')
      : ctx.imports.from('airflow.providers.postgres.hooks.postgres', 'PostgresHook');
  }
  if (ctx.era === 1) return ctx.imports.from('airflow.hooks.S3_hook', 'S3Hook');
  if (ctx.compatS3) return 'S3Hook'; // imported by the try/except block in the header
  return ctx.imports.from('airflow.providers.amazon.aws.hooks.s3', 'S3Hook');
}

function op(ctx, kind) {
  const [mod, name] = OPS[kind][ctx.era];
  return ctx.imports.from(mod, name);
}

// ---------------------------------------------------------------------------------------------
// Text blocks: SQL, bash, docstrings, Python bodies.

function genSql(rng, w, maxCols) {
  const cols = rng.sample(COLUMNS, rng.int(3, Math.max(3, maxCols)));
  const src = `${rng.pick(SCHEMAS)}.${w.domain}`;
  const dst = `${rng.pick(SCHEMAS)}.${w.domain}_${rng.pick(['fact', 'daily', 'summary', 'snapshot', 'clean'])}`;
  const key = cols[0];
  const colList = cols.map((c) => `    ${c}`).join(',\n');
  const kind = rng.pick(['delete_insert', 'upsert', 'create', 'agg', 'merge']);
  const lines = [`-- ${rng.pick(['Incremental', 'Full', 'Daily', 'Hourly'])} ${rng.pick(VERBS)} of ${w.domain} for {{ ds }}`];
  const where = [
    `WHERE s.updated_at >= '{{ data_interval_start }}'`,
    `  AND s.updated_at < '{{ data_interval_end }}'`,
  ];
  if (rng.chance(0.5)) where.push(`  AND s.${rng.pick(['status', 'region', 'channel'])} <> 'test'`);
  const joins = [];
  for (let i = 0, n = rng.int(0, 3); i < n; i++) {
    const other = rng.pick(DOMAINS);
    joins.push(`LEFT JOIN ${rng.pick(SCHEMAS)}.${other} j${i} ON j${i}.${key} = s.${key}`);
  }
  const select = cols.map((c, i) => `    ${i % 3 === 2 && joins.length ? `COALESCE(s.${c}, j0.${c})` : `s.${c}`} AS ${c}`).join(',\n');
  if (kind === 'delete_insert') {
    lines.push(`DELETE FROM ${dst} WHERE load_date = '{{ ds }}';`, '', `INSERT INTO ${dst} (`, colList, '    , load_date', ')', 'SELECT', select, `    , '{{ ds }}' AS load_date`, `FROM ${src} s`, ...joins, ...where, ';');
  } else if (kind === 'upsert') {
    lines.push(`INSERT INTO ${dst} (`, colList, ')', 'SELECT', select, `FROM ${src} s`, ...joins, ...where, `ON CONFLICT (${key}) DO UPDATE SET`, cols.slice(1).map((c) => `    ${c} = EXCLUDED.${c}`).join(',\n') || `    ${key} = EXCLUDED.${key}`, ';');
  } else if (kind === 'create') {
    lines.push(`CREATE TABLE IF NOT EXISTS ${dst} (`, cols.map((c) => `    ${c} ${rng.pick(['VARCHAR(256)', 'BIGINT', 'NUMERIC(18, 4)', 'TIMESTAMP', 'BOOLEAN', 'DATE'])}`).join(',\n'), ');', '', `TRUNCATE ${dst};`, `INSERT INTO ${dst}`, 'SELECT', select, `FROM ${src} s`, ...joins, ...where, ';');
  } else if (kind === 'agg') {
    const dims = cols.slice(0, Math.max(1, Math.floor(cols.length / 2)));
    const measures = cols.slice(dims.length);
    lines.push(
      `INSERT INTO ${dst}`,
      'WITH base AS (',
      '    SELECT',
      indent(select, 4),
      `    FROM ${src} s`,
      ...joins.map((j) => `    ${j}`),
      ...where.map((l) => `    ${l}`),
      ')',
      'SELECT',
      [...dims.map((c) => `    ${c}`), ...measures.map((c) => `    SUM(CASE WHEN ${c} IS NULL THEN 0 ELSE 1 END) AS ${c}_filled`), '    COUNT(*) AS row_count'].join(',\n'),
      'FROM base',
      `GROUP BY ${dims.map((_, i) => i + 1).join(', ')}`,
      ';',
    );
  } else {
    lines.push(`MERGE INTO ${dst} t`, `USING (SELECT * FROM ${src} s ${where.join(' ').replace(/\s+/g, ' ')}) u`, `ON t.${key} = u.${key}`, 'WHEN MATCHED THEN UPDATE SET', cols.map((c) => `    ${c} = u.${c}`).join(',\n'), `WHEN NOT MATCHED THEN INSERT (${cols.join(', ')})`, `VALUES (${cols.map((c) => `u.${c}`).join(', ')})`, ';');
  }
  return lines.filter((l) => l !== undefined).join('\n');
}

function genBash(rng, w, n) {
  const bucket = rng.pick(BUCKETS);
  const pool = [
    `aws s3 sync s3://${bucket}/raw/${w.domain}/{{ ds }}/ /tmp/${w.domain}/{{ ds }}/ --only-show-errors`,
    `python /opt/airflow/scripts/${rng.pick(VERBS)}_${w.domain}.py --date {{ ds }} --env {{ var.value.environment }}`,
    `gzip -f /tmp/${w.domain}/{{ ds }}/*.csv`,
    `test -s /tmp/${w.domain}/{{ ds }}/_SUCCESS || { echo "no _SUCCESS marker"; exit 1; }`,
    `echo "processing ${w.domain} for {{ ds }} (run {{ run_id }})"`,
    `find /tmp/${w.domain} -mtime +3 -type f -delete`,
    `aws s3 cp /tmp/${w.domain}/{{ ds }}/ s3://${bucket}/processed/${w.domain}/{{ ds }}/ --recursive`,
    `dbt run --select ${w.domain}+ --target {{ var.value.dbt_target }} --vars '{"run_date": "{{ ds }}"}'`,
    `psql "$WAREHOUSE_URL" -v ON_ERROR_STOP=1 -c "ANALYZE ${w.schema}.${w.domain};"`,
    `wc -l /tmp/${w.domain}/{{ ds }}/*.csv | tail -n 1`,
    `mkdir -p /tmp/${w.domain}/{{ ds }}`,
    `curl -sf -o /tmp/${w.domain}/{{ ds }}/feed.json "$FEED_URL?date={{ ds }}"`,
  ];
  const lines = ['set -euo pipefail', ...rng.sample(pool, n)];
  return lines.join('\n');
}

function genDocParagraphs(rng, w, sentences) {
  const picked = rng.sample(SENTENCES, sentences).map((t) => fill(t, w));
  const paras = [];
  while (picked.length) paras.push(picked.splice(0, rng.int(1, 3)).join(' '));
  return paras;
}

function moduleDocstring(rng, w, sentences) {
  const title = `${w.title}`;
  const lines = [rng.chance(0.5) ? `### ${title}` : title, ''];
  lines.push(...genDocParagraphs(rng, w, sentences).flatMap((p) => [p, '']));
  if (rng.chance(0.5)) {
    lines.push('Steps:', '');
    for (let i = 0, n = rng.int(2, 5); i < n; i++) lines.push(`- ${rng.pick(VERBS)} ${rng.pick(DOMAINS)} ${rng.pick(['in staging', 'for the logical date', 'per region', 'into the mart', 'and notify'])}`);
    lines.push('');
  }
  if (rng.chance(0.4)) lines.push(`Owner: ${w.owner}`, '');
  while (lines[lines.length - 1] === '') lines.pop();
  return `"""\n${lines.join('\n')}\n"""`;
}

function comment(rng) {
  return `# ${rng.pick(COMMENTS)}`;
}

// A plain Python function body, sized by `n` statements; uses hooks when allowed.
function pyBody(ctx, n, { ret = true, v1Context = false } = {}) {
  const { rng, w } = ctx;
  const out = [];
  if (v1Context) out.push(`ds = kwargs["ds"]`, `ti = kwargs["ti"]`);
  const snippets = [
    () => [`log.info("Starting ${rng.pick(VERBS)} of ${w.domain} for %s", ds)`],
    () => [`hook = ${hookImport(ctx, 'pg')}(postgres_conn_id=${q(ctx.sqlConn === 'mysql_legacy' ? 'postgres_reporting' : ctx.sqlConn)})`, `rows = hook.get_records("SELECT ${rng.sample(COLUMNS, 3).join(', ')} FROM ${w.schema}.${w.domain} WHERE load_date = %s", parameters=(ds,))`, `log.info("Fetched %d rows", len(rows))`],
    () => [`records = []`, `for row in rows:`, `    if row[0] is None:`, `        continue`, `    records.append({"key": row[0], "value": row[1] if len(row) > 1 else None})`],
    () => [`s3 = ${hookImport(ctx, 's3')}(aws_conn_id=${q(rng.pick(CONNS.aws))})`, `key = f"${w.domain}/${rng.pick(CADENCES)}/{ds}/part-0000.json"`, `s3.load_string(json.dumps({"date": ds, "source": ${q(w.domain)}}), key=key, bucket_name=${q(rng.pick(BUCKETS))}, replace=True)`],
    () => [`threshold = float(os.environ.get("${w.domain.toUpperCase()}_MIN_ROWS", "100"))`, `if threshold < 0:`, `    raise ValueError("threshold must be positive")`],
    () => [`summary = {`, ...rng.sample(COLUMNS, rng.int(2, 6)).map((c) => `    ${q(c)}: ${rng.pick(['0', 'None', '[]', '""', 'ds'])},`), `}`],
    () => [`for attempt in range(${rng.int(2, 5)}):`, `    try:`, `        result = _call_api(${q(`/v1/${w.domain}`)}, ds)`, `        break`, `    except RuntimeError as exc:  # transient`, `        log.warning("attempt %d failed: %s", attempt, exc)`, `else:`, `    raise RuntimeError("giving up after retries")`],
    () => [comment(rng)],
    () => [`checksum = hashlib.sha256(ds.encode()).hexdigest()[:12]`, `log.debug("checksum %s", checksum)`],
    () => [`partitions = [f"{ds}/{region}" for region in ${pyList(rng.sample(REGIONS, 3).map(q))}]`, `log.info("partitions: %s", ", ".join(partitions))`],
  ];
  let haveRows = false;
  for (let i = 0; i < n; i++) {
    const s = rng.int(0, snippets.length - 1);
    if (s === 1) haveRows = true;
    if (s === 2 && !haveRows) {
      out.push(...snippets[1]());
      haveRows = true;
    }
    if (s === 6) ctx.needCallApi = true;
    if (s === 8) ctx.imports.import('hashlib');
    out.push(...snippets[s]());
  }
  if (ret) out.push(rng.pick([`return {"date": ds, "domain": ${q(w.domain)}}`, 'return len(records) if "records" in locals() else 0', `return ds`, 'return None']));
  ctx.imports.import('json');
  ctx.imports.import('os');
  ctx.needLog = true;
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Building one DAG file

function fmtCall(name, args, target, ind) {
  const parts = [`${target ? `${target} = ` : ''}${name}(`];
  for (const [k, v] of args) parts.push(indent(`    ${k}=${v},`, 0).replace(/\n/g, '\n    '));
  parts.push(')');
  return indent(parts.join('\n'), ind);
}

function uniqueName(ctx, base) {
  let name = base.replace(/[^a-z0-9_]/g, '_');
  if (/^[0-9]/.test(name)) name = `t_${name}`;
  let i = 2;
  const orig = name;
  while (ctx.names.has(name)) name = `${orig}_${i++}`;
  ctx.names.add(name);
  return name;
}

function taskArgs(ctx, taskId) {
  const args = [['task_id', q(taskId)]];
  if (ctx.dagKw) args.push(['dag', 'dag']);
  return args;
}

function commonTaskKwargs(ctx, args) {
  const { rng } = ctx;
  if (rng.chance(0.2)) args.push(['retries', String(rng.int(0, 5))]);
  if (rng.chance(0.1)) args.push(['pool', q(`${ctx.w.domain}_pool`)]);
  if (ctx.era > 1 && rng.chance(0.1)) {
    ctx.imports.from('datetime', 'timedelta');
    args.push(['execution_timeout', `timedelta(minutes=${rng.int(10, 240)})`]);
  }
  if (ctx.era === 1 && rng.chance(0.15)) args.push(['queue', q(rng.pick(['default', 'heavy', 'etl']))]);
  return args;
}

// Each item generator returns { consts: [], funcs: [], body: string, ids: [], linked: bool }.
// `linked` means the body already wired the previous stage into this one.

function itemBash(ctx, ind) {
  const { rng, w } = ctx;
  const taskId = `${rng.pick(VERBS)}_${rng.pick([w.domain, ...rng.sample(DOMAINS, 1)])}`;
  const v = uniqueName(ctx, taskId);
  const name = op(ctx, 'bash');
  const script = genBash(rng, w, rng.int(1, ctx.knobs.bashLines));
  const args = taskArgs(ctx, v);
  const consts = [];
  if (rng.chance(0.35)) {
    const c = uniqueName(ctx, `${v}_cmd`).toUpperCase();
    consts.push(`${c} = """\n${script}\n"""`);
    args.push(['bash_command', c]);
  } else {
    args.push(['bash_command', `"""\n${script}\n"""`]);
  }
  if (rng.chance(0.3)) args.push(['env', `{"TARGET_ENV": "{{ var.value.environment }}", "DOMAIN": ${q(w.domain)}}`]);
  commonTaskKwargs(ctx, args);
  if (ctx.datasets.length && rng.chance(0.3)) args.push(['outlets', `[${rng.pick(ctx.datasets)}]`]);
  const pre = rng.chance(0.25) ? `${comment(rng)}\n` : '';
  return { consts, funcs: [], body: indent(pre, ind) + fmtCall(name, args, v, ind), ids: [v] };
}

function itemPython(ctx, ind) {
  const { rng, w } = ctx;
  const verb = rng.pick(VERBS);
  const v = uniqueName(ctx, `${verb}_${w.domain}`);
  const fn = uniqueName(ctx, `_${verb}_${rng.pick([w.domain, 'records', 'partition', 'batch'])}`);
  const name = op(ctx, 'python');
  let func;
  const n = rng.int(1, ctx.knobs.pyStatements);
  const doc = rng.chance(0.5) ? `    """${fill(rng.pick(SENTENCES), w)}"""\n` : '';
  if (ctx.era === 1) {
    func = `def ${fn}(**kwargs):\n${doc}${indent(pyBody(ctx, n, { v1Context: true }), 4)}`;
  } else {
    func = `def ${fn}(ds=None, **context):\n${doc}${indent(pyBody(ctx, n), 4)}`;
  }
  const args = taskArgs(ctx, v);
  args.push(['python_callable', fn]);
  if (ctx.era === 1) args.push(['provide_context', 'True']);
  else if (rng.chance(0.4)) args.push(['op_kwargs', `{"table": ${q(`${w.schema}.${w.domain}`)}, "full_refresh": False}`]);
  commonTaskKwargs(ctx, args);
  if (ctx.datasets.length && rng.chance(0.3)) args.push(['outlets', `[${rng.pick(ctx.datasets)}]`]);
  return { consts: [], funcs: [func], body: fmtCall(name, args, v, ind), ids: [v] };
}

function itemSql(ctx, ind) {
  const { rng, w } = ctx;
  const [mod, name, connKw] = sqlOperator(ctx);
  ctx.imports.from(mod, name);
  const v = uniqueName(ctx, `${rng.pick(['load', 'merge', 'refresh', 'build', 'upsert', 'aggregate'])}_${rng.pick([w.domain, ...DOMAINS])}`);
  const sql = genSql(rng, w, ctx.knobs.sqlCols);
  const args = taskArgs(ctx, v);
  args.push([connKw, q(ctx.sqlConn)]);
  const consts = [];
  if (rng.chance(0.6)) {
    const c = `${v.toUpperCase()}_SQL`;
    consts.push(`${c} = """\n${sql}\n"""`);
    args.push(['sql', c]);
  } else {
    args.push(['sql', `"""\n${sql}\n"""`]);
  }
  if (rng.chance(0.2)) args.push(['autocommit', 'True']);
  commonTaskKwargs(ctx, args);
  if (ctx.datasets.length && rng.chance(0.4)) args.push(['outlets', `[${rng.pick(ctx.datasets)}]`]);
  const pre = rng.chance(0.2) ? `${comment(rng)}\n` : '';
  return { consts, funcs: [], body: indent(pre, ind) + fmtCall(name, args, v, ind), ids: [v] };
}

function itemSensor(ctx, ind) {
  const { rng, w } = ctx;
  const args = [];
  let name;
  let v;
  if (rng.chance(0.6)) {
    name = op(ctx, 's3sensor');
    v = uniqueName(ctx, `wait_for_${w.domain}_file`);
    args.push(...taskArgs(ctx, v));
    args.push(['bucket_key', q(`s3://${rng.pick(BUCKETS)}/raw/${w.domain}/{{ ds }}/_SUCCESS`)]);
    args.push(['aws_conn_id', q(rng.pick(CONNS.aws))]);
  } else {
    name = op(ctx, 'external');
    v = uniqueName(ctx, `wait_for_${rng.pick(DOMAINS)}`);
    args.push(...taskArgs(ctx, v));
    args.push(['external_dag_id', q(`${rng.pick(ctx.teams)}_${rng.pick(DOMAINS)}_${rng.pick(CADENCES)}`)]);
    args.push(['external_task_id', rng.chance(0.3) ? 'None' : q(`${rng.pick(VERBS)}_${rng.pick(DOMAINS)}`)]);
  }
  args.push(['poke_interval', String(rng.pick([60, 120, 300, 600]))]);
  args.push(['timeout', String(rng.pick([3600, 7200, 10800, 21600]))]);
  if (ctx.era > 1 || rng.chance(0.5)) args.push(['mode', q(rng.pick(['reschedule', 'poke']))]);
  return { consts: [], funcs: [], body: fmtCall(name, args, v, ind), ids: [v] };
}

function itemProvider(ctx, ind) {
  const { rng, w } = ctx;
  const kind = rng.pick(['k8s', 'ssh', 'emr', 's3redshift', 'http', 'spark', 'glue', 'athena', 'slack', 'email', 'trigger']);
  const name = op(ctx, kind);
  const v = uniqueName(ctx, `${kind === 'slack' || kind === 'email' ? 'notify' : rng.pick(VERBS)}_${w.domain}_${kind}`);
  const args = taskArgs(ctx, v);
  const consts = [];
  switch (kind) {
    case 'k8s':
      args.push(['name', q(v.replaceAll('_', '-'))], ['namespace', q(rng.pick(['airflow', 'data-jobs', 'batch']))]);
      args.push(['image', q(`123456789012.dkr.ecr.us-east-1.amazonaws.com/${w.domain}-job:${rng.int(1, 9)}.${rng.int(0, 20)}.${rng.int(0, 9)}`)]);
      args.push(['cmds', '["python", "-m", "jobs.run"]'], ['arguments', `["--date", "{{ ds }}", "--domain", ${q(w.domain)}]`]);
      if (rng.chance(0.5)) args.push(['env_vars', `{\n    "LOG_LEVEL": "INFO",\n    "TARGET_SCHEMA": ${q(w.schema)},\n}`]);
      args.push(['get_logs', 'True']);
      if (ctx.era === 1) args.push(['in_cluster', 'True']);
      break;
    case 'ssh':
      args.push(['ssh_conn_id', q(rng.pick(CONNS.ssh))], ['command', q(`/opt/jobs/${w.domain}.sh {{ ds }}`)]);
      break;
    case 'emr': {
      const c = uniqueName(ctx, `${w.domain}_spark_steps`).toUpperCase();
      consts.push(`${c} = [\n    {\n        "Name": ${q(`${w.domain} {{ ds }}`)},\n        "ActionOnFailure": "CONTINUE",\n        "HadoopJarStep": {\n            "Jar": "command-runner.jar",\n            "Args": ["spark-submit", "--deploy-mode", "cluster", "s3://${rng.pick(BUCKETS)}/jobs/${w.domain}.py", "{{ ds }}"],\n        },\n    },\n]`);
      args.push(['job_flow_id', q('{{ var.value.emr_cluster_id }}')], ['steps', c], ['aws_conn_id', q(rng.pick(CONNS.aws))]);
      break;
    }
    case 's3redshift':
      args.push(['schema', q(w.schema)], ['table', q(w.domain)], ['s3_bucket', q(rng.pick(BUCKETS))], ['s3_key', q(`exports/${w.domain}/{{ ds }}`)]);
      args.push(['redshift_conn_id', q('redshift_default')], ['copy_options', '["FORMAT AS PARQUET"]']);
      break;
    case 'http':
      args.push(['http_conn_id', q(rng.pick(CONNS.http))], ['endpoint', q(`/api/v2/${w.domain}/refresh`)], ['method', q('POST')]);
      args.push(['data', `json.dumps({"date": "{{ ds }}"})`], ['headers', '{"Content-Type": "application/json"}']);
      ctx.imports.import('json');
      break;
    case 'spark':
      args.push(['application', q(`/opt/spark/jobs/${w.domain}_job.py`)], ['conn_id', q('spark_default')], ['application_args', '["{{ ds }}"]']);
      args.push(['conf', `{"spark.executor.memory": "${rng.int(2, 16)}g", "spark.sql.shuffle.partitions": "${rng.pick([64, 200, 400])}"}`]);
      break;
    case 'glue':
      args.push(['job_name', q(`${w.domain}-${rng.pick(VERBS)}`)], ['script_args', `{"--run_date": "{{ ds }}"}`]);
      break;
    case 'athena':
      args.push(['query', q(`MSCK REPAIR TABLE ${w.schema}.${w.domain}`)], ['database', q(w.schema)], ['output_location', q(`s3://${rng.pick(BUCKETS)}/athena-results/`)]);
      break;
    case 'slack':
      args.push([ctx.era === 3 ? 'slack_webhook_conn_id' : 'http_conn_id', q(rng.pick(CONNS.slack))], ['message', q(`:white_check_mark: ${w.title} finished for {{ ds }}`)]);
      if (rng.chance(0.5)) {
        ctx.imports.from(ctx.era === 1 ? 'airflow.utils.trigger_rule' : 'airflow.utils.trigger_rule', 'TriggerRule');
        args.push(['trigger_rule', 'TriggerRule.ALL_DONE']);
      }
      break;
    case 'email':
      args.push(['to', `[${q(`${w.owner}@example.com`)}]`], ['subject', q(`${w.title} {{ ds }}`)], ['html_content', q('<p>Run {{ run_id }} finished.</p>')]);
      break;
    case 'trigger':
      args.push(['trigger_dag_id', q(`${w.team}_${rng.pick(DOMAINS)}_${rng.pick(CADENCES)}`)]);
      if (ctx.era > 1) args.push(['wait_for_completion', rng.chance(0.5) ? 'True' : 'False']);
      break;
  }
  commonTaskKwargs(ctx, args);
  return { consts, funcs: [], body: fmtCall(name, args, v, ind), ids: [v] };
}

// Tasks created in a for loop over a module-level list, wired inline.
function itemLoop(ctx, ind, prev) {
  const { rng, w } = ctx;
  const listName = uniqueName(ctx, `${rng.pick(['regions', 'tables', 'markets', 'sources'])}`).toUpperCase();
  const loopVar = listName.startsWith('REGIONS') ? 'region' : listName.startsWith('TABLES') ? 'table' : listName.startsWith('MARKETS') ? 'market' : 'source';
  const values = listName.startsWith('REGIONS') ? rng.sample(REGIONS, rng.int(2, 6)) : rng.sample(DOMAINS, rng.int(2, 8));
  const consts = [`${listName} = [\n${values.map((x) => `    ${q(x)},`).join('\n')}\n]`];
  const empty = op(ctx, 'empty');
  const done = uniqueName(ctx, `${rng.pick(VERBS)}_${loopVar}s_done`);
  const lines = [fmtCall(empty, taskArgs(ctx, done), done, 0), `for ${loopVar} in ${listName}:`];
  const kind = rng.pick(['bash', 'sql', 'python']);
  const t = uniqueName(ctx, `${rng.pick(VERBS)}_${loopVar}`);
  let args;
  if (kind === 'bash') {
    args = [['task_id', `f"${t}_{${loopVar}}"`], ['bash_command', `f"/opt/airflow/scripts/${t}.sh {${loopVar}} {{{{ ds }}}}"`]];
    lines.push(fmtCall(op(ctx, 'bash'), ctx.dagKw ? [...args, ['dag', 'dag']] : args, t, 4));
  } else if (kind === 'sql') {
    const [mod, name, connKw] = sqlOperator(ctx);
    ctx.imports.from(mod, name);
    args = [['task_id', `f"${t}_{${loopVar}}"`], [connKw, q(ctx.sqlConn)], ['sql', `f"sql/${t}/{${loopVar}}.sql"`]];
    lines.push(fmtCall(name, ctx.dagKw ? [...args, ['dag', 'dag']] : args, t, 4));
  } else {
    const fn = uniqueName(ctx, `_${t}_one`);
    ctx.loopFuncs.push(`def ${fn}(${loopVar}, **context):\n    ds = context["ds"]\n${indent(pyBody(ctx, rng.int(1, 3)), 4)}`);
    args = [['task_id', `f"${t}_{${loopVar}}"`], ['python_callable', fn], ['op_args', `[${loopVar}]`]];
    if (ctx.era === 1) args.push(['provide_context', 'True']);
    lines.push(fmtCall(op(ctx, 'python'), ctx.dagKw ? [...args, ['dag', 'dag']] : args, t, 4));
  }
  if (prev) lines.push(`    ${prev.length > 1 ? `[${prev.join(', ')}]` : prev[0]} >> ${t} >> ${done}`);
  else lines.push(`    ${t} >> ${done}`);
  const funcs = ctx.loopFuncs.splice(0);
  return { consts, funcs, body: indent(lines.join('\n'), ind), ids: [done], linked: true };
}

// Two to four independent tasks that run side by side.
function itemParallel(ctx, ind) {
  const { rng } = ctx;
  const parts = [];
  for (let i = 0, n = rng.int(2, 4); i < n; i++) parts.push(rng.pick([itemBash, itemSql, itemProvider])(ctx, ind));
  return {
    consts: parts.flatMap((p) => p.consts),
    funcs: parts.flatMap((p) => p.funcs),
    body: parts.map((p) => p.body).join('\n\n'),
    ids: parts.flatMap((p) => p.ids),
  };
}

function taskGroupImport(ctx) {
  return ctx.era === 3 ? ctx.imports.from('airflow.sdk', 'TaskGroup') : ctx.imports.from('airflow.utils.task_group', 'TaskGroup');
}

function itemTaskGroup(ctx, ind) {
  const { rng, w } = ctx;
  const tg = taskGroupImport(ctx);
  const g = uniqueName(ctx, `${rng.pick(VERBS)}_${w.domain}_group`);
  const inner = [];
  for (let i = 0, n = rng.int(2, 4); i < n; i++) inner.push(rng.pick([itemBash, itemSql, itemPython])(ctx, 4));
  const chainLine = `    ${inner.map((p) => p.ids[0]).join(' >> ')}`;
  const tip = rng.chance(0.4) ? `, tooltip=${q(fill(rng.pick(SENTENCES), w))}` : '';
  const text = `with ${tg}(group_id=${q(g)}${tip}${ctx.dagKw ? ', dag=dag' : ''}) as ${g}:\n${inner.map((p) => p.body).join('\n\n')}\n\n${chainLine}`;
  return { consts: inner.flatMap((p) => p.consts), funcs: inner.flatMap((p) => p.funcs), body: indent(text, ind), ids: [g] };
}

// Dynamic task mapping on a classic operator.
function itemMapped(ctx, ind) {
  const { rng, w } = ctx;
  const v = uniqueName(ctx, `${rng.pick(VERBS)}_${w.domain}_mapped`);
  let body;
  if (rng.chance(0.5)) {
    const name = op(ctx, 'bash');
    const cmds = rng.sample(REGIONS, rng.int(2, 5)).map((r) => q(`/opt/airflow/scripts/${v}.sh ${r} {{ ds }}`));
    body = `${v} = ${name}.partial(\n    task_id=${q(v)},\n    retries=${rng.int(0, 3)},${ctx.dagKw ? '\n    dag=dag,' : ''}\n).expand(\n    bash_command=[\n${cmds.map((c) => `        ${c},`).join('\n')}\n    ],\n)`;
  } else {
    const [mod, name, connKw] = sqlOperator(ctx);
    ctx.imports.from(mod, name);
    const tables = rng.sample(DOMAINS, rng.int(2, 6)).map((t) => q(`ANALYZE ${w.schema}.${t};`));
    body = `${v} = ${name}.partial(task_id=${q(v)}, ${connKw}=${q(ctx.sqlConn)}${ctx.dagKw ? ', dag=dag' : ''}).expand(\n    sql=[\n${tables.map((t) => `        ${t},`).join('\n')}\n    ],\n)`;
  }
  return { consts: [], funcs: [], body: indent(body, ind), ids: [v] };
}

// TaskFlow: a @task function plus its call; consumes the previous TaskFlow output when there is one.
function itemTfTask(ctx, ind, prev) {
  const { rng, w } = ctx;
  const taskDeco = ctx.era === 3 ? ctx.imports.from('airflow.sdk', 'task') : ctx.imports.from('airflow.decorators', 'task');
  const fn = uniqueName(ctx, `${rng.pick(VERBS)}_${rng.pick([w.domain, 'rows', 'batch', 'summary', 'files'])}`);
  const out = uniqueName(ctx, `${fn}_result`);
  const takesInput = prev && prev.length === 1 && ctx.tfOutputs.has(prev[0]);
  const deco = rng.weighted([[6, `@${taskDeco}`], [2, `@${taskDeco}(retries=${rng.int(1, 4)})`], [1, `@${taskDeco}(multiple_outputs=True)`], [1, `@${taskDeco}(pool=${q(`${w.domain}_pool`)})`]]);
  const sig = takesInput ? `(upstream: dict | None = None, ds=None)` : '(ds=None)';
  const doc = rng.chance(0.5) ? `    """${fill(rng.pick(SENTENCES), w)}"""\n` : '';
  const body = `${deco}\ndef ${fn}${sig}:\n${doc}${indent(pyBody(ctx, rng.int(1, ctx.knobs.pyStatements)), 4)}\n\n${out} = ${fn}(${takesInput ? prev[0] : ''})`;
  if (takesInput) ctx.imports.future = true;
  ctx.tfOutputs.add(out);
  return { consts: [], funcs: [], body: indent(body, ind), ids: [out], linked: !!takesInput };
}

// TaskFlow dynamic mapping: list, then map over the result.
function itemTfMapped(ctx, ind) {
  const { rng, w } = ctx;
  const taskDeco = ctx.era === 3 ? ctx.imports.from('airflow.sdk', 'task') : ctx.imports.from('airflow.decorators', 'task');
  const lister = uniqueName(ctx, `list_${w.domain}_${rng.pick(['files', 'partitions', 'accounts', 'batches'])}`);
  const worker = uniqueName(ctx, `process_${rng.pick(['file', 'partition', 'account', 'batch'])}`);
  const out = uniqueName(ctx, `${worker}_results`);
  const bucket = rng.pick(BUCKETS);
  const partial = rng.chance(0.5);
  const lines = [
    `@${taskDeco}`,
    `def ${lister}(ds=None):`,
    `    s3 = ${hookImport(ctx, 's3')}(aws_conn_id=${q(rng.pick(CONNS.aws))})`,
    `    keys = s3.list_keys(bucket_name=${q(bucket)}, prefix=f"raw/${w.domain}/{ds}/") or []`,
    `    return [k for k in keys if k.endswith(${q(rng.pick(['.csv', '.json', '.parquet']))})]`,
    '',
    `@${taskDeco}${rng.chance(0.4) ? `(max_active_tis_per_dag=${rng.int(2, 16)})` : ''}`,
    `def ${worker}(key: str${partial ? ', bucket: str = ""' : ''}, ds=None):`,
    `    log.info("processing %s", key)`,
    indent(pyBody(ctx, rng.int(1, 3), { ret: false }), 4),
    '    return key',
    '',
    partial ? `${out} = ${worker}.partial(bucket=${q(bucket)}).expand(key=${lister}())` : `${out} = ${worker}.expand(key=${lister}())`,
  ];
  ctx.tfOutputs.add(out);
  return { consts: [], funcs: [], body: indent(lines.join('\n'), ind), ids: [out] };
}

function pickItem(ctx) {
  const { rng } = ctx;
  const pairs = [
    [5, itemBash],
    [5, itemPython],
    [6, itemSql],
    [1.5, itemSensor],
    [ctx.era === 1 ? 6 : 3, itemProvider], // 1.10 code leans on airflow.contrib operators
    [1.5, itemLoop],
  ];
  if (ctx.lastWasMulti) {
    // A multi-task stage must be followed by a single one (lists cannot be chained to lists).
    return rng.weighted(pairs.filter(([, f]) => f !== itemParallel));
  }
  pairs.push([1.5, itemParallel]);
  if (ctx.era > 1) pairs.push([1, itemTaskGroup], [ctx.flavor.mapping ? 2 : 0.3, itemMapped]);
  if (ctx.form === 'taskflow') pairs.push([20, itemTfTask], [ctx.flavor.mapping ? 4 : 0.5, itemTfMapped]);
  return rng.weighted(pairs);
}

function renderDeps(ctx, stages, ind) {
  const lines = [];
  if (ctx.setDownstream) {
    // Some 1.10 code wires everything with set_downstream.
    for (let i = 1; i < stages.length; i++) {
      if (stages[i].linked) continue;
      for (const a of stages[i - 1].ids) for (const b of stages[i].ids) lines.push(`${a}.set_downstream(${b})`);
    }
    return indent(lines.join('\n'), ind);
  }
  const term = (s) => (s.ids.length > 1 ? `[${s.ids.join(', ')}]` : s.ids[0]);
  let chain = [];
  const flush = () => {
    if (chain.length > 1) lines.push(chain.join(' >> '));
    chain = [];
  };
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i];
    if (i > 0 && !s.linked) {
      if (!chain.length) chain.push(term(stages[i - 1]));
      chain.push(term(s));
      if (chain.length >= 5) {
        flush();
      }
    } else {
      flush();
    }
  }
  flush();
  return indent(lines.join('\n'), ind);
}

function scheduleFor(ctx) {
  const { rng } = ctx;
  if (ctx.era === 1) {
    return rng.weighted([[6, q(rng.pick(CRONS))], [3, q(rng.pick(PRESETS.slice(0, 4)))], [1, 'None'], [1, `timedelta(hours=${rng.int(1, 12)})`]]);
  }
  if (ctx.consumes.length) return `[${ctx.consumes.join(', ')}]`;
  const v = rng.weighted([[6, q(rng.pick(CRONS))], [3, q(rng.pick(PRESETS))], [1.5, 'None'], [1, 'timedelta'], [0.5, 'timetable']]);
  if (v === 'timedelta') {
    ctx.imports.from('datetime', 'timedelta');
    return `timedelta(hours=${rng.int(1, 12)})`;
  }
  if (v === 'timetable') {
    ctx.imports.from('airflow.timetables.trigger', 'CronTriggerTimetable');
    return `CronTriggerTimetable(${q(rng.pick(CRONS))}, timezone="UTC")`;
  }
  return v;
}

function startDate(ctx) {
  const { rng } = ctx;
  if (ctx.era === 1) {
    if (rng.chance(0.5)) return `${ctx.imports.from('airflow.utils.dates', 'days_ago')}(${rng.int(1, 7)})`;
    ctx.imports.from('datetime', 'datetime');
    return `datetime(${rng.int(2017, 2020)}, ${rng.int(1, 12)}, ${rng.int(1, 28)})`;
  }
  if (rng.chance(0.7)) {
    ctx.imports.import('pendulum');
    return `pendulum.datetime(${ctx.era === 2 ? rng.int(2021, 2024) : rng.int(2024, 2025)}, ${rng.int(1, 12)}, ${rng.int(1, 28)}, tz=${q(rng.pick(['UTC', 'Europe/Berlin', 'America/New_York']))})`;
  }
  ctx.imports.from('datetime', 'datetime');
  return `datetime(${ctx.era === 2 ? rng.int(2021, 2024) : rng.int(2024, 2025)}, ${rng.int(1, 12)}, 1)`;
}

function defaultArgs(ctx) {
  const { rng, w } = ctx;
  ctx.imports.from('datetime', 'timedelta');
  const lines = [`    "owner": ${q(w.owner)},`];
  if (rng.chance(0.6)) lines.push(`    "depends_on_past": ${rng.chance(0.8) ? 'False' : 'True'},`);
  if (ctx.era === 1) lines.push(`    "start_date": ${startDate(ctx)},`);
  if (rng.chance(0.6)) lines.push(`    "email": [${q(`${w.owner}@example.com`)}],`, `    "email_on_failure": True,`);
  if (rng.chance(0.4)) lines.push(`    "email_on_retry": False,`);
  lines.push(`    "retries": ${rng.int(0, 3)},`, `    "retry_delay": timedelta(minutes=${rng.pick([1, 2, 5, 10, 15, 30])}),`);
  if (ctx.era === 1 && rng.chance(0.3)) lines.push(`    "provide_context": True,`);
  if (ctx.era > 1 && rng.chance(0.3)) lines.push(`    "retry_exponential_backoff": True,`);
  if (rng.chance(0.2)) lines.push(`    "sla": timedelta(hours=${rng.int(1, 6)}),`);
  if (ctx.era > 1 && rng.chance(0.3)) {
    lines.push(`    "on_failure_callback": _notify_failure,`);
    ctx.failureCallback = true;
    ctx.needLog = true;
  }
  return `default_args = {\n${lines.join('\n')}\n}`;
}

function dagKwargs(ctx, dagIdExpr) {
  const { rng, w } = ctx;
  const args = [];
  const positional = ctx.era === 1 && !ctx.factory && rng.chance(0.6);
  if (!positional) args.push(['dag_id', dagIdExpr]);
  if (ctx.hasDefaultArgs) args.push(['default_args', 'default_args']);
  if (rng.chance(0.6)) args.push(['description', q(fill(rng.pick(SENTENCES), w).replace(/\.$/, ''))]);
  const schedKw = ctx.era === 1 ? 'schedule_interval' : ctx.era === 3 ? 'schedule' : ctx.consumes.length || ctx.flavor.newSchedule ? 'schedule' : 'schedule_interval';
  const sched = scheduleFor(ctx);
  // A timetable object went into `timetable=` before `schedule=` existed.
  args.push([sched.startsWith('CronTriggerTimetable') && schedKw === 'schedule_interval' ? 'timetable' : schedKw, sched]);
  if (ctx.era > 1) args.push(['start_date', startDate(ctx)]);
  args.push(['catchup', ctx.era === 1 && rng.chance(0.3) ? 'True' : 'False']);
  if (rng.chance(0.5)) args.push(['max_active_runs', String(rng.int(1, 3))]);
  if (ctx.era === 1 && rng.chance(0.3)) args.push(['concurrency', String(rng.int(2, 16))]);
  if (ctx.era > 1 && rng.chance(0.3)) args.push(['max_active_tasks', String(rng.int(2, 16))]);
  if (rng.chance(0.3)) args.push(['dagrun_timeout', `timedelta(hours=${rng.int(1, 8)})`]);
  if (ctx.era > 1 || rng.chance(0.3)) args.push(['tags', pyList(rng.sample([w.team, w.domain, w.owner, rng.pick(CADENCES), 'etl', 'critical', ctx.w.sub], rng.int(1, 4)).map(q))]);
  if (rng.chance(0.4)) args.push(['doc_md', '__doc__']);
  if (rng.chance(0.1)) args.push(['template_searchpath', q(`/opt/airflow/dags/${w.team}/sql`)]);
  if (ctx.era > 1 && rng.chance(0.15)) {
    const param = ctx.era === 3 ? ctx.imports.from('airflow.sdk', 'Param') : ctx.imports.from('airflow.models.param', 'Param');
    args.push(['params', `{"full_refresh": ${param}(False, type="boolean"), "lookback_days": ${param}(${rng.int(1, 7)}, type="integer")}`]);
  }
  if (args.some(([, v]) => v.startsWith('timedelta'))) ctx.imports.from('datetime', 'timedelta');
  return { args, positional };
}

function eraOf(rng) {
  return rng.weighted([[20, 1], [50, 2], [30, 3]]);
}

function fileWorld(rng, team, sub, base) {
  const domain = DOMAINS.find((d) => base.includes(d)) ?? rng.pick(DOMAINS);
  return {
    team,
    sub,
    domain,
    schema: rng.pick(SCHEMAS),
    owner: rng.pick(OWNERS),
    sqlConn: rng.pick(CONNS.sql),
    title: `${domain.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase())} ${rng.pick(['pipeline', 'load', 'export', 'sync', 'refresh', 'report'])} (${rng.pick(CADENCES)})`,
  };
}

/**
 * Build one DAG file. `target` is the desired size in bytes; the result lies in [MIN_BYTES, MAX_BYTES].
 * All random choices happen before rendering, so re-rendering after adding or dropping a task is pure.
 */
export function buildDagFile({ seed, index, team, sub, base, dagId, target, teams }) {
  const rng = new Rng(hashSeed(seed, 'file', index));
  const w = fileWorld(rng, team, sub, base);
  const era = eraOf(rng);
  const ctx = {
    rng,
    w,
    era,
    teams,
    imports: new Imports(),
    names: new Set(['dag', 'default_args', 'log', 'start', 'end', 'ds', 'rows', 'records', 'key']),
    datasets: [],
    consumes: [],
    loopFuncs: [],
    tfOutputs: new Set(),
    flavor: {
      legacySql: rng.chance(0.5),
      newSchedule: rng.chance(0.6),
      mapping: era > 1 && rng.chance(0.25),
    },
    sqlConn: w.sqlConn,
    needLog: false,
    needCallApi: false,
    failureCallback: false,
    hasDefaultArgs: true,
    setDownstream: era === 1 && rng.chance(0.25),
    compatS3: era === 2 && rng.chance(0.08),
    typeChecking: era === 3 && rng.chance(0.1),
  };
  // Size knobs grow with the target so big files get longer SQL, docs and functions, not only more tasks.
  const v = Math.log(target / MIN_BYTES) / Math.log(MAX_BYTES / MIN_BYTES);
  ctx.knobs = {
    sqlCols: 4 + Math.round(v * rng.int(4, 24)),
    bashLines: 2 + Math.round(v * rng.int(1, 8)),
    pyStatements: 1 + Math.round(v * rng.int(1, 6)),
  };
  const docSentences = 1 + Math.round(v * rng.int(0, 10));

  // Form: how the DAG object is declared.
  if (era === 1) ctx.form = rng.chance(0.7) ? 'constructor' : 'with';
  else if (era === 2) ctx.form = rng.weighted([[55, 'with'], [40, 'taskflow'], [5, 'constructor']]);
  else ctx.form = rng.chance(0.5) ? 'with' : 'taskflow';
  ctx.factory = ctx.form === 'with' && rng.chance(0.05);
  ctx.dagKw = ctx.form === 'constructor';

  const DagCls = ctx.form === 'taskflow'
    ? ctx.imports.from(era === 3 ? 'airflow.sdk' : 'airflow.decorators', 'dag')
    : era === 3 ? ctx.imports.from('airflow.sdk', 'DAG') : ctx.imports.from('airflow', 'DAG');

  const consts = [];
  // Datasets / Assets: producers get outlets, some DAGs are scheduled on them.
  if (era > 1 && rng.chance(era === 3 ? 0.35 : 0.2)) {
    const cls = era === 3 ? ctx.imports.from('airflow.sdk', 'Asset') : ctx.imports.from('airflow.datasets', 'Dataset');
    for (let i = 0, n = rng.int(1, 3); i < n; i++) {
      const name = uniqueName(ctx, `${rng.pick(DOMAINS)}_${rng.pick(['raw', 'clean', 'summary'])}`).toUpperCase();
      const uri = `s3://${rng.pick(BUCKETS)}/${name.toLowerCase().replaceAll('_', '/')}/`;
      consts.push(era === 3 && rng.chance(0.4) ? `${name} = ${cls}(name=${q(name.toLowerCase())}, uri=${q(uri)})` : `${name} = ${cls}(${q(uri)})`);
      ctx.datasets.push(name);
    }
    if (rng.chance(0.5)) ctx.consumes = ctx.datasets.splice(0, rng.int(1, ctx.datasets.length));
  }
  // Top-level Variable.get: a classic parse-time cost.
  if (rng.chance(0.15)) {
    const Var = era === 3 ? ctx.imports.from('airflow.sdk', 'Variable') : ctx.imports.from('airflow.models', 'Variable');
    const kw = era === 3 ? 'default' : 'default_var';
    consts.push(rng.chance(0.5)
      ? `ENVIRONMENT = ${Var}.get("environment", ${kw}="dev")`
      : `${w.domain.toUpperCase()}_CONFIG = ${Var}.get(${q(`${team}_${w.domain}_config`)}, deserialize_json=True, ${kw}={})`);
  }
  if (rng.chance(0.3)) consts.push(`${rng.pick(['TARGET_SCHEMA', 'SCHEMA'])} = ${q(w.schema)}`);
  if (rng.chance(0.2)) {
    ctx.imports.import('os');
    consts.push(`BUCKET = os.environ.get("DATA_BUCKET", ${q(rng.pick(BUCKETS))})`);
  }

  const docstring = moduleDocstring(rng, w, docSentences);
  const dagIdLit = q(dagId);
  const bodyInd = ctx.factory ? 8 : ctx.form === 'constructor' ? 0 : 4;
  const { args: dargs, positional } = dagKwargs(ctx, ctx.factory ? 'dag_id' : dagIdLit);
  const dArgsText = defaultArgs(ctx);
  const needsAnchors = ctx.form !== 'taskflow' && rng.chance(0.6);
  if (needsAnchors) op(ctx, 'empty');
  const factoryRegions = ctx.factory ? pyList(rng.sample(REGIONS, 3).map(q)) : '';
  const dagFnDoc = ctx.form === 'taskflow' && rng.chance(0.4) ? `    """${fill(rng.pick(SENTENCES), w)}"""\n\n` : '';
  const topComment = rng.chance(0.3) ? `${comment(rng)}\n` : '';

  const items = [];
  let estimate = docstring.length + dArgsText.length + consts.join('\n').length + 900 + (needsAnchors ? 200 : 0);
  const addItem = () => {
    const prev = items.length ? items[items.length - 1].ids : needsAnchors ? ['start'] : null;
    ctx.lastWasMulti = prev ? prev.length > 1 : false;
    const f = ctx.form === 'taskflow' && !items.length ? itemTfTask : pickItem(ctx);
    const it = f(ctx, bodyInd, prev);
    items.push(it);
    estimate += it.body.length + it.consts.join('\n').length + it.funcs.join('\n').length + 24 * it.ids.length + 4;
  };

  const render = () => {
    // The DAG section first: it decides which imports are needed.
    const stages = [];
    const body = [];
    const anchor = (id) => fmtCall(op(ctx, 'empty'), taskArgs(ctx, id), id, bodyInd);
    if (needsAnchors) {
      body.push(anchor('start'));
      stages.push({ ids: ['start'] });
    }
    for (const it of items) {
      body.push(it.body);
      stages.push({ ids: it.ids, linked: it.linked });
    }
    if (needsAnchors) {
      body.push(anchor('end'));
      stages.push({ ids: ['end'] });
    }
    const deps = renderDeps(ctx, stages, bodyInd);
    const bodyText = body.join('\n\n') + (deps.trim() ? `\n\n${deps}` : '');
    const argLines = (ind) => [...(positional ? [`    ${dagIdLit},`] : []), ...dargs.map(([k, val]) => `    ${k}=${val},`)].map((l) => indent(l, ind)).join('\n');
    let dagSection;
    if (ctx.factory) {
      dagSection = [
        `REGIONS_TO_BUILD = ${factoryRegions}`,
        `def build_dag(region):\n    dag_id = f"${dagId}_{region}"\n    with ${DagCls}(\n${argLines(4)}\n    ) as dag:\n${bodyText}\n    return dag`,
        `for region in REGIONS_TO_BUILD:\n    globals()[f"${dagId}_{region}"] = build_dag(region)`,
      ].join('\n\n\n');
    } else if (ctx.form === 'constructor') {
      dagSection = `dag = ${DagCls}(\n${argLines(0)}\n)\n\n${bodyText}`;
    } else if (ctx.form === 'with') {
      dagSection = `with ${DagCls}(\n${argLines(0)}\n) as dag:\n${bodyText}`;
    } else {
      const fn = dagId.replace(/^[^a-z]+/, '');
      const decoArgs = dargs.filter(([k]) => k !== 'dag_id');
      dagSection = `@${DagCls}(\n    dag_id=${dagIdLit},\n${decoArgs.map(([k, val]) => `    ${k}=${val},`).join('\n')}\n)\ndef ${fn}():\n${dagFnDoc}${bodyText}\n\n\n${fn}()`;
    }

    if (ctx.needLog) ctx.imports.import('logging');
    const parts = [`${docstring}\n\n${ctx.imports.render()}`];
    if (ctx.compatS3) {
      parts.push('try:\n    from airflow.providers.amazon.aws.hooks.s3 import S3Hook\nexcept ImportError:  # older provider packages\n    from airflow.hooks.S3_hook import S3Hook');
    }
    if (ctx.typeChecking) parts.push('if TYPE_CHECKING:\n    from airflow.sdk import Context');
    if (ctx.needLog) parts.push('log = logging.getLogger(__name__)');
    const allConsts = [...consts, ...items.flatMap((i) => i.consts)];
    if (allConsts.length) parts.push(topComment + allConsts.join('\n\n'));
    if (ctx.needCallApi) {
      parts.push(`def _call_api(path, ds):\n    """Thin wrapper so tests can patch the HTTP call."""\n    import requests\n\n    resp = requests.get(f"https://api.example.com{path}", params={"date": ds}, timeout=30)\n    if resp.status_code >= 500:\n        raise RuntimeError(resp.text[:200])\n    resp.raise_for_status()\n    return resp.json()`);
    }
    if (ctx.failureCallback) {
      parts.push(`def _notify_failure(context):\n    ti = context["task_instance"]\n    log.error("Task %s failed in %s", ti.task_id, ti.dag_id)`);
    }
    parts.push(...items.flatMap((i) => i.funcs));
    parts.push(dArgsText, dagSection);
    return parts.join('\n\n\n') + '\n';
  };

  if (ctx.typeChecking) ctx.imports.from('typing', 'TYPE_CHECKING');
  addItem();
  while (estimate < target) addItem();
  let text = render();
  while (Buffer.byteLength(text) < MIN_BYTES) {
    addItem();
    text = render();
  }
  while (Buffer.byteLength(text) > MAX_BYTES && items.length > 1) {
    items.pop();
    text = render();
  }
  return { text, era, form: ctx.form, factory: ctx.factory, tasks: items.reduce((n, i) => n + i.ids.length, 0) };
}

// Helper modules: plain Python shared by DAG files; they must not contain the word "d-a-g"
// so Airflow's safe mode (and the scanner) skips them.
function buildHelperModule(seed, index, name) {
  const rng = new Rng(hashSeed(seed, 'helper', index));
  const fns = [];
  for (let i = 0, n = rng.int(3, 10); i < n; i++) {
    const d = rng.pick(DOMAINS);
    const verb = rng.pick(['normalise', 'parse', 'chunk', 'hash', 'format', 'partition']);
    fns.push(`def ${verb}_${d}_${i}(values, size=${rng.int(10, 5000)}):\n    """${verb} ${d.replaceAll('_', ' ')} values in batches of \`size\`."""\n    out = []\n    for start in range(0, len(values), size):\n        chunk = values[start:start + size]\n        out.append([str(v).strip().lower() for v in chunk if v is not None])\n    return out`);
  }
  const text = `"""Shared helpers for ${name.replace(/\.py$/, '').replaceAll('_', ' ')}; imported by the pipelines in this folder."""\n\nimport hashlib\nimport re\n\nSLUG_RE = re.compile(r"[^a-z0-9]+")\n\n\ndef slugify(value):\n    return SLUG_RE.sub("-", value.lower()).strip("-")\n\n\ndef fingerprint(value):\n    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]\n\n\n${fns.join('\n\n\n')}\n`;
  if (/dag/i.test(text)) throw new Error(`helper module ${name} mentions the DAG keyword`);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Home-level files

function airflowCfg() {
  return `# Airflow configuration for the on-premises cluster.
# Values not listed here use the built-in defaults.

[core]
dags_folder = /opt/airflow/dags
plugins_folder = /opt/airflow/plugins
executor = CeleryExecutor
default_timezone = utc
parallelism = 64
max_active_tasks_per_dag = 16
max_active_runs_per_dag = 4
load_examples = False
dagbag_import_timeout = 60
dag_file_processor_timeout = 90
dag_discovery_safe_mode = True
dag_ignore_file_syntax = regexp
fernet_key =

[database]
sql_alchemy_conn = postgresql+psycopg2://airflow:airflow@postgres.internal:5432/airflow
sql_alchemy_pool_size = 10

[logging]
base_log_folder = /opt/airflow/logs
remote_logging = False
logging_level = INFO

[scheduler]
dag_dir_list_interval = 300
min_file_process_interval = 60
parsing_processes = 4
catchup_by_default = False

[webserver]
base_url = http://airflow.internal:8080
web_server_port = 8080
expose_config = False

[celery]
broker_url = redis://redis.internal:6379/0
worker_concurrency = 16

[smtp]
smtp_host = smtp.internal
smtp_port = 25
smtp_mail_from = airflow@example.com
`;
}

function requirementsTxt() {
  return `# Python dependencies for the workers and the scheduler.
# Keep in sync with the constraints file of the running Airflow version.
--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.9.2/constraints-3.11.txt"

apache-airflow==2.9.2
apache-airflow-providers-amazon==8.24.0
apache-airflow-providers-postgres==5.11.1
apache-airflow-providers-common-sql==1.14.0
apache-airflow-providers-http==4.11.1
apache-airflow-providers-slack==8.7.1
apache-airflow-providers-cncf-kubernetes==8.3.1
apache-airflow-providers-ssh==3.11.1
apache-airflow-providers-snowflake==5.5.1
apache-airflow-providers-apache-spark==4.8.1
apache-airflow-providers-mysql==5.6.1

# Libraries used inside tasks
pandas==2.1.4
pyarrow>=14,<16
requests==2.32.3
psycopg2-binary==2.9.9
boto3>=1.34
sqlalchemy>=1.4,<2.0
great-expectations==0.18.12
jinja2~=3.1
pendulum==3.0.0
python-dateutil
tenacity==8.2.3
pyyaml>=6.0
smart-open[s3]==7.0.4
backports.zoneinfo; python_version < "3.9"
dbt-postgres==1.8.2
git+https://github.com/acme-data/airflow-utils.git@v1.4.2#egg=acme-airflow-utils
`;
}

const PLUGINS = {
  'acme_macros.py': `"""Template macros shared by all teams (fiscal calendar, partition paths)."""

from datetime import date, timedelta

from airflow.plugins_manager import AirflowPlugin


def fiscal_quarter(ds):
    d = date.fromisoformat(ds)
    # The fiscal year starts on February 1st.
    month = (d.month - 2) % 12
    return f"FY{d.year + (1 if d.month >= 2 else 0)}Q{month // 3 + 1}"


def partition_path(ds, prefix="raw"):
    return f"{prefix}/{ds[:4]}/{ds[5:7]}/{ds[8:10]}"


def previous_business_day(ds):
    d = date.fromisoformat(ds) - timedelta(days=1)
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d.isoformat()


class AcmeMacrosPlugin(AirflowPlugin):
    name = "acme_macros"
    macros = [fiscal_quarter, partition_path, previous_business_day]
`,
  'acme_links.py': `"""Operator extra links to the internal data catalogue and runbooks."""

from airflow.models.baseoperator import BaseOperatorLink
from airflow.plugins_manager import AirflowPlugin
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator


class CatalogLink(BaseOperatorLink):
    name = "Data catalogue"
    operators = [SQLExecuteQueryOperator]

    def get_link(self, operator, *, ti_key):
        return f"https://catalog.example.com/search?q={operator.task_id}"


class RunbookLink(BaseOperatorLink):
    name = "Runbook"

    def get_link(self, operator, *, ti_key):
        return f"https://wiki.example.com/runbooks/{ti_key.dag_id}"


class AcmeLinksPlugin(AirflowPlugin):
    name = "acme_links"
    operator_extra_links = [RunbookLink()]
    global_operator_extra_links = [CatalogLink()]
`,
  'acme_listeners.py': `"""Listener that reports task failures to the incident tracker."""

import logging

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

log = logging.getLogger(__name__)


class FailureListener:
    @hookimpl
    def on_task_instance_failed(self, previous_state, task_instance, session):
        log.warning("task %s failed (try %s)", task_instance.task_id, task_instance.try_number)

    @hookimpl
    def on_task_instance_success(self, previous_state, task_instance, session):
        log.debug("task %s succeeded", task_instance.task_id)


class AcmeListenersPlugin(AirflowPlugin):
    name = "acme_listeners"
    listeners = [FailureListener()]
`,
};

const AIRFLOWIGNORE = `# Regexp syntax (dag_ignore_file_syntax = regexp): matched against paths relative to this folder.
# Scratch work and files in progress must not be parsed by the scheduler.
scratch/
.*_wip\\.py$
`;

// ---------------------------------------------------------------------------------------------
// Layout and generation

function planLayout(seed, files) {
  const rng = new Rng(hashSeed(seed, 'layout', files));
  const folders = [];
  let remaining = files;
  let teamNo = 0;
  while (remaining > 0) {
    const team = `team_${String(teamNo++).padStart(2, '0')}`;
    const subs = rng.sample(SUBDIRS, rng.int(1, 4));
    // Some teams keep files directly in their folder, some nest two levels deep.
    const paths = subs.map((s) => (rng.chance(0.2) ? `${team}/${s}/${rng.pick(['daily', 'hourly', 'vendors', 'core', 'v2'])}` : `${team}/${s}`));
    if (rng.chance(0.3)) paths.unshift(team);
    for (const p of paths) {
      if (remaining <= 0) break;
      const n = Math.min(remaining, rng.int(20, 50));
      folders.push({ path: p, team, sub: p.split('/')[1] ?? 'core', count: n });
      remaining -= n;
    }
  }
  return { folders, teams: folders.map((f) => f.team).filter((t, i, a) => a.indexOf(t) === i) };
}

function logUniform(rng, lo, hi) {
  return Math.round(lo * Math.exp(rng.next() * Math.log(hi / lo)));
}

function readMarker(dir) {
  try {
    return JSON.parse(readFileSync(path.join(dir, MARKER_FILE), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Generate (or reuse) a synthetic Airflow home.
 * @returns {{ outDir: string, reused: boolean, dagFiles: number, helperFiles: number, ignoredFiles: number,
 *   dagBytes: number, totalBytes: number, sizes: {min:number, median:number, max:number}, eras: object, sha256: string }}
 */
export function generateHome({ outDir, files = DEFAULT_FILES, seed = DEFAULT_SEED, force = false, log = () => {} } = {}) {
  outDir = path.resolve(outDir ?? defaultOutDir(files));
  const seedStr = String(seed);
  const marker = readMarker(outDir);
  if (!force && marker && marker.generatorVersion === GENERATOR_VERSION && marker.files === files && marker.seed === seedStr) {
    return { ...marker.stats, outDir, reused: true };
  }
  if (existsSync(outDir) && readdirSync(outDir).length) {
    // Only wipe folders this generator made; never a user's directory.
    if (!marker) throw new Error(`refusing to overwrite ${outDir}: not empty and has no ${MARKER_FILE}`);
    rmSync(outDir, { recursive: true, force: true });
  }

  const t0 = performance.now();
  const hash = createHash('sha256');
  let totalBytes = 0;
  const write = (rel, text) => {
    const abs = path.join(outDir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    const n = Buffer.byteLength(text);
    totalBytes += n;
    hash.update(rel).update('\0').update(text).update('\0');
    return n;
  };

  mkdirSync(outDir, { recursive: true });
  write('airflow.cfg', airflowCfg());
  write('requirements.txt', requirementsTxt());
  for (const [name, text] of Object.entries(PLUGINS)) write(`plugins/${name}`, text);
  write('dags/.airflowignore', AIRFLOWIGNORE);

  const { folders, teams } = planLayout(seedStr, files);
  const sizeRng = new Rng(hashSeed(seedStr, 'sizes', files));
  const nameRng = new Rng(hashSeed(seedStr, 'names', files));
  const sizes = [];
  const eras = { '1.10': 0, '2.x': 0, '3.x': 0 };
  const forms = Object.create(null); // "constructor" is one of the keys
  let dagBytes = 0;
  let index = 0;
  let helperFiles = 0;
  let ignoredFiles = 0;
  const helperEvery = 50; // ~2% helper modules

  for (const folder of folders) {
    const used = new Set();
    for (let i = 0; i < folder.count; i++) {
      let base;
      do {
        base = nameRng.weighted([
          [6, `${nameRng.pick(DOMAINS)}_${nameRng.pick(CADENCES)}_${nameRng.pick(VERBS)}`],
          [2, `dag_${nameRng.pick(DOMAINS)}_${nameRng.pick(VERBS)}`],
          [2, `${nameRng.pick(VERBS)}_${nameRng.pick(DOMAINS)}_to_${nameRng.pick(SCHEMAS)}`],
        ]);
        if (used.has(base)) base = `${base}_${nameRng.int(2, 9)}`;
      } while (used.has(base));
      used.add(base);
      const rel = `dags/${folder.path}/${base}.py`;
      const dagId = `${folder.path.replaceAll('/', '_')}_${base.replace(/^dag_/, '')}`;
      const target = logUniform(sizeRng, MIN_BYTES, MAX_BYTES);
      const { text, era, form, factory } = buildDagFile({ seed: seedStr, index, team: folder.team, sub: folder.sub, base, dagId, target, teams });
      const n = write(rel, text);
      sizes.push(n);
      dagBytes += n;
      eras[era === 1 ? '1.10' : era === 2 ? '2.x' : '3.x']++;
      const formKey = factory ? 'factory' : form;
      forms[formKey] = (forms[formKey] ?? 0) + 1;
      index++;
      if (index % helperEvery === 0) {
        const hname = `${nameRng.pick(['utils', 'common', 'helpers', 'sql_utils', 'io_helpers'])}_${helperFiles}.py`;
        write(`dags/${folder.team}/lib/${hname}`, buildHelperModule(seedStr, helperFiles, hname));
        helperFiles++;
      }
      if (index % 2000 === 0) log(`  ${index}/${files} DAG files`);
    }
  }
  // Files the .airflowignore excludes: a scratch folder and a work-in-progress file.
  const nIgnored = Math.max(3, Math.round(files * 0.003));
  for (let i = 0; i < nIgnored; i++) {
    const base = i === 0 ? `dags/${folders[0].path}/orders_rework_wip.py` : `dags/scratch/experiment_${i}.py`;
    const { text } = buildDagFile({ seed: seedStr, index: files + i, team: 'scratch', sub: 'scratch', base: `experiment_${i}`, dagId: `scratch_experiment_${i}`, target: MIN_BYTES * 2, teams });
    write(base, text);
    ignoredFiles++;
  }

  const sorted = sizes.slice().sort((a, b) => a - b);
  const stats = {
    dagFiles: files,
    helperFiles,
    ignoredFiles,
    pluginFiles: Object.keys(PLUGINS).length,
    folders: folders.length,
    dagBytes,
    totalBytes,
    sizes: { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted[sorted.length - 1] ?? 0 },
    eras,
    forms,
    sha256: hash.digest('hex'),
  };
  writeFileSync(path.join(outDir, MARKER_FILE), JSON.stringify({ generatorVersion: GENERATOR_VERSION, files, seed: seedStr, stats }, null, 2) + '\n');
  return { ...stats, outDir, reused: false, genMs: Math.round(performance.now() - t0) };
}

export function formatStats(s) {
  const mb = (b) => (b / (1024 * 1024)).toFixed(1);
  const eraText = Object.entries(s.eras).map(([k, v]) => `${k} ${v}`).join(', ');
  const formText = Object.entries(s.forms ?? {}).sort().map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `${s.reused ? 'reused' : 'generated'} ${s.outDir ? path.relative(process.cwd(), s.outDir) || '.' : ''}${s.genMs != null ? ` in ${(s.genMs / 1000).toFixed(1)} s` : ''}`,
    `  DAG files ${s.dagFiles} in ${s.folders} folders, ${mb(s.dagBytes)} MB (min ${s.sizes.min} B, median ${s.sizes.median} B, max ${s.sizes.max} B)`,
    `  helpers ${s.helperFiles}, ignored ${s.ignoredFiles}, plugins ${s.pluginFiles}; total ${mb(s.totalBytes)} MB`,
    `  eras: ${eraText}; forms: ${formText}`,
    `  sha256 ${s.sha256.slice(0, 16)}`,
  ].join('\n');
}

function isMain() {
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1] ?? '')).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      files: { type: 'string', default: String(DEFAULT_FILES) },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: node bench/gen-home.mjs [OUT_DIR] [--files N] [--seed S] [--force]');
    process.exit(0);
  }
  const files = Number(values.files);
  if (!Number.isInteger(files) || files < 1) {
    console.error(`--files must be a positive integer, got ${values.files}`);
    process.exit(2);
  }
  try {
    const stats = generateHome({ outDir: positionals[0], files, seed: values.seed, force: values.force, log: (m) => console.error(m) });
    console.log(formatStats(stats));
  } catch (err) {
    console.error(`gen-home: ${err.message}`);
    process.exit(1);
  }
}
