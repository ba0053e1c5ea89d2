import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, HOMES, ROOT } from '../helpers.js';
import { FIXED_PLUGIN, PLUGIN_ENTRY, PLUGINS_ZIP_ENTRIES, pluginsZipHome } from '../support/plugins-zip.js';
import { requires } from '../support/requires.js';
import { loadCatalog } from '../../src/check/catalog.js';

// fix: the safe import fixes. Only the fixed spans change; the fixed copy of a home has none of
// the findings the fixes cover, compiles, and is a fixed point of fix itself.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-fix-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TARGET = ['--target-version', '3.0.6', '--no-cache'];
const ODD_HOME = join(ROOT, 'test', 'fix', 'fixtures', 'odd-home');
const ARGS_HOME = join(ROOT, 'test', 'fix', 'fixtures', 'args-home');
const CATALOG = loadCatalog();
const SAFE_RULES = CATALOG.rules.filter((r) => r.fixable === 'safe').map((r) => r.id).join(',');
/** Findings (`ruleId text`) of a rule with a safe fix whose own fix is unsafe: fix leaves them without --unsafe-fixes. */
const unsafeHit = (ruleId: string, text: string) => CATALOG.rules.some((r) => r.id === ruleId && r.unsafeFixes?.includes(text));

const GOLDEN = `--- a/dags/odd_imports.py
+++ b/dags/odd_imports.py
@@ -1,18 +1,19 @@
 # -*- coding: utf-8 -*-
 """Imports written every which way: the fix touches the module spans alone."""
-from airflow.operators.bash_operator import BashOperator   # two spaces, then a comment
-from airflow.operators.python_operator import (  # parenthesized, with comments
+from airflow.providers.standard.operators.bash import BashOperator   # two spaces, then a comment
+from airflow.providers.standard.operators.python import (  # parenthesized, with comments
     PythonOperator as PyOp,  # alias kept
     BranchPythonOperator,
 )
-from  airflow.contrib.hooks.gcp_api_base_hook  import  GoogleCloudBaseHook
-from airflow.operators.dummy import DummyOperator; from airflow.utils.dates import days_ago
-from airflow.operators.python_operator import PythonOperator as P2, ShortCircuitOperator, get_current_context
+from  airflow.providers.google.common.hooks.base_google  import  GoogleBaseHook as GoogleCloudBaseHook
+from airflow.providers.standard.operators.empty import EmptyOperator as DummyOperator; from airflow.utils.dates import days_ago
+from airflow.providers.standard.operators.python import PythonOperator as P2, ShortCircuitOperator
+from airflow.operators.python_operator import get_current_context
 import airflow.contrib.operators.ssh_operator
-try: from airflow.operators.bash_operator import BashOperator as B2
+try: from airflow.providers.standard.operators.bash import BashOperator as B2
 except ImportError: pass
 
 
 def build():
-    from airflow.sensors.external_task_sensor import ExternalTaskSensor  # indented
+    from airflow.providers.standard.sensors.external_task import ExternalTaskSensor  # indented
     return ExternalTaskSensor, BashOperator, PyOp, BranchPythonOperator, GoogleCloudBaseHook, DummyOperator, days_ago, P2, ShortCircuitOperator, get_current_context, B2
`;

function pyFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? pyFiles(p) : p.endsWith('.py') ? [p] : [];
  });
}

/** `file name` of each finding fix lists as left to do by hand. */
const leftByHand = (stderr: string) => new Set([...stderr.matchAll(/^ {2}(\S+):\d+:\d+ [A-Z]+\d+ (\S+):/gm)].map((m) => `${m[1]} ${m[2]}`));

describe('fix', () => {
  it('prints a diff that changes the fixed spans alone, keeping aliases, comments and indentation, and writes nothing', () => {
    const before = readFileSync(join(ODD_HOME, 'dags', 'odd_imports.py'), 'utf8');
    const r = cli(['fix', ODD_HOME, ...TARGET]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe(GOLDEN);
    expect(readFileSync(join(ODD_HOME, 'dags', 'odd_imports.py'), 'utf8')).toBe(before);
  });

  it('lists the first 20 findings left by hand with their reasons, and counts the rest per rule', () => {
    const home = join(tmp, 'many-by-hand');
    cpSync(join(HOMES, 'airflow1'), home, { recursive: true });
    // Each use of a SubDagOperator whose import is not fixed is left by hand (IMP001).
    const uses = Array.from({ length: 30 }, (_, i) => `op_${i} = SubDagOperator`);
    writeFileSync(join(home, 'dags', 'many_subdags.py'), ['from airflow import DAG', 'from airflow.operators.subdag_operator import SubDagOperator', ...uses, ''].join('\n'));
    const r = cli(['fix', home, ...TARGET]);
    expect(r.code, r.stderr).toBe(3);
    const total = Number(/^(\d+) findings of fixable rules left to fix by hand:$/m.exec(r.stderr)?.[1]);
    expect(total).toBeGreaterThan(30);
    expect([...r.stderr.matchAll(/^ {2}\S+:\d+:\d+ [A-Z]+\d+ \S+: .+$/gm)]).toHaveLength(20);
    const more = /^ {2}and (\d+) more: ((?:[A-Z]+\d+ \d+(?:, )?)+) \(`mwaa-migrate report` lists every finding\)$/m.exec(r.stderr);
    expect(more?.[1]).toBe(String(total - 20));
    const counted = more![2]!.split(', ').reduce((n, part) => n + Number(part.split(' ')[1]), 0);
    expect(counted).toBe(total - 20);
  });
});

// The 1.10 home's imports go straight to their 3.x homes; the 3.x home has nothing to fix.
describe('fix on arguments, values, decorators and context keys', () => {
  it.each([
    ['safe', [], 'args-home.safe.diff'],
    ['unsafe', ['--unsafe-fixes'], 'args-home.unsafe.diff'],
  ])('changes the fixed spans alone (%s fixes)', (_kind, flags, golden) => {
    const r = cli(['fix', ARGS_HOME, ...TARGET, ...flags]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'test', 'fix', 'fixtures', golden), 'utf8'));
  });

  it('counts the unsafe fixes it leaves, and applies them when asked', () => {
    expect(cli(['fix', ARGS_HOME, ...TARGET]).stderr).toMatch(/^15 more fixes may shift the meaning: see them with --unsafe-fixes$/m);
    expect(cli(['fix', ARGS_HOME, ...TARGET, '--unsafe-fixes']).stderr).not.toMatch(/may shift the meaning/);
  });
});

describe.each([
  ['fixtures/homes/airflow1', join(HOMES, 'airflow1'), true],
  ['fixtures/homes/airflow2', join(HOMES, 'airflow2'), true],
  ['fixtures/homes/airflow3', join(HOMES, 'airflow3'), false],
  ['test/fix/fixtures/args-home', ARGS_HOME, true],
])('fix --out on %s', (name, home, fixes) => {
  const out = join(tmp, `${name.split('/').pop()}-fixed`);
  const first = cli(['fix', home, ...TARGET, '--out', out]);

  it('writes a fixed copy in which report finds no finding the fixes cover', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(/^mwaa-migrate: 0 fixes/.test(first.stderr)).toBe(!fixes);
    const report = cli(['report', out, ...TARGET, '--format', 'json', '--fail-on', 'never', '--select', SAFE_RULES]);
    expect(report.code, report.stderr).toBe(0);
    const found = (JSON.parse(report.stdout) as { findings: { ruleId: string; file: string; text: string }[] }).findings;
    // What is left is what fix listed as left by hand (e.g. the zipped DAGs), and the unsafe fixes.
    const byHand = leftByHand(first.stderr);
    expect(found.filter((f) => !byHand.has(`${f.file} ${f.text}`) && !unsafeHit(f.ruleId, f.text))).toEqual([]);
  });

  it('changes nothing on its own output', () => {
    const again = cli(['fix', out, ...TARGET]);
    expect([again.code, again.stdout]).toEqual([0, '']);
  });

  it.skipIf(!requires(import.meta.url, 'python3'))('writes files that compile', () => {
    const files = pyFiles(out);
    expect(files.length).toBeGreaterThan(0);
    const compiled = spawnSync('python3', ['-m', 'py_compile', ...files], { encoding: 'utf8' });
    expect(compiled.status, compiled.stderr).toBe(0);
  });
});

describe('fix inside a zipped DAG archive', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const entries = {
    'pack/etl.py': enc('from airflow import DAG\nfrom airflow.operators.bash_operator import BashOperator  # moved\n\ndag = DAG("zipped_etl", schedule_interval="@daily")\nBashOperator(task_id="t", bash_command="true", dag=dag)\n'),
    'pack/clean.py': enc('from airflow.sdk import DAG\n\nwith DAG("zipped_clean", schedule=None):\n    pass\n'),
    'pack/query.sql': enc('select 1;\n'),
  };
  const home = join(tmp, 'zip-home');
  cpSync(join(HOMES, 'airflow3'), home, { recursive: true, filter: (src) => !src.includes(`${join(HOMES, 'airflow3', 'dags')}/`) });
  writeFileSync(join(home, 'dags', 'bundle.zip'), zipSync(entries));

  it('makes the archive again with the fixed entries, the others byte for byte, and leaves nothing fix would do', () => {
    const diff = cli(['fix', home, ...TARGET]);
    expect(diff.stdout).toContain('+++ b/dags/bundle.zip/pack/etl.py');
    const written = cli(['fix', home, ...TARGET, '--write']);
    expect(written.code, written.stderr).toBe(0);
    const after = unzipSync(readFileSync(join(home, 'dags', 'bundle.zip')));
    expect(Object.keys(after).sort()).toEqual(Object.keys(entries).sort());
    expect(new TextDecoder().decode(after['pack/etl.py'])).toBe(
      'from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.bash import BashOperator  # moved\n\ndag = DAG("zipped_etl", schedule="@daily")\nBashOperator(task_id="t", bash_command="true", dag=dag)\n',
    );
    for (const name of ['pack/clean.py', 'pack/query.sql'] as const) expect(Buffer.from(after[name]!).equals(Buffer.from(entries[name]))).toBe(true);
    expect(cli(['fix', home, ...TARGET]).stdout).toBe('');
  });
});

describe('fix inside plugins.zip', () => {
  const home = join(tmp, 'plugins-zip-home');
  const original = pluginsZipHome(home);
  const out = join(tmp, 'plugins-zip-fixed');
  const first = cli(['fix', home, ...TARGET, '--out', out]);
  const entriesOf = (zip: string) => unzipSync(readFileSync(zip));
  const others = Object.keys(PLUGINS_ZIP_ENTRIES).filter((name) => name !== PLUGIN_ENTRY);

  it('--out writes plugins.zip made again: the plugin fixed, the other entries byte for byte', () => {
    expect(first.code, first.stderr).toBe(0);
    // The import, and its use as a base class.
    expect(first.stderr).toMatch(/^mwaa-migrate: 2 fixes in 1 file written to /);
    const after = entriesOf(join(out, 'plugins.zip'));
    expect(Object.keys(after).sort()).toEqual(Object.keys(PLUGINS_ZIP_ENTRIES).sort());
    expect(new TextDecoder().decode(after[PLUGIN_ENTRY])).toBe(FIXED_PLUGIN);
    for (const name of others) expect(Buffer.from(after[name]!).equals(Buffer.from(PLUGINS_ZIP_ENTRIES[name]!))).toBe(true);
    expect(readFileSync(join(home, 'plugins.zip')).equals(Buffer.from(original))).toBe(true);
  });

  it('leaves no finding a safe fix covers inside the copy, and changes nothing on it', () => {
    const inZip = (dir: string) => {
      const report = cli(['report', dir, ...TARGET, '--format', 'json', '--fail-on', 'never', '--select', SAFE_RULES]);
      expect(report.code, report.stderr).toBe(0);
      return (JSON.parse(report.stdout) as { findings: { file: string }[] }).findings.filter((f) => f.file.startsWith('plugins.zip/'));
    };
    expect(inZip(home).length).toBeGreaterThan(0);
    expect(inZip(out)).toEqual([]);
    const again = cli(['fix', out, ...TARGET]);
    expect([again.code, again.stdout]).toEqual([0, '']);
  });

  it('--write rewrites the home\'s plugins.zip as --out writes it, not over uncommitted changes', () => {
    const repo = join(tmp, 'plugins-zip-git');
    cpSync(home, repo, { recursive: true });
    const git = (...args: string[]) => spawnSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { encoding: 'utf8' });
    git('init', '-q');
    const refused = cli(['fix', repo, ...TARGET, '--write']);
    expect([refused.code, refused.stderr]).toEqual([2, 'mwaa-migrate: --write: uncommitted changes to plugins.zip (commit or stash them first, or add --force)\n']);
    git('add', '-A');
    git('commit', '-qm', 'home');
    const written = cli(['fix', repo, ...TARGET, '--write']);
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(join(repo, 'plugins.zip')).equals(readFileSync(join(out, 'plugins.zip')))).toBe(true);
    expect(cli(['fix', repo, ...TARGET]).stdout).toBe('');
  });
});

describe('rules ID', () => {
  it('says whether fix applies the rule', () => {
    expect(cli(['rules', 'IMP003']).stdout).toMatch(/mwaa-migrate fix applies it \(a safe fix/);
    expect(cli(['rules', 'ARG010']).stdout).toMatch(/mwaa-migrate fix has no fix for this rule/);
  });
});

describe('fix --write', () => {
  it('--write refuses uncommitted changes in a git work tree, unless --force', () => {
    const home = join(tmp, 'git-home');
    cpSync(ODD_HOME, home, { recursive: true });
    const git = (...args: string[]) => spawnSync('git', ['-C', home, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { encoding: 'utf8' });
    git('init', '-q');
    const refused = cli(['fix', home, ...TARGET, '--write']);
    expect([refused.code, refused.stderr]).toEqual([2, 'mwaa-migrate: --write: uncommitted changes to dags/odd_imports.py (commit or stash them first, or add --force)\n']);
    git('add', '-A');
    git('commit', '-qm', 'home');
    writeFileSync(join(home, 'dags', 'odd_imports.py'), `${readFileSync(join(home, 'dags', 'odd_imports.py'), 'utf8')}# edited\n`);
    expect(cli(['fix', home, ...TARGET, '--write']).code).toBe(2);
    git('commit', '-qam', 'edit');
    const written = cli(['fix', home, ...TARGET, '--write']);
    expect(written.code, written.stderr).toBe(0);
    expect(cli(['fix', home, ...TARGET]).stdout).toBe('');
    writeFileSync(join(home, 'dags', 'odd_imports.py'), readFileSync(join(ODD_HOME, 'dags', 'odd_imports.py')));
    expect(cli(['fix', home, ...TARGET, '--write', '--force']).code).toBe(0);
  });
});
