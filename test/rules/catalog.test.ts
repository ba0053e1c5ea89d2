import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog, RULES_DIR } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import type { Inventory } from '../../src/home/inventory.js';
import { scanHome } from '../../src/home/scan.js';

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-catalog-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rule = (over: Record<string, unknown> = {}) => ({
  id: 'IMP900',
  title: 'A test rule',
  severity: 'error',
  match: { kind: 'import-table', groups: ['moved-2.0'] },
  message: 'x {old}',
  fix: 'do y',
  docs: 'https://example.org/',
  ...over,
});

function catalogWith(name: string, doc: unknown): () => unknown {
  const dir = join(tmp, name);
  mkdirSync(dir);
  copyFileSync(join(RULES_DIR, 'rule.schema.json'), join(dir, 'rule.schema.json'));
  writeFileSync(join(dir, 'test.yaml'), typeof doc === 'string' ? doc : JSON.stringify(doc));
  return () => loadCatalog(dir);
}

describe('rule catalogue', () => {
  it('loads every rule file, each rule valid, ids unique and stable-looking', () => {
    const { rules, version } = loadCatalog();
    expect(rules.length).toBeGreaterThan(0);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) expect(r.id.startsWith(r.family), r.id).toBe(true);
    expect(version).toMatch(/^\d+-[0-9a-f]+$/);
  });

  it('names the file and the entry of a broken rule', () => {
    expect(catalogWith('bad-severity', { family: 'IMP', rules: [rule({ severity: 'fatal' })] })).toThrow(
      /^rules\/test\.yaml entry IMP900: \/rules\/0\/severity must be equal to one of the allowed values$/,
    );
    expect(catalogWith('no-docs', { family: 'IMP', rules: [rule({ docs: undefined })] })).toThrow(/^rules\/test\.yaml entry IMP900: \/rules\/0 must have required property 'docs'$/);
    expect(catalogWith('bad-kind', { family: 'IMP', rules: [rule({ match: { kind: 'nope' } })] })).toThrow(/^rules\/test\.yaml entry IMP900: unknown match kind 'nope'$/);
    expect(catalogWith('family', { family: 'CFG', rules: [rule()] })).toThrow(/entry IMP900: id must start with the file's family CFG/);
    expect(catalogWith('dup', { family: 'IMP', rules: [rule(), rule()] })).toThrow(/entry IMP900: id already used in rules\/test\.yaml/);
    expect(catalogWith('yaml', 'family: [unclosed')).toThrow(/^rules\/test\.yaml: not valid YAML/);
  });

  it('says which rules fix applies, and takes only safe or unsafe as their kind of fix', () => {
    const fixable = loadCatalog().rules.filter((r) => r.fixable).map((r) => `${r.id} ${r.fixable}`);
    expect(fixable).toEqual([
      ...['ARG001', 'ARG002', 'ARG003', 'ARG004'].map((id) => `${id} safe`),
      'ARG005 unsafe',
      ...['ARG007', 'ARG008'].map((id) => `${id} safe`),
      'ARG009 unsafe',
      ...['ARG011', 'IMP001', 'IMP002', 'IMP003', 'IMP004', 'IMP005', 'IMP006', 'IMP007'].map((id) => `${id} safe`),
    ]);
    expect(catalogWith('fixable', { family: 'IMP', rules: [rule({ fixable: 'maybe' })] })).toThrow(/entry IMP900: \/rules\/0\/fixable must be equal to one of the allowed values$/);
  });
});

describe('engine', () => {
  const catalog = loadCatalog();
  const home = join(tmp, 'home');
  mkdirSync(join(home, 'dags'), { recursive: true });
  writeFileSync(
    join(home, 'dags', 'etl.py'),
    [
      'from airflow import DAG  # a dag',
      'from airflow.operators.bash_operator import BashOperator',
      'from airflow.operators.python_operator import PythonOperator  # mwaa-migrate: ignore[IMP001]',
      'from airflow.hooks.postgres_hook import PostgresHook  # mwaa-migrate: ignore',
    ].join('\n'),
  );
  const scan = () => scanHome(home, { cache: false, workers: 0, airflowVersion: '1.10.15' });

  it('applies a change only on the way from the detected version to the target', async () => {
    const inv = await scan();
    const on2 = check(inv, catalog, { target: '2.10.3', select: ['IMP'] });
    expect(on2.findings.map((f) => [f.ruleId, f.line, f.severity])).toEqual([['IMP001', 2, 'warning']]);
    const on3 = check(inv, catalog, { target: '3.0.6', select: ['IMP'] });
    // On 3.0 the same imports are gone: the 3.0 table speaks for them, as errors. Line 3 silences
    // IMP001 only, so IMP003 still shows there; line 4's bare `ignore` silences everything.
    expect(on3.findings.map((f) => [f.ruleId, f.line, f.severity])).toEqual([
      ['IMP004', 1, 'warning'],
      ['IMP003', 2, 'error'],
      ['IMP003', 3, 'error'],
    ]);
  });

  it('keeps suppressed findings apart, by comment and by project file', async () => {
    const inv: Inventory = await scan();
    const r = check(inv, catalog, {
      target: '2.10.3',
      select: ['IMP'],
      project: { ignore: { rules: [], paths: [], findings: [{ rule: 'IMP001', path: 'dags/etl.py' }] } },
    });
    expect(r.findings).toEqual([]);
    expect(r.suppressed.map((f) => [f.line, f.suppressedBy])).toEqual([
      [2, 'project-file'],
      [3, 'comment'],
      [4, 'comment'],
    ]);
  });

  it("suppresses by the project file's rules and paths (gitignore-style), and by nothing else", async () => {
    const inv: Inventory = await scan();
    const withRules = (rules: string[]) => check(inv, catalog, { target: '2.10.3', select: ['IMP'], project: { ignore: { rules, paths: [], findings: [] } } });
    expect(withRules(['IMP001']).findings).toEqual([]);
    expect(withRules(['IMP001']).suppressed.map((f) => [f.ruleId, f.line, f.suppressedBy])[0]).toEqual(['IMP001', 2, 'project-file']);
    expect(withRules(['IMP002']).findings.map((f) => [f.ruleId, f.line])).toEqual([['IMP001', 2]]);
    const withPaths = (paths: string[]) => check(inv, catalog, { target: '2.10.3', select: ['IMP'], project: { ignore: { rules: [], paths, findings: [] } } });
    expect(withPaths(['dags/*.py']).findings).toEqual([]);
    expect(withPaths(['dags/*.py']).suppressed.map((f) => [f.line, f.suppressedBy])).toEqual([
      [2, 'project-file'],
      [3, 'comment'],
      [4, 'comment'],
    ]);
    expect(withPaths(['plugins/']).findings.map((f) => [f.ruleId, f.line])).toEqual([['IMP001', 2]]);
    expect(withPaths([]).findings.map((f) => [f.ruleId, f.line])).toEqual([['IMP001', 2]]);
  });

  it('fills every message template', async () => {
    const r = check(await scan(), catalog, { target: '2.10.3', select: ['IMP001'] });
    expect(r.findings[0]!.message).toBe(
      'airflow.operators.bash_operator.BashOperator moved in Airflow 2.0 to airflow.operators.bash.BashOperator; the old path is a deprecated alias in 2.x and is gone in 3.0.',
    );
  });
});
