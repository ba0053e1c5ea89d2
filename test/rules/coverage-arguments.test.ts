import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCatalog, RULES_DIR } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { argumentRows, removedMethodRows, type ArgumentRow, type MethodRow } from '../../src/check/matchers/arguments.js';
import type { Finding } from '../../src/check/types.js';
import { scanHome } from '../../src/home/scan.js';
import { requires, SHARED_REFERENCE } from '../support/requires.js';

// Every row of the reference table (../shared/reference/airflow/arguments-changes.yml, via the
// generated rules/data/arguments.json) is caught by an ARG rule on generated example files, and
// every check of 1.10's upgrade_check has a counterpart (rules/data/upgrade-check-map.yaml).

const REFERENCE = join(SHARED_REFERENCE, 'airflow');
const hasReference = requires(import.meta.url, '../shared/reference');
const catalog = loadCatalog();

// Rows the Inventory cannot show yet, and why. Coverage is reported against all rows.
const NEEDS_ANALYSIS: Record<string, string> = {};

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-arguments-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HEAD = 'from datetime import datetime\nfrom airflow import DAG\n';
const inDag = (body: string, dagArgs = ', schedule=None') => `${HEAD}\nwith DAG("example", start_date=datetime(2024, 1, 1)${dagArgs}):\n    ${body}\n`;
const importing = (q: string) => `from ${q.slice(0, q.lastIndexOf('.'))} import ${q.slice(q.lastIndexOf('.') + 1)}\n`;

/** The argument ARG003 looks for on operators that do not take it. */
const unknownArgument = () => {
  const rule = catalog.rules.find((r) => r.match.kind === 'argument-table' && r.match['scope'] === 'unknown-argument');
  return (rule!.match['arguments'] as string[])[0]!;
};

/** A class name the row's classPattern accepts. */
const baseFor = (pattern: string) => (pattern.startsWith('^') ? '' : 'Sample') + pattern.replace(/^\^|\$$/g, '');

interface Example {
  files: Record<string, string>;
  /** Text every expected finding contains. */
  token: string;
}

/** Small sources that use the old spelling of a row, one file per way it can be written. */
function examples(row: ArgumentRow): Example {
  switch (row.scope) {
    case 'dag':
      return { files: { 'dags/a.py': inDag('pass', `, schedule=None, ${row.old}=None`) }, token: row.old };
    case 'operator': {
      const cls = row.classes?.[0] ?? 'BashOperator';
      return { files: { 'dags/a.py': importing(`airflow.operators.sample.${cls}`) + inDag(`${cls}(task_id="t", ${row.old}=None)`) }, token: row.old };
    }
    case 'unknown-argument': {
      const arg = unknownArgument();
      return { files: { 'dags/a.py': importing('airflow.operators.bash_operator.BashOperator') + inDag(`BashOperator(task_id="t", ${arg}=True)`) }, token: arg };
    }
    case 'value':
      return {
        files: {
          'dags/literal.py': importing('airflow.operators.empty.EmptyOperator') + inDag(`EmptyOperator(task_id="t", ${row.argument}="${row.old}")`),
          'dags/enum.py': importing(`airflow.utils.trigger_rule.${row.enum!.split('.')[0]}`) + importing('airflow.operators.empty.EmptyOperator') + inDag(`EmptyOperator(task_id="t", ${row.argument}=${row.enum})`),
          'dags/default_args.py': importing('airflow.operators.empty.EmptyOperator') + inDag('EmptyOperator(task_id="t")', `, schedule=None, default_args={"${row.argument}": "${row.old}"}`),
        },
        token: row.old,
      };
    case 'call':
      return { files: { 'dags/a.py': `${importing(row.callee!.replace(/\.\w+$/, ''))}${HEAD}\nx = ${row.callee!.split('.').slice(-2).join('.')}("k", ${row.old}=None)\n` }, token: row.old };
    case 'schedule':
      return { files: { 'dags/a.py': importing(`airflow.timetables.datasets.${row.class}`) + inDag('pass', `, schedule=${row.class}(timetable=None, ${row.old}=[])`) }, token: row.old };
    case 'signature': {
      const base = baseFor(row.classPattern!);
      const params = ['self', ...(row.removed!.length ? row.removed! : ['unused'])].join(', ');
      return { files: { 'plugins/a.py': `${importing(`airflow.sample.${base}`)}\n\nclass Custom(${base}):\n    def ${row.method}(${params}):\n        pass\n` }, token: row.method! };
    }
    case 'decorator':
      return { files: { 'plugins/a.py': `${importing(row.old)}\n\nclass Custom(object):\n    @${row.old.split('.').at(-1)}\n    def __init__(self, **kwargs):\n        pass\n` }, token: row.old };
    case 'context': {
      if (row.stringKeys) {
        return { files: { 'dags/a.py': `${importing('airflow.decorators.task')}${HEAD}\n@task\ndef f(*, ${row.old}):\n    return ${row.old}["s3://bucket/key"]\n` }, token: row.old };
      }
      const files: Record<string, string> = {
        'dags/template.py': importing('airflow.operators.bash.BashOperator') + inDag(`BashOperator(task_id="t", bash_command="echo {{ ${row.old} }}")`),
      };
      // Plain names are also looked up in the context dict and taken as callable parameters;
      // attributes (dag_run.external_trigger) are read on the object the context hands out.
      if (!row.old.includes('.')) {
        files['dags/lookup.py'] = `${HEAD}\ndef f(**context):\n    return context["${row.old}"]\n`;
        files['dags/get.py'] = `${HEAD}\ndef f(**kwargs):\n    return kwargs.get("${row.old}")\n`;
        files['dags/param.py'] = `${importing('airflow.decorators.task')}${HEAD}\n@task\ndef f(${row.old}=None):\n    return 1\n`;
      } else {
        const [object, attribute] = row.old.split('.');
        files['dags/attribute.py'] = `${HEAD}\ndef f(**context):\n    ${object} = context["${object}"]\n    return ${object}.${attribute}\n`;
      }
      return { files, token: row.old };
    }
  }
}

const key = (r: ArgumentRow) => `${r.target} ${r.old}`;
// Enum members spell a value upper-cased (TriggerRule.DUMMY for "dummy").
const mentions = (f: Finding, token: string) => f.text.toLowerCase().includes(token.toLowerCase());

async function findingsFor(home: string, detected: string, target: string): Promise<Finding[]> {
  const inv = await scanHome(home, { cache: false, workers: 0, airflowVersion: detected });
  return check(inv, catalog, { target, select: ['ARG'] }).findings;
}

describe('arguments-changes.yml coverage', () => {
  const rows = argumentRows();

  it.skipIf(!hasReference)('has one row per row of the reference table', () => {
    const reference = parse(readFileSync(join(REFERENCE, 'arguments-changes.yml'), 'utf8')) as { changes: unknown[] };
    expect(rows).toHaveLength(reference.changes.length);
  });

  it('covers every row of the reference table, as an error where it is removed and a warning where it is deprecated', async () => {
    const homes = rows.map((row, i) => {
      const home = join(tmp, `row_${i}`);
      for (const [path, text] of Object.entries(examples(row).files)) {
        mkdirSync(dirname(join(home, path)), { recursive: true });
        writeFileSync(join(home, path), text);
      }
      return home;
    });
    const perScope = new Map<string, { rows: number; caught: number }>();
    const missed: string[] = [];
    const wrongSeverity: string[] = [];
    for (const [i, row] of rows.entries()) {
      const { files, token } = examples(row);
      // Detected just before the removal, targeting the first MWAA version after it.
      const [detected, target] = row.removedIn === '2.0' ? ['1.10.15', '2.10.3'] : ['2.9.2', '3.0.6'];
      const found = await findingsFor(homes[i]!, detected, target);
      const caught = Object.keys(files).every((path) => found.some((f) => f.file === path && mentions(f, token) && f.severity === 'error'));
      const stat = perScope.get(row.scope) ?? { rows: 0, caught: 0 };
      stat.rows++;
      if (caught) stat.caught++;
      else missed.push(key(row));
      perScope.set(row.scope, stat);
      // A deprecation that lies on the way to a 2.x target while the name still works there: a warning.
      if (caught && row.deprecatedSince && row.removedIn === '3.0') {
        const early = await findingsFor(homes[i]!, '1.10.15', '2.10.3');
        if (!early.some((f) => mentions(f, token) && f.severity === 'warning')) wrongSeverity.push(key(row));
      }
    }
    const total = [...perScope.values()].reduce((a, s) => ({ rows: a.rows + s.rows, caught: a.caught + s.caught }), { rows: 0, caught: 0 });
    const lines = [...perScope].map(([s, v]) => `  ${s.padEnd(18)} ${v.caught}/${v.rows}`);
    const gaps = missed.map((m) => `  not caught: ${m}${NEEDS_ANALYSIS[m] ? ` (${NEEDS_ANALYSIS[m]})` : ''}`);
    console.log(
      `arguments-changes.yml coverage: ${total.caught}/${total.rows} (${((100 * total.caught) / total.rows).toFixed(1)}%)\n${[...lines, ...gaps].join('\n')}`,
    );
    expect(missed).toEqual(Object.keys(NEEDS_ANALYSIS));
    expect(wrongSeverity).toEqual([]);
    expect(total.rows).toBe(38);
  });
});

/** Writes files into a fresh home under tmp and returns its path. */
let homes = 0;
function home(files: Record<string, string>): string {
  const dir = join(tmp, `home_${homes++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('provide_context on the PythonOperator family', () => {
  const [row] = argumentRows().filter((r) => r.old === 'provide_context');
  const decorators = ['task', 'task.python', 'task.virtualenv', 'task.external_python', 'task.branch', 'task.short_circuit'];

  it('is an error on every class of the family and every Python TaskFlow decorator, and not on @task.bash', async () => {
    expect(row!.classes).toEqual(expect.arrayContaining(['ExternalPythonOperator', 'BranchExternalPythonOperator', 'BranchPythonVirtualenvOperator']));
    const classes = row!.classes!.map((c, i) => `${importing(`airflow.operators.python.${c}`)}${inDag(`${c}(task_id="t${i}", python_callable=print, provide_context=True)`)}`);
    const decorated = decorators.map((d) => `${importing('airflow.decorators.task')}${inDag(`pass\n\n@${d}(provide_context=True)\ndef f():\n    return 1\n`)}`);
    const files = Object.fromEntries([...classes, ...decorated, `${importing('airflow.decorators.task')}${inDag('pass\n\n@task.bash(provide_context=True)\ndef f():\n    return "true"\n')}`].map((t, i) => [`dags/f${i}.py`, t]));
    const found = (await findingsFor(home(files), '2.9.2', '3.0.6')).filter((f) => f.ruleId === 'ARG002' && f.severity === 'error');
    const flagged = new Set(found.map((f) => f.file));
    const expected = [...classes, ...decorated].map((_, i) => `dags/f${i}.py`);
    expect([...flagged].sort()).toEqual(expected.sort());
  });
});

describe('removed-methods.json coverage', () => {
  const rows = removedMethodRows();
  /** A class name the row's classPattern accepts, taken from the row's own wording. */
  const classOf = (r: MethodRow) => r.target.match(/\w+/g)!.find((w) => new RegExp(r.classPattern).test(w))!;
  const call = (r: MethodRow, receiver: string, imports = '') => `${imports}${HEAD}\ndef f(thing):\n    return ${receiver}.${r.old}()\n`;

  it('catches every row as an error when the receiver resolves to the class, on a 3.x target only', async () => {
    expect(rows.length).toBeGreaterThanOrEqual(15);
    const files = Object.fromEntries(rows.map((r, i) => [`dags/m${i}.py`, call(r, `${classOf(r)}()`, importing(`airflow.sample.${classOf(r)}`))]));
    const dir = home(files);
    const found = (await findingsFor(dir, '2.9.2', '3.0.6')).filter((f) => f.ruleId === 'ARG014');
    const missed = rows.filter((r, i) => !found.some((f) => f.file === `dags/m${i}.py` && f.severity === 'error' && f.text.includes(r.old)));
    expect(missed.map((r) => `${r.target}.${r.old}`)).toEqual([]);
    // Deprecated-but-present methods warn on a 2.x target; the others are not findings there.
    const early = (await findingsFor(dir, '2.9.2', '2.10.3')).filter((f) => f.ruleId === 'ARG014');
    expect(early.every((f) => f.severity === 'warning')).toBe(true);
    expect(early.map((f) => f.text.replace(/^.*\./, ''))).toEqual(rows.filter((r) => r.deprecatedSince).map((r) => `${r.old}()`));
  });

  it('judges an unknown receiver by the name: distinctive names are errors, hinted common names warnings, the rest nothing', async () => {
    const airflow = importing('airflow.models.Variable');
    const files = Object.fromEntries(rows.flatMap((r, i) => [[`dags/any${i}.py`, call(r, 'thing', airflow)], [`dags/hint${i}.py`, call(r, 'hook_backend_lineage_manager', airflow)]]));
    const found = (await findingsFor(home(files), '2.9.2', '3.0.6')).filter((f) => f.ruleId === 'ARG014');
    const severityAt = (path: string) => found.filter((f) => f.file === path).map((f) => f.severity);
    for (const [i, r] of rows.entries()) {
      expect(severityAt(`dags/any${i}.py`), `thing.${r.old}()`).toEqual(r.distinctive ? ['error'] : []);
      expect(severityAt(`dags/hint${i}.py`), `hook_backend_lineage_manager.${r.old}()`).toEqual(r.distinctive ? ['error'] : r.receiverHint ? ['warning'] : []);
    }
  });

  it('leaves files that do not import Airflow alone', async () => {
    const distinctive = rows.find((r) => r.distinctive)!;
    const found = await findingsFor(home({ 'dags/plain.py': `def f(thing):\n    return thing.${distinctive.old}()\n` }), '2.9.2', '3.0.6');
    expect(found.filter((f) => f.ruleId === 'ARG014')).toEqual([]);
  });
});

describe('upgrade_check coverage', () => {
  const map = parse(readFileSync(join(RULES_DIR, 'data', 'upgrade-check-map.yaml'), 'utf8')) as {
    checks: Record<string, { rules?: string[]; reason?: string }>;
  };

  it.skipIf(!hasReference)("maps exactly the checks of the reference's upgrade_check", () => {
    const reference = parse(readFileSync(join(REFERENCE, 'upgrade-check-rules.yml'), 'utf8')) as { rules: { class: string }[] };
    expect(Object.keys(map.checks).sort()).toEqual(reference.rules.map((r) => r.class).sort());
  });

  it('maps each of the 22 checks to the rules that make it, or a reason it cannot apply statically', () => {
    expect(Object.keys(map.checks)).toHaveLength(22);
    const ids = new Set(catalog.rules.map((r) => r.id));
    for (const [cls, entry] of Object.entries(map.checks)) {
      expect([entry.rules, entry.reason].filter(Boolean), cls).toHaveLength(1);
      for (const id of entry.rules ?? []) expect(ids.has(id), `${cls}: rule ${id} exists`).toBe(true);
      if (entry.reason) expect(entry.reason.length, cls).toBeGreaterThan(40);
    }
    const mapped = Object.values(map.checks).filter((e) => e.rules).length;
    const reasoned = Object.values(map.checks).filter((e) => e.reason).length;
    console.log(`upgrade_check: ${mapped} by rule, ${reasoned} with a reason why a scan cannot check it (of ${mapped + reasoned})`);
  });
});

describe('a keyword renamed on one class of a name (Variable.get, airflow.sdk)', () => {
  const call = (from: string) => `from ${from} import Variable\n\nBUCKET = Variable.get("bucket", default_var="b")\n`;

  it('is an error on that class, and a warning on another class of the name, which keeps the keyword until the import moves', async () => {
    const sdk = (await findingsFor(home({ 'dags/v.py': call('airflow.sdk') }), '2.10.3', '3.0.6')).filter((f) => f.ruleId === 'ARG011');
    const models = (await findingsFor(home({ 'dags/v.py': call('airflow.models') }), '2.10.3', '3.0.6')).filter((f) => f.ruleId === 'ARG011');
    expect(sdk.map((f) => [f.severity, f.line])).toEqual([['error', 3]]);
    expect(models.map((f) => [f.severity, f.line])).toEqual([['warning', 3]]);
    expect(models[0]!.message).toContain('Variable.get (once imported from airflow.sdk.Variable) argument default_var was removed in Airflow 3.0');
  });
});
