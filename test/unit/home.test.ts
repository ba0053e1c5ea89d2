import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCfg } from '../../src/home/cfgparse.js';
import { buildConfig, parseConnection, type EnvVar } from '../../src/home/config.js';
import { nodeIO, type ScanIO } from '../../src/home/fs.js';
import { addIgnoreFile, emptyRules, isIgnored } from '../../src/home/ignore.js';
import type { Requirement } from '../../src/home/inventory.js';
import { wrappingFolder } from '../../src/home/plugins.js';
import { requirementAt } from '../../src/home/requirements.js';
import { scanHome, type ScanProgress } from '../../src/home/scan.js';
import { decideVersion } from '../../src/home/version.js';
import { check } from '../../src/check/engine.js';
import { loadCatalog } from '../../src/check/catalog.js';
import { dagObjects } from '../../src/plan/artifacts.js';
import { HOMES } from '../helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('.airflowignore', () => {
  it('regexp: every pattern is searched, unanchored, in the path relative to the DAG folder', () => {
    let rules = addIgnoreFile(emptyRules('regexp'), '', 'abc\n# a comment\nteam_[0-9]+/old  # trailing comment\n').rules;
    rules = addIgnoreFile(rules, 'sub', '^sub/skip').rules;
    expect(isIgnored(rules, 'xabcx.py', false)).toBe(true);
    expect(isIgnored(rules, 'dir/abc/file.py', false)).toBe(true);
    expect(isIgnored(rules, 'team_12/old', true)).toBe(true);
    expect(isIgnored(rules, 'sub/skip_me.py', false)).toBe(true);
    expect(isIgnored(rules, 'keep.py', false)).toBe(false);
  });

  it('regexp: Python syntax is translated and invalid lines are skipped with a problem', () => {
    const { rules, problems } = addIgnoreFile(emptyRules('regexp'), '', '(?i)LEGACY\n(?P<name>x)(?P=name)\n[unclosed\n');
    expect(isIgnored(rules, 'legacy_dag.py', false)).toBe(true);
    expect(isIgnored(rules, 'xx.py', false)).toBe(true);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(3);
  });

  it('glob: gitignore rules relative to the file, last match wins, nested files apply below', () => {
    let rules = addIgnoreFile(emptyRules('glob'), '', '/sandbox/\n**/*_wip.py\n!keep_wip.py\n').rules;
    rules = addIgnoreFile(rules, 'ml', '*_old.py\n/notebooks/\n').rules;
    expect(isIgnored(rules, 'sandbox', true)).toBe(true);
    expect(isIgnored(rules, 'ml/sandbox', true)).toBe(false);
    expect(isIgnored(rules, 'ml/x_wip.py', false)).toBe(true);
    expect(isIgnored(rules, 'keep_wip.py', false)).toBe(false);
    expect(isIgnored(rules, 'ml/model_old.py', false)).toBe(true);
    expect(isIgnored(rules, 'model_old.py', false)).toBe(false);
    expect(isIgnored(rules, 'ml/notebooks', true)).toBe(true);
    expect(isIgnored(rules, 'notebooks', true)).toBe(false);
  });
});

describe('configuration', () => {
  const cfg = parseCfg(
    [
      '[core]',
      'parallelism = 32',
      'dags_folder = /srv/airflow/dags',
      'fernet_key = c2VjcmV0LWZlcm5ldC1rZXktZm9yLXRlc3RzLTAxMjM=',
      'executor = CeleryExecutor',
      'log_format = [%%(asctime)s] %%(message)s',
      '[database]',
      'sql_alchemy_conn = postgresql://airflow:s3cr3t@db/airflow',
      '[smtp]',
      'smtp_password_cmd = cat /run/secrets/smtp',
      '[secrets]',
      'backend_kwargs =',
    ].join('\n'),
    'airflow.cfg',
  );
  const env = (name: string, value: string): EnvVar => ({ name, value, source: { kind: 'env', name, origin: 'env-file' } });
  const result = buildConfig(
    'airflow.cfg',
    cfg.entries,
    [env('AIRFLOW__CORE__PARALLELISM', '64'), env('AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_SECRET', 'db_conn'), env('AIRFLOW_VAR_API_TOKEN', 'tok-123')],
    '2.7.2',
    '/home/me/airflow',
  );
  const opt = (s: string, k: string) => result.options.find((o) => o.section === s && o.key === k)!;

  it('applies overrides in Airflow order and keeps what they overrode', () => {
    expect(opt('core', 'parallelism')).toMatchObject({ value: '64', source: { kind: 'env', name: 'AIRFLOW__CORE__PARALLELISM' }, overridden: [{ kind: 'file', file: 'airflow.cfg', line: 2 }], differsFromDefault: true });
    expect(opt('database', 'sql_alchemy_conn')).toMatchObject({ value: null, valueFrom: 'secrets-backend', overridden: [{ kind: 'file', line: 8 }] });
    expect(opt('smtp', 'smtp_password')).toMatchObject({ value: null, valueFrom: 'command', source: { kind: 'file', line: 10 } });
  });

  it('interpolates %% and compares with the version default', () => {
    // [core] log_format moved to [logging] in 2.0: unknown to the 2.7.2 catalogue.
    expect(opt('core', 'log_format')).toMatchObject({ value: '[%(asctime)s] %(message)s', known: false, differsFromDefault: null });
    expect(opt('core', 'executor')).toMatchObject({ differsFromDefault: true, known: true });
    expect(opt('secrets', 'backend_kwargs')).toMatchObject({ value: '', secret: false });
  });

  it('redacts secrets, including an overridden one, and fingerprints them', () => {
    expect(opt('core', 'fernet_key')).toMatchObject({ value: '<redacted>', secret: true });
    expect(result.secrets.map((s) => s.what)).toEqual(['variable api_token', '[core] fernet_key', '[database] sql_alchemy_conn']);
    expect(JSON.stringify(result)).not.toMatch(/s3cr3t|c2VjcmV0|tok-123/);
    expect(result.variables).toEqual([{ key: 'api_token', source: { kind: 'env', name: 'AIRFLOW_VAR_API_TOKEN', origin: 'env-file' }, length: 7, fingerprint: expect.any(String) }]);
  });

  it('parses connection URIs and JSON without keeping the password', () => {
    const src = { kind: 'env', name: 'AIRFLOW_CONN_X', origin: 'env-file' } as const;
    expect(parseConnection('x', 'postgresql://user%40corp:p%40ss@db.internal:5432/analytics?sslmode=require', src)).toMatchObject({
      connType: 'postgres',
      login: 'user@corp',
      host: 'db.internal',
      port: 5432,
      schema: 'analytics',
      hasPassword: true,
      extraKeys: ['sslmode'],
    });
    const json = parseConnection('y', '{"conn_type": "http", "host": "api.example.com", "password": "pw", "extra": {"timeout": 5}}', src);
    expect(json).toMatchObject({ format: 'json', connType: 'http', host: 'api.example.com', hasPassword: true, extraKeys: ['timeout'] });
    expect(JSON.stringify(json)).not.toContain('"pw"');
  });
});

describe('version detection', () => {
  const req = (over: Partial<Requirement>): Requirement => requirementAt('requirements.txt', 1, '', over);

  it('prefers the flag, then a pin, then a constraints URL', () => {
    const pin = req({ name: 'apache-airflow', specifier: '==2.8.1', pinned: '2.8.1', line: 3 });
    const constraint = req({ kind: 'constraint', target: 'https://raw.githubusercontent.com/apache/airflow/constraints-2.9.2/constraints-3.11.txt' });
    expect(decideVersion({ flag: '2.10.3', requirements: [pin], cfgKeys: [], imports: [] })).toMatchObject({ version: '2.10.3', source: 'flag', confidence: 'certain' });
    const both = decideVersion({ requirements: [constraint, pin], cfgKeys: [], imports: [] });
    expect(both).toMatchObject({ version: '2.8.1', source: 'requirements-pin' });
    expect(both.evidence[1]).toContain('disagrees');
    expect(decideVersion({ requirements: [constraint], cfgKeys: [], imports: [] })).toMatchObject({ version: '2.9.2', source: 'constraints-url' });
  });

  it('falls back to DAG imports, which give a family', () => {
    const imp = (name: string) => ({ name, module: name, alias: null, level: 0, guarded: 'none' as const, line: 1, col: 1 });
    expect(decideVersion({ requirements: [], cfgKeys: [], imports: [imp('airflow.contrib.operators.ssh_operator.SSHOperator'), imp('airflow.providers.http.hooks.http.HttpHook')] })).toMatchObject({
      version: null,
      source: 'dag-imports',
      family: '2.x',
      confidence: 'low',
    });
    expect(decideVersion({ requirements: [], cfgKeys: [], imports: [] })).toMatchObject({ source: 'none', version: null });
  });
});

describe('plugins.zip layout', () => {
  it('flags a zip whose entries all sit under one plain folder, not under a package', () => {
    expect(wrappingFolder(['plugins/', 'plugins/a.py', 'plugins/pkg/__init__.py'])).toBe('plugins');
    expect(wrappingFolder(['my_pkg/__init__.py', 'my_pkg/ops.py'])).toBe(null);
    expect(wrappingFolder(['a.py', 'pkg/__init__.py'])).toBe(null);
  });
});

describe('scan through an injected file system', () => {
  it('records a folder and a file that cannot be read, and still reads the rest', async () => {
    const home = join(tmp, 'io-home');
    mkdirSync(join(home, 'dags', 'locked'), { recursive: true });
    writeFileSync(join(home, 'airflow.cfg'), '[core]\nload_examples = False\n');
    writeFileSync(join(home, 'dags', 'ok.py'), 'from airflow import DAG\nDAG("ok")\n');
    writeFileSync(join(home, 'dags', 'denied.py'), 'from airflow import DAG\nDAG("denied")\n');
    symlinkSync('.', join(home, 'dags', 'self'));
    const eacces = (path: string) => Object.assign(new Error(`EACCES: permission denied, ${path}`), { code: 'EACCES' });
    const io: ScanIO = {
      ...nodeIO,
      readdir: (p) => (p.endsWith('locked') ? Promise.reject(eacces(p)) : nodeIO.readdir(p)),
      readFile: (p) => (p.endsWith('denied.py') ? Promise.reject(eacces(p)) : nodeIO.readFile(p)),
    };
    const inv = await scanHome(home, { io, cache: false });
    expect(inv.problems.filter((p) => p.code !== 'cfg-missing')).toEqual([
      { code: 'unreadable', file: 'dags/denied.py', message: 'permission denied' },
      { code: 'unreadable', file: 'dags/locked', message: 'folder cannot be read: permission denied' },
      { code: 'symlink-loop', file: 'dags/self', message: expect.stringContaining('loops back') },
    ]);
    expect(inv.dagFiles.map((f) => f.path)).toEqual(['dags/ok.py']);
    expect(inv.summary.dags).toBe(1);
  });

  it('reports progress as files found and files read, ending with every Python file read', async () => {
    const home = join(tmp, 'progress-home');
    mkdirSync(join(home, 'dags', 'lib'), { recursive: true });
    mkdirSync(join(home, 'plugins'), { recursive: true });
    writeFileSync(join(home, 'dags', 'a.py'), 'from airflow import DAG\nfrom lib import util\nDAG("a")\n');
    writeFileSync(join(home, 'dags', 'b.py'), 'from airflow import DAG\nDAG("b")\n');
    writeFileSync(join(home, 'dags', '.airflowignore'), 'lib/\n');
    writeFileSync(join(home, 'dags', 'lib', 'util.py'), 'X = 1\n');
    writeFileSync(join(home, 'plugins', 'p.py'), 'Y = 2\n');
    const seen: ScanProgress[] = [];
    await scanHome(home, { cache: false, onProgress: (p) => seen.push(p) });
    // The guide shows "files read: read/found": found must count every file handed to the parser.
    expect(seen.at(-1)).toMatchObject({ phase: 'done', filesFound: 4, filesRead: 4, dags: 2 });
    expect(seen.every((p) => p.filesRead <= p.filesFound)).toBe(true);
  });
});

describe('a DAG folder that is the Airflow home', () => {
  it('leaves the home\'s own files out of it: no secret among its files, no plugin checked twice', async () => {
    const home = join(tmp, 'dags-in-home');
    mkdirSync(join(home, 'plugins'), { recursive: true });
    mkdirSync(join(home, 'logs', 'scheduler'), { recursive: true });
    writeFileSync(join(home, 'airflow.cfg'), '[core]\ndags_folder = {AIRFLOW_HOME}\nfernet_key = canary-fernet-0451\n');
    writeFileSync(join(home, '.env'), 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql://u:canary-pw-0451@db/airflow\n');
    writeFileSync(join(home, 'standalone_admin_password.txt'), 'canary-admin-0451\n');
    writeFileSync(join(home, 'logs', 'scheduler', 'latest.log'), 'log line\n');
    writeFileSync(join(home, 'my_dag.py'), 'from airflow import DAG\nfrom plugins.my_plugin import X\nDAG("d")\n');
    writeFileSync(join(home, 'plugins', 'my_plugin.py'), 'from airflow.operators.bash_operator import BashOperator\nX = BashOperator\n');
    const inv = await scanHome(home, { cache: false, envFile: join(home, '.env') });
    expect(inv.dagFiles.map((f) => f.path)).toEqual(['my_dag.py']);
    expect(inv.plugins.files.map((f) => f.path)).toEqual(['plugins/my_plugin.py']);
    expect(inv.dagFolder.dataFiles).toEqual([]);
    expect(inv.problems).toContainEqual({
      code: 'dags-folder-is-home',
      file: 'airflow.cfg',
      message: expect.stringContaining('(.env, airflow.cfg, logs/, plugins/, standalone_admin_password.txt) are not DAG files'),
    });
    const { objects } = await dagObjects(inv, 'dags');
    expect(objects.map((o) => o.key)).toEqual(['dags/my_dag.py']);
    expect(JSON.stringify(objects)).not.toContain('canary');
    // The plugin's old import is one finding, not one as a plugin and one as a module of the DAGs.
    const hits = check(inv, loadCatalog()).findings.filter((f) => f.file.endsWith('my_plugin.py'));
    expect(new Set(hits.map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.col}`)).size).toBe(hits.length);
    expect(hits.length).toBeGreaterThan(0);
  });

  it('is the same as before for a DAG folder inside the home', async () => {
    const inv = await scanHome(join(HOMES, 'airflow2'), { cache: false });
    expect(inv.problems.map((p) => p.code)).not.toContain('dags-folder-is-home');
  });
});
