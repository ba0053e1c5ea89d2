import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { importRows, patternRegExp, type ImportRow } from '../../src/check/matchers/imports.js';
import type { Finding } from '../../src/check/types.js';
import type { Inventory } from '../../src/home/inventory.js';
import { scanHome } from '../../src/home/scan.js';
import { ROOT } from '../helpers.js';
import { requires, SHARED_REFERENCE } from '../support/requires.js';

// Every row of the reference table (../shared/reference/airflow/imports-changes.yml, via the
// generated rules/data/imports.json) and every package-level 1.10 name is caught by the IMP rule
// of its group, on a generated DAG file that imports the old path. The replacements the fixes
// name agree with the target: none of them is itself moved or removed there, and none asks for
// apache-airflow in requirements.txt.

const GROUP_RULE: Record<string, { rule: string; targets: string[] }> = {
  'moved-2.0': { rule: 'IMP001', targets: ['2.10.3'] },
  'removed-3.0': { rule: 'IMP002', targets: ['3.0.6'] },
  'provider-3.0': { rule: 'IMP003', targets: ['3.0.6'] },
  'deprecated-3.0': { rule: 'IMP004', targets: ['3.0.6'] },
  'provider-shim-3.0': { rule: 'IMP005', targets: ['3.0.6'] },
  'moved-3.1': { rule: 'IMP006', targets: ['3.3.1'] },
  // 1.10 package-level names fail on every 2.x and 3.x.
  'package-1.10': { rule: 'IMP007', targets: ['2.7.2', '3.0.6'] },
};
const LATER_GROUPS = ['moved-2.0', 'removed-3.0', 'provider-3.0', 'deprecated-3.0', 'provider-shim-3.0'];

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-imports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A concrete name for a row: `**` becomes one or two sample segments. */
const example = (old: string) => old.replace(/\.\*\*$/, '.sample.module.Name').replace(/\.\*\*\./g, '.sample.');

/** Whether a path is an old path of a row in these groups (so a fix naming it would be stale). */
function stale(rows: ImportRow[], path: string, groups: string[]): ImportRow | undefined {
  return rows.find((r) => groups.includes(r.group) && (r.pattern ? patternRegExp(r.old).test(path) : r.old === path));
}

describe('imports-changes.yml coverage', () => {
  const rows = importRows();
  const catalog = loadCatalog();
  let inv: Inventory;
  const findings = new Map<string, Finding[]>(); // "rule@target" -> findings

  beforeAll(async () => {
    mkdirSync(join(tmp, 'dags'));
    rows.forEach((row, i) => {
      const name = example(row.old);
      const dot = name.lastIndexOf('.');
      writeFileSync(join(tmp, 'dags', `row_${i}.py`), `# a dag\nfrom ${name.slice(0, dot)} import ${name.slice(dot + 1)}\n`);
    });
    inv = await scanHome(tmp, { cache: false, workers: 0, airflowVersion: '1.10.15' });
    for (const { rule, targets } of Object.values(GROUP_RULE)) {
      for (const target of [...targets, '3.0.6']) findings.set(`${rule}@${target}`, check(inv, catalog, { target, select: [rule] }).findings);
    }
  });

  it.skipIf(!requires(import.meta.url, '../shared/reference'))('has one row per row of the reference table', () => {
    const reference = parse(readFileSync(join(SHARED_REFERENCE, 'airflow', 'imports-changes.yml'), 'utf8')) as { changes: unknown[] };
    expect(rows.filter((r) => r.group !== 'package-1.10')).toHaveLength(reference.changes.length);
  });

  it('covers every row of the reference table and every 1.10 package-level name', async () => {
    expect(rows.filter((r) => r.group !== 'package-1.10')).toHaveLength(786);
    const perGroup = new Map<string, { rows: number; caught: number }>();
    const missed: string[] = [];
    for (const [group, { rule, targets }] of Object.entries(GROUP_RULE)) {
      for (const target of targets) {
        const found = new Set(findings.get(`${rule}@${target}`)!.map((f) => `${f.file}|${f.text}`));
        rows.forEach((row, i) => {
          if (row.group !== group) return;
          const stat = perGroup.get(`${group}@${target}`) ?? { rows: 0, caught: 0 };
          stat.rows++;
          if (found.has(`dags/row_${i}.py|${example(row.old)}`)) stat.caught++;
          else missed.push(`${rule}@${target} ${row.old}`);
          perGroup.set(`${group}@${target}`, stat);
        });
      }
    }
    const lines = [...perGroup].map(([g, s]) => `  ${g.padEnd(24)} ${s.caught}/${s.rows} (${((100 * s.caught) / s.rows).toFixed(1)}%)`);
    console.log(`imports.json coverage:\n${lines.join('\n')}`);
    expect(missed).toEqual([]);
    // The core 1.10 packages: airflow.operators, airflow.hooks, airflow.operators.sensors (the
    // `_operators`/`_hooks` tables of 1.10), plus airflow.contrib.{operators,sensors,hooks}.
    const packaged = rows.filter((r) => r.group === 'package-1.10');
    expect(packaged.filter((r) => /^airflow\.operators\.[A-Z]/.test(r.old))).toHaveLength(49);
    expect(packaged.filter((r) => /^airflow\.hooks\.[A-Z]/.test(r.old))).toHaveLength(20);
    expect(packaged.find((r) => r.old === 'airflow.operators.sensors.ExternalTaskSensor')?.new).toBe('airflow.sensors.external_task_sensor.ExternalTaskSensor');
  });

  it('names, at a 3.x target, replacements that 3.x does not move or remove again', () => {
    const problems: string[] = [];
    for (const [key, list] of findings) {
      if (!key.endsWith('@3.0.6')) continue;
      for (const f of list) {
        if (/apache-airflow to requirements|apache-airflow\)/.test(f.fix + f.message)) problems.push(`${f.ruleId} ${f.text}: asks for apache-airflow`);
        const named = /Import from (\S+) instead/.exec(f.fix)?.[1];
        const again = named && stale(rows, named, LATER_GROUPS.filter((g) => g !== 'moved-2.0'));
        if (again) problems.push(`${f.ruleId} ${f.text}: fix names ${named}, which ${again.group} changes`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('sends each 1.10 package-level name to its 2.x home at 2.x and its 3.x home at 3.x', () => {
    const at2 = findings.get('IMP007@2.7.2')!;
    const at3 = findings.get('IMP007@3.0.6')!;
    const fixOf = (list: Finding[], text: string) => list.find((f) => f.text === text)?.fix;
    expect(fixOf(at2, 'airflow.operators.PythonOperator')).toBe('Import from airflow.operators.python.PythonOperator instead.');
    expect(fixOf(at3, 'airflow.operators.PythonOperator')).toBe(
      'Import from airflow.providers.standard.operators.python.PythonOperator instead, and add apache-airflow-providers-standard to requirements.txt if MWAA does not ship it.',
    );
    expect(fixOf(at3, 'airflow.operators.sensors.ExternalTaskSensor')).toContain('airflow.providers.standard.sensors.external_task.ExternalTaskSensor');
    expect(fixOf(at2, 'airflow.hooks.S3Hook')).toContain('airflow.providers.amazon.aws.hooks.s3.S3Hook');
    // SubDagOperator's 2.x home is gone in 3.0: the fix says so rather than pointing at it.
    expect(fixOf(at3, 'airflow.operators.SubDagOperator')).toBe('Remove the import and the code that uses it.');
    expect(at3.find((f) => f.text === 'airflow.operators.SubDagOperator')?.message).toContain('which Airflow 3.0 removed');
  });
});

// The matcher's use of the analyzer's facts (uses, guarded 'fallback'), set here on a real scan so
// the test pins the matcher whatever the analyzer finds in these files.
describe('import findings at use sites and fallbacks', () => {
  const catalog = loadCatalog();
  const fixture = (name: string) => join(ROOT, 'rules', 'fixtures', 'IMP002', name);
  const imp002 = (inv: Inventory) => check(inv, catalog, { target: '3.0.6', select: ['IMP002'] }).findings;

  it('reports each use once per line, pointing at its import, and names the provider replacement of a contrib class', async () => {
    const inv = await scanHome(fixture('fail'), { cache: false, workers: 0, airflowVersion: '2.9.2' });
    const a = inv.dagFiles[0]!.analysis!;
    const importOf = (leaf: string) => a.imports.findIndex((i) => i.name.endsWith(`.${leaf}`));
    a.uses = [
      { line: 8, col: 21, name: 'airflow.contrib.hooks.gcp_api_base_hook.GoogleCloudBaseHook', import: importOf('GoogleCloudBaseHook') },
      { line: 12, col: 4, name: 'airflow.PY38', import: importOf('PY38') },
      { line: 12, col: 12, name: 'airflow.PY38', import: importOf('PY38') },
    ];
    const found = imp002(inv);
    expect(found.map((f) => f.line)).toEqual([3, 4, 5, 8, 12]);
    const use = found.find((f) => f.line === 8)!;
    expect(use.message).toMatch(/^airflow\.contrib\.hooks\.gcp_api_base_hook\.GoogleCloudBaseHook \(imported at line 5\) no longer exists/);
    expect(use.fix).toContain('use airflow.providers.google.common.hooks.base_google.GoogleBaseHook (package apache-airflow-providers-google)');
    expect(use.related).toEqual([{ file: 'dags/version_gate.py', line: 5, col: a.imports[importOf('GoogleCloudBaseHook')]!.col, message: 'airflow.contrib.hooks.gcp_api_base_hook.GoogleCloudBaseHook is imported here' }]);
  });

  it('leaves an except-ImportError fallback alone when its try body imports a path the target accepts', async () => {
    const inv = await scanHome(fixture('pass'), { cache: false, workers: 0, airflowVersion: '2.9.2' });
    const a = inv.dagFiles[0]!.analysis!;
    const fallback = a.imports.findIndex((i) => i.name === 'airflow.utils.helpers.chain');
    a.imports[fallback]!.guarded = 'fallback';
    a.uses = [{ line: 20, col: 9, name: 'airflow.utils.helpers.chain', import: fallback }];
    expect(imp002(inv)).toEqual([]);
    // A try body importing an old path too is no excuse.
    a.imports.find((i) => i.name === 'airflow.sdk.chain')!.name = 'airflow.utils.helpers.chain';
    expect(imp002(inv).map((f) => f.line)).toEqual([9, 11, 20]);
  });
});
