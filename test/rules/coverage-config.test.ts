import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { carryOverOptions, changeRows, mwaaOptions, type ChangeRow } from '../../src/check/matchers/config.js';
import { reservedFor } from '../../src/check/matchers/config/mwaa-owned.js';
import { targetVersions } from '../../src/refdata/mwaa.js';
import { parseCfg } from '../../src/home/cfgparse.js';
import { buildConfig, type EnvVar } from '../../src/home/config.js';
import { INVENTORY_SCHEMA_VERSION, type Inventory } from '../../src/home/inventory.js';
import { scanHome } from '../../src/home/scan.js';
import { airflowConfigCatalog, catalogVersionFor, compareVersions, defaultAt, defaultIn } from '../../src/refdata/airflow-config.js';
import { HOMES, leakedCanaries } from '../helpers.js';

// The CFG, MWAA and SEC rules against their source tables: every row of config-changes.yml (and
// of the rows generated beside it) and every option MWAA sets is caught by some rule on an example
// airflow.cfg made for it, or was judged not applicable with a reason in the generated data.

const catalog = loadCatalog();
const FAMILIES = ['CFG', 'MWAA', 'SEC'];
const HOME = '/home/airflow';
const targets = targetVersions()
  .map((v) => v.version)
  .sort(compareVersions);

/** A home that consists of this airflow.cfg (and environment): the Inventory the scanner would build. */
function inventory(cfg: string, options: { env?: Record<string, string>; detected?: string } = {}): Inventory {
  const env: EnvVar[] = Object.entries(options.env ?? {}).map(([name, value]) => ({ name, value, source: { kind: 'env', name, origin: 'env-file' } }));
  const detected = options.detected ?? null;
  const config = buildConfig('airflow.cfg', parseCfg(cfg, 'airflow.cfg').entries, env, detected ? catalogVersionFor(detected) : null, HOME);
  return {
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    tool: { name: 'mwaa-migrate', version: 'test' },
    home: HOME,
    airflowVersion: { version: detected, source: detected ? 'flag' : 'none', confidence: detected ? 'certain' : 'none', family: null, candidates: [], evidence: [] },
    config: { file: 'airflow.cfg', referenceVersion: detected ? catalogVersionFor(detected) : null, options: config.options },
    connections: config.connections,
    variables: config.variables,
    secrets: config.secrets,
    dagFolder: { configured: null, path: 'dags', fellBack: false, ignoreSyntax: 'regexp', safeMode: true, ignoredFiles: [], skippedBySafeMode: [], zips: [] },
    dagFiles: [],
    plugins: { folder: null, files: [], otherFiles: [], plugins: [], zip: null },
    requirements: { files: [], requirements: [] },
    problems: [],
    summary: { dagFiles: 0, brokenDagFiles: 0, dags: 0, tasks: 0, imports: 0, plugins: 0, pluginFiles: 0, requirements: 0, connections: 0, variables: 0, secrets: 0, problems: 0, bytes: 0 },
  };
}

const findings = (inv: Inventory, target: string) => check(inv, catalog, { target, select: FAMILIES }).findings;
const cfgLine = (value: string) => value.replace(/%/g, '%%');

/** A value the row's condition holds for: the deprecated pattern's text, the value it names, or one unlike the default. */
function exampleValue(row: ChangeRow, key: string): string {
  if (row.pattern) {
    const first = row.pattern.source.split(/(?<!\\)\|/)[0]!;
    const text = first.replace(/^\^/, '').replace(/\$$/, '').replace(/\\(.)/g, '$1');
    expect(new RegExp(row.pattern.source, row.pattern.flags).test(text), `${row.id}: example for ${row.pattern.source}`).toBe(true);
    return text;
  }
  if (row.equals !== undefined) return row.equals;
  const entry = airflowConfigCatalog().options[`${row.section}.${key}`];
  const def = entry ? defaultIn(entry, entry.present.at(-1)!) : null;
  if (def && /^(true|false)$/i.test(def)) return /^true$/i.test(def) ? 'False' : 'True';
  return 'mwaa-migrate-example';
}

interface Outcome {
  row: ChangeRow;
  by: string[];
}

function judgeRow(row: ChangeRow): Outcome {
  const key = row.options?.[0] ?? row.option;
  const target = targets.find((t) => compareVersions(row.since, t) <= 0) ?? targets.at(-1)!;
  const text = `[${row.section}] ${key}`;
  const inv = row.kind === 'default-changed' ? inventory('') : inventory(`[${row.section}]\n${key} = ${cfgLine(exampleValue(row, key))}\n`);
  return { row, by: findings(inv, target).filter((f) => f.text === text).map((f) => f.ruleId) };
}

function report(title: string, outcomes: Outcome[]): { matched: number; judged: number; missed: Outcome[] } {
  const judged = outcomes.filter((o) => o.row.verdict === 'not-applicable');
  const checked = outcomes.filter((o) => o.row.verdict === 'check');
  const matched = checked.filter((o) => o.by.length > 0);
  const byRule = new Map<string, number>();
  for (const o of matched) for (const id of new Set(o.by)) byRule.set(id, (byRule.get(id) ?? 0) + 1);
  const pct = ((100 * (matched.length + judged.length)) / outcomes.length).toFixed(1);
  console.log(
    `${title}: ${matched.length} matched by a rule + ${judged.length} judged not applicable = ${matched.length + judged.length}/${outcomes.length} (${pct}%)` +
      `  [${[...byRule].sort().map(([id, n]) => `${id} ${n}`).join(', ')}]`,
  );
  return { matched: matched.length, judged: judged.length, missed: checked.filter((o) => o.by.length === 0) };
}

describe('config-changes.yml coverage', () => {
  const rows = changeRows();
  const tables: [string, ChangeRow['table'], number | null][] = [
    ['config-changes.yml changes', 'changes', 277],
    ['config-changes.yml derived_disappearances', 'derived', 127],
    ['options left behind by whole-section moves', 'section', null],
  ];
  for (const [title, table, count] of tables) {
    it(`${title}: every row is matched by a rule or judged not applicable`, () => {
      const selected = rows.filter((r) => r.table === table);
      if (count !== null) expect(selected).toHaveLength(count);
      // Judged rows (every not-applicable one, and every row not taken from Airflow's own tables) say why.
      for (const r of selected.filter((r) => r.verdict === 'not-applicable' || r.table !== 'changes')) {
        expect(r.reason?.length ?? 0, `${r.id} is judged with a reason`).toBeGreaterThan(20);
      }
      const { missed } = report(title, selected.map(judgeRow));
      expect(missed.map((o) => `${o.row.id} ${o.row.kind} [${o.row.section}] ${o.row.option} since ${o.row.since}`)).toEqual([]);
    });
  }
});

describe('mwaa.yaml coverage', () => {
  const { reserved, merged } = mwaaOptions();

  it('every option MWAA sets is caught when a home sets it, on every target (from its runtime image, else the documented list)', () => {
    const missed: string[] = [];
    let checks = 0;
    for (const target of targets) {
      for (const entry of reservedFor(target)) {
        const [section, key] = [entry.option.slice(0, entry.option.indexOf('.')), entry.option.slice(entry.option.indexOf('.') + 1)];
        checks++;
        const got = findings(inventory(`[${section}]\n${key} = mwaa-migrate-example\n`), target).filter((f) => f.line === 2);
        if (got.length === 0) missed.push(`${entry.option} on ${target}`);
      }
    }
    console.log(`options MWAA sets (runtime images, documented list, protected AIRFLOW__ variables): ${checks - missed.length}/${checks} (option, target) pairs caught (${((100 * (checks - missed.length)) / checks).toFixed(1)}%)`);
    expect(missed).toEqual([]);
  });

  it('the prose entries: statsd host, port and prefix are caught; the allow/block lists and extra_celery_config carry over; statsd_on is MWAA\'s (MWAA008)', () => {
    for (const key of ['statsd_host', 'statsd_port', 'statsd_prefix']) {
      expect(reserved.find((e) => e.option === `metrics.${key}`), key).toBeDefined();
    }
    const inv = inventory(merged.map((m) => `[${m.option.split('.')[0]}]\n${m.option.split('.')[1]} = mwaa-migrate-example\n`).join(''));
    for (const target of [targets[0]!, targets.at(-1)!]) {
      // MWAA's sidecar reads statsd_on as "publish to CloudWatch", not the old host's statsd server.
      expect(findings(inv, target).filter((f) => f.ruleId !== 'CFG005' && f.line > 0).map((f) => `${f.ruleId} ${f.text}`), target).toEqual(['MWAA008 [metrics] statsd_on']);
      const carried = carryOverOptions(inv, target).map((c) => `${c.section}.${c.key}`);
      for (const m of merged.filter((m) => m.option !== 'metrics.statsd_on')) expect(carried, `${m.option} on ${target}`).toContain(m.option);
      expect(carried).not.toContain('metrics.statsd_on');
    }
  });
});

describe('carryOverOptions', () => {
  const cfg = `
[core]
dags_folder = /opt/airflow/dags
executor = CeleryExecutor
load_examples = True
parallelism = 64
max_active_runs_per_dag = 16
dag_concurrency = 24
hostname_callable = socket:getfqdn
fernet_key = not-a-real-key
secure_mode = True
default_task_retries_cmd = echo 2

[logging]
remote_logging = True
log_format = [%%(asctime)s] {%%(filename)s:%%(lineno)d} %%(levelname)s - %%(message)s

[scheduler]
task_queued_timeout = 600.0
schedule_after_task_execution = False

[smtp]
smtp_host = smtp.example.com
smtp_password = not-a-real-password

[metrics]
statsd_on = True
statsd_host = statsd.internal

[acme]
api_url = https://acme.example

[webserver]
instance_name = Caf\u00e9
`;
  const inv = inventory(cfg, { env: { AIRFLOW__CORE__DEFAULT_TIMEZONE: 'Europe/Berlin', AIRFLOW__CORE__PARALLELISM: '48' }, detected: '2.7.2' });
  const carried = carryOverOptions(inv, '2.10.3');
  const keys = carried.map((c) => `${c.section}.${c.key}`);

  it('carries non-secret options that differ from the default MWAA would use, under the target name and value', () => {
    expect(carried).toEqual(
      expect.arrayContaining([
        { section: 'core', key: 'parallelism', value: '48' },
        { section: 'core', key: 'default_timezone', value: 'Europe/Berlin' },
        { section: 'core', key: 'max_active_tasks_per_dag', value: '24' },
        { section: 'core', key: 'hostname_callable', value: 'socket.getfqdn' },
        { section: 'scheduler', key: 'task_queued_timeout', value: '600.0' },
        { section: 'smtp', key: 'smtp_host', value: 'smtp.example.com' },
      ]),
    );
  });

  it('leaves out secrets, _cmd forms, what MWAA sets or replaces, removed and unknown options, host paths and defaults', () => {
    for (const k of [
      'core.fernet_key',
      'smtp.smtp_password',
      'core.default_task_retries',
      'core.executor',
      'core.load_examples',
      'metrics.statsd_host',
      'metrics.statsd_on',
      'logging.remote_logging',
      'core.secure_mode',
      'acme.api_url',
      'core.dags_folder',
      'core.max_active_runs_per_dag',
      'logging.log_format',
      'scheduler.schedule_after_task_execution',
      'core.dag_concurrency',
    ]) {
      expect(keys, k).not.toContain(k);
    }
  });

  it('leaves out what MWAA would refuse, which MWAA006 reports instead', () => {
    expect(keys).not.toContain('webserver.instance_name');
    const got = findings(inv, '2.10.3').filter((f) => f.ruleId === 'MWAA006');
    expect(got.map((f) => f.text)).toEqual(['[webserver] instance_name']);
  });

  it('never returns a value the scan marked secret', () => {
    for (const c of carried) expect(c.value).not.toMatch(/not-a-real|<redacted>/);
  });
});

describe('secrets never reach a finding or the carry-over', () => {
  it.each([
    ['airflow1', undefined],
    ['airflow2', '.env'],
    ['airflow3', undefined],
  ])('%s, on the oldest and the newest target', async (home, envFile) => {
    const inv = await scanHome(join(HOMES, home), { cache: false, workers: 0, envFile: envFile && join(HOMES, home, envFile) });
    for (const target of [targets[0]!, targets.at(-1)!]) {
      const got = findings(inv, target);
      expect(got.length).toBeGreaterThan(0);
      expect(leakedCanaries(JSON.stringify(got))).toEqual([]);
      expect(leakedCanaries(JSON.stringify(carryOverOptions(inv, target)))).toEqual([]);
    }
  });
});

// Issue 12: an error must mean "the environment will break". airflow.cfg never goes to MWAA.
describe('severity: what the environment loses, judged by the target', () => {
  const cfg = `
[atlas]
host = atlas.example
port = 21001
[smart_sensor]
use_smart_sensor = True
shards = 10
[mesos]
master = mesos.example:5050
task_cpu = 2
[core]
enable_xcom_pickling = True
dag_concurrency = 24
log_format = Caf\u00e9 %%(message)s
[webserver]
dag_orientation = TB
[smtp]
smtp_user = alerts
`;
  const of = (inv: Inventory, target: string) => new Map(findings(inv, target).filter((f) => f.line > 0).map((f) => [f.text, f]));

  it('a 2.8.1 home (scanned from disk): [atlas], [smart_sensor], [mesos] already do nothing there, so they are info, not errors', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cfg-281-'));
    try {
      writeFileSync(join(home, 'airflow.cfg'), cfg);
      const inv = await scanHome(home, { cache: false, workers: 0, airflowVersion: '2.8.1' });
      for (const target of ['3.0.6', '2.10.3']) {
        const got = of(inv, target);
        for (const text of ['[atlas] host', '[atlas] port', '[smart_sensor] use_smart_sensor', '[smart_sensor] shards', '[mesos] master', '[mesos] task_cpu']) {
          const f = got.get(text);
          expect(f?.ruleId, `${text} on ${target}`).toBe('CFG002');
          expect(f?.severity, `${text} on ${target}`).toBe('info');
          expect(f?.message).toMatch(/has no effect today: .*Airflow 2\.8\.1, given with --airflow-version/);
        }
      }
      // Removed on the way to 3.x: judged per row by what MWAA loses.
      const got = of(inv, '3.0.6');
      expect(got.get('[core] enable_xcom_pickling')?.severity).toBe('error');
      expect(got.get('[smtp] smtp_user')?.severity).toBe('warning');
      expect(got.get('[webserver] dag_orientation')?.severity).toBe('info');
      const errors = [...got.values()].filter((f) => f.severity === 'error' && f.family === 'CFG').map((f) => f.text);
      expect(errors).toEqual(['[core] enable_xcom_pickling']);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('without a detected version, a removal on the way keeps its per-row severity (smart sensors: warning)', () => {
    const got = of(inventory(cfg), '3.0.6');
    expect(got.get('[smart_sensor] use_smart_sensor')?.severity).toBe('warning');
    expect(got.get('[atlas] host')?.severity).toBe('info');
    expect(got.get('[smart_sensor] use_smart_sensor')?.message).toMatch(/has no effect on Airflow 3\.0\.6/);
  });

  it('every checked removal in the data carries a judged severity and impact', () => {
    const removals = changeRows().filter((r) => r.kind === 'removed' && r.verdict === 'check');
    expect(removals.filter((r) => !r.severity || (r.impact?.length ?? 0) < 20).map((r) => r.id)).toEqual([]);
    const errors = removals.filter((r) => r.severity === 'error').map((r) => `${r.section}.${r.option}`);
    expect(errors.sort()).toEqual(['core.enable_xcom_pickling', 'operators.allow_illegal_arguments']);
  });

  it('a rename the plan carries over is info and says what the plan sends; one it cannot carry is a warning', () => {
    const inv = inventory(cfg, { detected: '2.8.1' });
    const got = of(inv, '3.0.6');
    const renamed = got.get('[core] dag_concurrency')!;
    expect([renamed.ruleId, renamed.severity]).toEqual(['CFG001', 'info']);
    expect(renamed.message).toContain('the plan sends it to MWAA as core.max_active_tasks_per_dag = 24');
    expect(carryOverOptions(inv, '3.0.6')).toContainEqual({ section: 'core', key: 'max_active_tasks_per_dag', value: '24' });
    const refused = findings(inv, '3.0.6').find((f) => f.ruleId === 'CFG001' && f.text === '[core] log_format')!;
    expect([refused.ruleId, refused.severity]).toEqual(['CFG001', 'warning']);
    expect(refused.message).toContain('the plan cannot send it');
    expect(findings(inv, '3.0.6').filter((f) => f.ruleId === 'CFG001' && f.severity === 'error')).toEqual([]);
  });

  it('a default that changes says which source version it assumed, and why; a home already on the new default gets nothing', () => {
    const said = (inv: Inventory) => findings(inv, '3.0.6').find((f) => f.text === '[scheduler] catchup_by_default')?.message;
    expect(said(inventory('', { detected: '2.8.1' }))).toContain('(this home was taken to run Airflow 2.8.1, given with --airflow-version, certain confidence)');
    expect(said(inventory(''))).toContain('no Airflow version was found for this home, so it is assumed to run a version before 3.0');
    expect(said(inventory('', { detected: '3.0.2' }))).toBeUndefined();
  });
});

describe('options are judged by the exact target version, not by the first release of its line', () => {
  it('the catalogue applies the 3.0.x patch releases: 3.0.6 has [api] expose_config and still [webserver] page_size', () => {
    expect(defaultAt('api.expose_config', '3.0.0')).toBeUndefined();
    expect(defaultAt('api.expose_config', '3.0.6')).toBeDefined();
    expect(defaultAt('webserver.expose_config', '3.0.6')).toBeUndefined();
    expect(defaultAt('webserver.page_size', '3.0.6')).toBeDefined();
    expect(defaultAt('api.page_size', '3.0.6')).toBeUndefined();
    expect(defaultAt('api.page_size', '3.1.6')).toBeDefined();
    expect(defaultAt('workers.socket_cleanup_timeout', '3.0.2')).toBeUndefined();
    expect(defaultAt('workers.socket_cleanup_timeout', '3.0.3')).toBeDefined();
  });

  it('[webserver] page_size stays as it is for 3.0.6 and moves to [api] for 3.1.6; expose_config and enable_swagger_ui move for both', () => {
    const inv = inventory('[webserver]\npage_size = 25\nexpose_config = True\nenable_swagger_ui = False\n', { detected: '2.10.3' });
    const carried = (target: string) => carryOverOptions(inv, target).map((c) => `${c.section}.${c.key}=${c.value}`);
    expect(carried('3.0.6')).toEqual(['api.enable_swagger_ui=False', 'api.expose_config=True', 'webserver.page_size=25']);
    expect(carried('3.1.6')).toEqual(['api.enable_swagger_ui=False', 'api.expose_config=True', 'api.page_size=25']);
    const on306 = findings(inv, '3.0.6').filter((f) => f.line > 0);
    expect(on306.map((f) => `${f.ruleId} ${f.severity} ${f.text}`).sort()).toEqual(['CFG001 info [webserver] enable_swagger_ui', 'CFG001 info [webserver] expose_config']);
    expect(on306.find((f) => f.text === '[webserver] expose_config')?.message).toContain('Airflow 3.0.6 still reads the old name');
  });

  it('an option a 3.0.x patch release added is known and carried on 3.0.6', () => {
    const inv = inventory('[api]\nexpose_config = True\n', { detected: '3.0.6' });
    expect(findings(inv, '3.0.6').filter((f) => f.line > 0)).toEqual([]);
    expect(carryOverOptions(inv, '3.0.6')).toEqual([{ section: 'api', key: 'expose_config', value: 'True' }]);
  });
});

describe('[secrets] backend_kwargs is a secret only when it carries a credential', () => {
  const backend = 'backend = airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend\n';
  const home = (kwargs: string) => inventory(`[secrets]\n${backend}backend_kwargs = ${kwargs}\n`, { detected: '2.8.1' });
  const sec001 = (inv: Inventory) => findings(inv, '3.0.6').filter((f) => f.ruleId === 'SEC001').map((f) => f.text);

  it('prefixes and a profile name are not a secret; the plan carries the prefixes and drops the old host\'s profile', () => {
    const inv = home('{"connections_prefix": "airflow/connections", "variables_prefix": "airflow/variables", "profile_name": "default"}');
    expect(inv.config.options.find((o) => o.key === 'backend_kwargs')?.secret).toBe(false);
    expect(inv.secrets).toEqual([]);
    expect(sec001(inv)).toEqual([]);
    expect(carryOverOptions(inv, '3.0.6')).toContainEqual({ section: 'secrets', key: 'backend_kwargs', value: '{"connections_prefix":"airflow/connections","variables_prefix":"airflow/variables"}' });
  });

  it.each([
    ['an access key', '{"connections_prefix": "c", "aws_secret_access_key": "not-a-real-key"}'],
    ['a Vault token, nested', '{"url": "http://vault:8200", "auth": {"token": "s.not-a-real-token"}}'],
    ['a URI with a password', '{"connections_prefix": "c", "endpoint": "https://user:pw@vault.example"}'],
    ['text that is not JSON', "{'connections_prefix': 'c', 'token': 'x'}"],
  ])('%s makes it one', (_what, kwargs) => {
    const inv = home(kwargs);
    expect(inv.config.options.find((o) => o.key === 'backend_kwargs')?.secret).toBe(true);
    expect(sec001(inv)).toEqual(['[secrets] backend_kwargs']);
    expect(carryOverOptions(inv, '3.0.6').map((c) => c.key)).not.toContain('backend_kwargs');
  });
});
