import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lt } from '@renovatebot/pep440';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOMES, ROOT } from '../helpers.js';
import { covered, names, namedBy, ourReport, pythonSources, ruffCheck, type OurReport, type PySource, type RuffDiagnostic } from './ruff-oracle.js';

// At least what ruff finds: every AIR002/AIR301/AIR302/AIR303/AIR304/AIR311/AIR312/AIR321 diagnostic of ruff's
// own WebAssembly build (preview on) on the fixture homes and on the corpus in fixtures/oracle
// (written from Airflow 3.0's release notes) must be named, in the same file, by a finding of
// `report` run as a new user runs it (no flags: default target, detected version). Matching is by
// name, not line: ruff names the use, we may name the import or the use (AIR002, a DAG with no
// schedule, names no name: ARG015 on the same line covers it).

const ORACLE = join(ROOT, 'fixtures', 'oracle');
/** Airflow homes under a fixture folder: a folder with dags/ or airflow.cfg is one; others are looked into. */
function findHomes(dir: string): string[] {
  const children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  return children.flatMap((c) => (existsSync(join(c, 'dags')) || existsSync(join(c, 'airflow.cfg')) ? [c] : findHomes(c)));
}
const HOME_PATHS = [...findHomes(HOMES), ...findHomes(ORACLE)];
const homeKey = (path: string): string => path.slice(ROOT.length + 1).split('\\').join('/');

interface Excepted {
  why: string;
  /** Holds only while the report's target is below this version (then the thing is no break). */
  targetBelow?: string;
}

const MOVED_IN_3_1: Excepted = {
  why: 'moved in Airflow 3.1 (AIR321): the old path is the path on the 3.0 target, and 3.1 keeps a shim — no break',
  targetBelow: '3.1',
};
const IGNORED_UNUSED: Excepted = {
  why: 'excluded by .airflowignore and imported by no module: Airflow never parses or runs the file',
};

/**
 * ruff diagnostics we deliberately do not name, each with why that is right.
 * Key: `<home>/<file> <name>`, or `<home>/<file>` for every diagnostic of a file; home as
 * `fixtures/homes/x` or `fixtures/oracle/x`. A listed exception that stops occurring (or stops
 * being needed) fails the test, so the list stays honest.
 */
const EXCEPTIONS: Record<string, Excepted> = {
  'fixtures/homes/airflow1/dags/dev_sandbox_dag.py': IGNORED_UNUSED,
  'fixtures/homes/airflow1/dags/legacy_backfills/backfill_2019_orders.py': IGNORED_UNUSED,
  'fixtures/homes/airflow2/dags/sftp_exports.py airflow.models.baseoperator.BaseOperator': MOVED_IN_3_1,
  'fixtures/homes/broken/plugins/plugins.zip/plugins/alerting/hooks.py airflow.hooks.base.BaseHook': MOVED_IN_3_1,
  'fixtures/oracle/mixed_3x/plugins/lake_ops/operators.py airflow.models.baseoperator.BaseOperator': MOVED_IN_3_1,
  'fixtures/oracle/platform_2x/dags/billing_close.py airflow.utils.task_group.TaskGroup': MOVED_IN_3_1,
  'fixtures/oracle/platform_2x/dags/maintenance/metadata_cleanup.py airflow.utils.timezone.utcnow': MOVED_IN_3_1,
  'fixtures/oracle/platform_2x/dags/utils/helpers.py airflow.macros.ds_add': MOVED_IN_3_1,
  'fixtures/oracle/platform_2x/dags/utils/helpers.py airflow.utils.timezone.make_naive': MOVED_IN_3_1,
  'fixtures/oracle/platform_2x/dags/utils/helpers.py airflow.utils.timezone.utcnow': MOVED_IN_3_1,
  'fixtures/oracle/platform_2x/dags/utils/helpers.py airflow.hooks.base.BaseHook': MOVED_IN_3_1,
};

interface Silent {
  home: string;
  file: string;
  /** Text that must be in the file: the construct this entry is about. */
  marker: string;
  /** What our finding must name. */
  name: string;
  why: string;
}

/** Where ruff is silent and we are right: ruff names nothing of this in the file, we do. */
const SILENT: Silent[] = [
  { home: 'fixtures/oracle/mixed_3x', file: 'dags/clickstream_ingest.py', marker: "{{ execution_date.strftime('%H') }}", name: 'execution_date', why: 'Jinja template in bash_command: ruff does not read templates' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/warehouse_rollup.py', marker: 'echo next window starts {{ next_ds }}', name: 'next_ds', why: 'Jinja template' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/warehouse_rollup.py', marker: 'from airflow.operators import BashOperator, PythonOperator', name: 'airflow.operators.PythonOperator', why: '1.10 package-level import: ImportError since 2.0' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/warehouse_rollup.py', marker: 'from airflow.operators import BashOperator, PythonOperator', name: 'airflow.operators.BashOperator', why: '1.10 package-level import' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/warehouse_rollup.py', marker: 'from airflow.hooks import PostgresHook', name: 'airflow.hooks.PostgresHook', why: '1.10 package-level import' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/warehouse_rollup.py', marker: 'from airflow.operators.sensors import ExternalTaskSensor', name: 'airflow.operators.sensors.ExternalTaskSensor', why: '1.10 module removed in 2.0' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/warehouse_rollup.py', marker: 'from airflow.operators.subdag_operator import SubDagOperator', name: 'airflow.operators.subdag_operator.SubDagOperator', why: 'SubDAGs are gone in 3.0; ruff only knows airflow.operators.subdag' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/warehouse_rollup.py', marker: 'context["execution_date"]', name: 'execution_date', why: 'context key read in a plain python_callable (ruff only looks in @task functions)' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/customer_sync.py', marker: 'def choose_path(execution_date, **kwargs)', name: 'execution_date', why: 'python_callable keyword parameter named after a removed key' },
  { home: 'fixtures/oracle/mixed_3x', file: 'dags/legacy_exports.py', marker: 'def split_export(ds, execution_date, **kwargs)', name: 'execution_date', why: 'python_callable keyword parameter' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'plugins/acme_ops/operators.py', marker: 'def execute(self, context)', name: 'execution_date', why: 'operator execute() method' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'plugins/acme_ops/operators.py', marker: 'context["prev_execution_date"]', name: 'prev_execution_date', why: 'operator execute() method' },
  { home: 'fixtures/oracle/mixed_3x', file: 'plugins/lake_ops/operators.py', marker: 'context["dag_run"].external_trigger', name: 'external_trigger', why: 'operator execute() method' },
  { home: 'fixtures/oracle/mixed_3x', file: 'plugins/lake_ops/operators.py', marker: 'context.get("execution_date")', name: 'execution_date', why: 'operator execute() method, read with .get' },
  { home: 'fixtures/oracle/mixed_3x', file: 'plugins/lake_ops/operators.py', marker: 'context["tomorrow_ds_nodash"]', name: 'tomorrow_ds_nodash', why: 'sensor poke() method' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/partner_reports.zip/partner_daily.py', marker: 'provide_context=True', name: 'provide_context', why: 'inside a DAG zip: ruff check never opens zips' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/partner_reports.zip/partner_daily.py', marker: '(run {{ execution_date }})', name: 'execution_date', why: 'template inside a DAG zip' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/partner_reports.zip/partner_lib/formatting.py', marker: 'from airflow.hooks.S3_hook import S3Hook', name: 'airflow.hooks.S3_hook.S3Hook', why: 'module inside a DAG zip' },
  { home: 'fixtures/oracle/legacy_1_10', file: 'dags/partner_reports.zip/partner_lib/formatting.py', marker: 'context["yesterday_ds"]', name: 'yesterday_ds', why: 'module inside a DAG zip' },
  { home: 'fixtures/oracle/mixed_3x', file: 'dags/utils/helpers.py', marker: '@provide_session', name: 'provide_session', why: 'task code touching the metadata database: forbidden in 3.0' },
  { home: 'fixtures/oracle/platform_2x', file: 'dags/maintenance/metadata_cleanup.py', marker: 'session.query(DagRun)', name: 'DagRun', why: 'ORM query from task code: forbidden in 3.0' },
  { home: 'fixtures/oracle/mixed_3x', file: 'dags/partner_window.py', marker: 'RUN_STAMP = int(time.time())', name: 'time.time', why: 'a parse-time value passed to a task through a module-level name: ruff reads only what the argument spells out' },
];

interface HomeResult {
  key: string;
  sources: PySource[];
  diagnostics: RuffDiagnostic[];
  report: OurReport;
}

const results: HomeResult[] = [];
const result = (key: string): HomeResult => results.find((r) => r.key === key) ?? expect.fail(`no home ${key}`);

beforeAll(async () => {
  const reports = await Promise.all(HOME_PATHS.map(ourReport));
  HOME_PATHS.forEach((path, i) => {
    const sources = pythonSources(path);
    results.push({ key: homeKey(path), sources, diagnostics: sources.flatMap(ruffCheck), report: reports[i]! });
  });
}, 300_000);

describe('ruff oracle: matching by name', () => {
  const finding = (text: string, message = '') => ({ ruleId: 'X', file: 'dags/a.py', line: 1, text, message });
  it.each([
    ['airflow.DAG', 'airflow.DAG', '', true],
    ['provide_context', 'airflow.operators.PythonOperator', 'PythonOperator argument provide_context was removed', false],
    ['x', 'airflow.operators.python.PythonOperator', 'moved to airflow.providers.standard.operators.python.PythonOperator', false],
    ['TriggerRule.NONE_FAILED_OR_SKIPPED', 'airflow.utils.trigger_rule.TriggerRule.NONE_FAILED_OR_SKIPPED', '', true],
    ['AcmeOpsPlugin', 'operators', 'AcmeOpsPlugin registers operators (acme.Op)', true],
    ['context["inlet_events"]["s3://x"]', 'inlet_events', '', true],
    ['PythonOperator', 'airflow.operators.PythonOperator', '', true],
    ['schedule_interval_minutes', 'schedule_interval', '', false],
  ] as const)('%s names %s (message: "%s"): %s', (text, name, message, expected) => {
    expect(names(finding(text, message), name)).toBe(expected);
  });
});

describe('ruff oracle: everything ruff names, we name', () => {
  it('covers AIR002 and every AIR3 rule on the corpus', () => {
    const codes = new Set(results.filter((r) => r.key.startsWith('fixtures/oracle/')).flatMap((r) => r.diagnostics.map((d) => d.code)));
    expect([...codes].sort()).toEqual(['AIR002', 'AIR301', 'AIR302', 'AIR303', 'AIR304', 'AIR311', 'AIR312', 'AIR321']);
  });

  it('names every ruff diagnostic in the same file, or lists it as a justified exception', () => {
    const misses: string[] = [];
    const usedExceptions = new Set<string>();
    let total = 0;
    let named = 0;
    let excepted = 0;
    for (const r of results) {
      for (const d of r.diagnostics) {
        total++;
        const key = [`${r.key}/${d.file} ${d.name}`, `${r.key}/${d.file}`].find((k) => k in EXCEPTIONS);
        const exception = key === undefined ? undefined : EXCEPTIONS[key];
        if (covered(r.report.findings, d)) named++;
        else if (exception && (!exception.targetBelow || lt(r.report.target, exception.targetBelow))) {
          excepted++;
          usedExceptions.add(key!);
        } else misses.push(`${r.key}/${d.file}:${d.line} ${d.code} ${d.name} — ${d.message}`);
      }
    }
    const stale = Object.keys(EXCEPTIONS).filter((k) => !usedExceptions.has(k));
    console.log(`ruff oracle: ${total} ruff diagnostics, ${named} named by us, ${excepted} listed exceptions, ${misses.length} misses`);
    if (misses.length > 0) console.log(`misses:\n  ${misses.join('\n  ')}`);
    expect(stale, 'listed exceptions that no longer occur').toEqual([]);
    expect(misses).toEqual([]);
  });
});

describe('ruff oracle: where ruff is silent and we are right', () => {
  it.each(SILENT.map((s) => [`${s.file} ${s.name}`, s] as const))('%s', (_label, s) => {
    const r = result(s.home);
    const src = r.sources.find((x) => x.file === s.file);
    expect(src?.text, `${s.home}/${s.file} has the construct`).toContain(s.marker);
    if (src!.zipped) expect(existsSync(join(ROOT, s.home, s.file)), 'a zip member is no file ruff check could read').toBe(false);
    else expect(r.diagnostics.filter((d) => d.file === s.file && d.name.split('.').pop() === s.name.split('.').pop()), `ruff names ${s.name}`).toEqual([]);
    expect(namedBy(r.report.findings, s.file, s.name).length, `we name ${s.name} in ${s.file} (${s.why})`).toBeGreaterThan(0);
  });
});
