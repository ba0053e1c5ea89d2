import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { cli, HOMES } from '../helpers.js';

// A home as real ones are: one DAG file written for 1.10 and patched since (a guarded airflow.sdk
// import, a providers import in a helper), helper modules that never say "dag", and a helper folder
// hidden by .airflowignore that the DAG imports anyway. `report` with no flags must name every
// break on the default (3.x) target in all of it, and nothing in the ignored folder nobody imports.

const home = join(HOMES, 'mixed');
const run = cli(['report', home, '--format', 'json', '--fail-on', 'never', '--no-cache']);
const report = JSON.parse(run.stdout) as Report;
const inFile = (file: string) => report.findings.filter((f) => f.file === file);
const names = (file: string) => inFile(file).map((f) => `${f.text} ${f.message}`).join('\n');

describe('report with no flags on a home of mixed 1.10, 2.x and 3.x code', () => {
  it('runs against the default target and counts DAG files and modules apart', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(report.target.isDefault).toBe(true);
    expect(report.target.version.startsWith('3.')).toBe(true);
    expect(report.inventory.dagFiles).toBe(1);
    // utils/__init__.py and utils/warehouse.py (safe mode), common/__init__.py and common/s3_paths.py (ignored, imported)
    expect(report.inventory.moduleFiles).toBe(4);
  });

  it('does not claim high confidence from imports alone', () => {
    expect(['certain', 'high']).not.toContain(report.airflowVersion.confidence);
  });

  it('names every 2 -> 3 break in the DAG file, as errors', () => {
    const dag = 'dags/nightly_export.py';
    for (const name of ['schedule_interval', 'provide_context', 'execution_date', 'next_ds', 'days_ago', 'python_operator', 'dummy_operator']) {
      expect(names(dag), name).toContain(name);
    }
    const byName = (n: string) => inFile(dag).filter((f) => f.text.includes(n) || f.message.includes(n));
    for (const name of ['schedule_interval', 'provide_context', 'days_ago', 'python_operator']) {
      expect(byName(name).some((f) => f.severity === 'error'), name).toBe(true);
    }
  });

  it('checks helper modules that safe mode keeps from the DagBag', () => {
    const file = 'dags/utils/warehouse.py';
    expect(names(file)).toContain('airflow.contrib.hooks.aws_hook');
    expect(names(file)).toContain('airflow.hooks.postgres_hook');
    expect(inFile(file).every((f) => f.fileKind === 'module')).toBe(true);
  });

  it('checks a module .airflowignore hides when a DAG imports it, and only then', () => {
    expect(names('dags/common/s3_paths.py')).toContain('airflow.hooks.base_hook');
    expect(report.findings.filter((f) => f.file.startsWith('dags/scratch/'))).toEqual([]);
  });

  it('says in text which files were checked', () => {
    const text = cli(['report', home, '--fail-on', 'never', '--no-cache']).stdout;
    expect(text).toContain('checked 1 DAG file, 4 modules and 0 plugin files');
    expect(text).toContain('dags/utils/warehouse.py (module)');
    expect(text).toContain('dags/nightly_export.py (DAG file)');
  });
});
