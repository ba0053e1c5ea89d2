import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, HOMES, ROOT } from '../helpers.js';
import { requires } from '../support/requires.js';

// The unsafe SubDagOperator fix (ARG009): the canonical factory pattern, as in the 1.10 fixture
// home and in Airflow's example_subdag_operator, becomes a TaskGroup; everything else is left by
// hand with its reason.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-subdag-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TARGET = ['--target-version', '3.0.6', '--no-cache'];
const FIXTURES = join(ROOT, 'test', 'fix', 'fixtures');
const HOME = join(FIXTURES, 'subdag-home');
const golden = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('fix --unsafe-fixes on SubDagOperator', () => {
  it.each([
    ['the 1.10 fixture home', join(HOMES, 'airflow1'), 'airflow1-subdag.unsafe.diff'],
    ["Airflow's example pattern, with blocks, and refusals", HOME, 'subdag-home.unsafe.diff'],
  ])('rewrites %s to TaskGroups, changing the fixed spans alone', (_name, home, diff) => {
    const r = cli(['fix', home, ...TARGET, '--select', 'ARG009', '--unsafe-fixes']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe(golden(diff));
  });

  it('leaves each call outside the pattern by hand, with the reason', () => {
    const r = cli(['fix', HOME, ...TARGET, '--select', 'ARG009', '--unsafe-fixes']);
    const reasons = [...r.stderr.matchAll(/^ {2}dags\/refused\.py:(\d+):\d+ ARG009 \w+: (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(reasons).toEqual([
      '59 the sub-DAG comes from imported_factory(), not one function defined at the top of this file: rebuild it by hand',
      "60 reused() is used at line 68 for more than a SubDagOperator's subdag=: rebuild it by hand",
      "61 SubDagOperator's executor= has no TaskGroup counterpart: rebuild it by hand",
      "62 the sub-DAG's DAG(...) takes user_defined_macros=, which a TaskGroup has no place for: rebuild it by hand",
      '63 documented() uses sub at line 39 for more than adding tasks to it: rebuild it by hand',
      '64 with_block() builds the sub-DAG in a with-block while the parent DAG is passed as dag=, so its tasks would join no DAG: rebuild it by hand',
      '65 the sub-DAG comes from DAG(), not one function defined at the top of this file: rebuild it by hand',
      '66 SubDagOperator without dag= outside a `with DAG(...)` block: rebuild it by hand',
      '67 renamed() assigns child_id at line 51, so the group id may not be the task_id: rebuild it by hand',
      '76 the parent DAG d is not a name the factory can see (assigned at the top of the module): rebuild it by hand',
      '83 no parameter of the factory is given the task_id at every call, so the group id is unknown: rebuild it by hand',
      '90 RetryingSubDag is not SubDagOperator imported by its own name at the top of the file: rebuild it by hand',
    ]);
  });

  it('is left alone without --unsafe-fixes, and counted', () => {
    const r = cli(['fix', HOME, ...TARGET, '--select', 'ARG009']);
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(r.stderr).toMatch(/^15 more fixes may shift the meaning: see them with --unsafe-fixes$/m);
  });

  it('imports TaskGroup from airflow.sdk for a 3.1 target', () => {
    const r = cli(['fix', HOME, '--target-version', '3.1.6', '--no-cache', '--select', 'ARG009', '--unsafe-fixes']);
    expect(r.stdout).toContain('+from airflow.sdk import TaskGroup\n');
    expect(r.stdout).not.toContain('airflow.utils.task_group');
  });
});

describe.each([
  ['fixtures/homes/airflow1', join(HOMES, 'airflow1')],
  ['test/fix/fixtures/subdag-home', HOME],
])('fix --unsafe-fixes --out on %s', (name, home) => {
  const out = join(tmp, name.split('/').pop()!);
  const first = cli(['fix', home, ...TARGET, '--unsafe-fixes', '--out', out]);

  it('leaves no SubDagOperator call it could rewrite, and changes nothing on its own output', () => {
    expect(first.code, first.stderr).toBe(0);
    const again = cli(['fix', out, ...TARGET, '--unsafe-fixes']);
    expect([again.code, again.stdout]).toEqual([0, '']);
  });

  it.skipIf(!requires(import.meta.url, 'python3'))('writes files that compile', () => {
    const dags = join(out, 'dags');
    const files = readdirSync(dags).filter((f) => f.endsWith('.py')).map((f) => join(dags, f));
    const compiled = spawnSync('python3', ['-m', 'py_compile', ...files], { encoding: 'utf8' });
    expect(compiled.status, compiled.stderr).toBe(0);
  });
});

describe('rules ARG009', () => {
  it('says fix applies it as an unsafe fix', () => {
    expect(cli(['rules', 'ARG009']).stdout).toMatch(/mwaa-migrate fix applies it \(an unsafe fix/);
  });
});
