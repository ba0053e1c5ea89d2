import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import type { Inventory, InventorySummary } from '../../src/home/inventory.js';
import { cli, HOMES, leakedCanaries, ROOT } from '../helpers.js';

// The real binary on every fixture home, checked against hand-counted expectations in
// fixtures/homes/expected.json, the JSON Schema, and the canary secrets.

const COUNTS = ['dagFiles', 'dags', 'tasks', 'imports', 'plugins', 'pluginFiles', 'requirements', 'connections', 'variables'] as const;

interface Expected extends Pick<InventorySummary, (typeof COUNTS)[number]> {
  version: string | null;
  versionSource: string;
  requirementFiles: string[];
  problems: { code: string; file: string }[];
  files: Record<string, { dags: number; tasks: number; imports: number }>;
  dagFolder: {
    fellBack: boolean;
    ignoreSyntax: string;
    safeMode: boolean;
    ignoredFolders: string[];
    ignoredFiles: string[];
    skippedBySafeMode: string[];
    zips: string[];
  };
}

const expected = JSON.parse(readFileSync(join(HOMES, 'expected.json'), 'utf8')) as Record<string, Expected>;
const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'inventory.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const envArgs = (home: string) => (existsSync(join(HOMES, home, '.env')) ? ['--env-file', join(HOMES, home, '.env')] : []);

describe.each(Object.keys(expected))('scan fixtures/homes/%s', (home) => {
  const want = expected[home]!;
  const json = cli(['scan', join(HOMES, home), '--json', '--no-cache', ...envArgs(home)]);
  const text = cli(['scan', join(HOMES, home), '--no-cache', ...envArgs(home)]);
  const inv = JSON.parse(json.stdout) as Inventory;

  it('exits 0 with a schema-valid inventory and nothing on stderr', () => {
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    expect(validate(inv), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(inv.schemaVersion).toBe(2);
  });

  it('counts what a person counted by hand', () => {
    const pick = (o: Pick<InventorySummary, (typeof COUNTS)[number]>) => Object.fromEntries(COUNTS.map((k) => [k, o[k]]));
    expect(pick(inv.summary)).toEqual(pick(want));
    expect(inv.requirements.files).toEqual(want.requirementFiles);
    for (const [path, counts] of Object.entries(want.files)) {
      const file = inv.dagFiles.find((f) => f.path === path);
      expect(file, path).toBeDefined();
      // Files that do not parse add nothing Airflow could load (what was recovered stays on the file).
      const a = file!.analysis?.syntax === 'ok' ? file!.analysis : { dags: [], tasks: [], imports: [] };
      expect({ dags: a.dags.length, tasks: a.tasks.length, imports: a.imports.length }, path).toEqual({
        dags: counts.dags,
        tasks: counts.tasks,
        imports: counts.imports,
      });
    }
  });

  it('decides the Airflow version from the right evidence', () => {
    if (home === 'broken') {
      // Ten hand-written options ([core] sql_alchemy_conn, [webserver] instance_name) narrow it to
      // 2.1-2.2, but ten options never make a certain answer.
      expect(inv.airflowVersion).toMatchObject({ source: 'config-fingerprint', version: '2.2.2', family: '2.x' });
      expect(inv.airflowVersion.confidence).not.toBe('high');
    } else {
      expect(inv.airflowVersion).toMatchObject({ version: want.version, source: want.versionSource, confidence: 'high' });
    }
  });

  it('walks the DAG folder as Airflow does', () => {
    const d = inv.dagFolder;
    expect({ fellBack: d.fellBack, ignoreSyntax: d.ignoreSyntax, safeMode: d.safeMode, zips: d.zips }).toEqual({
      fellBack: want.dagFolder.fellBack,
      ignoreSyntax: want.dagFolder.ignoreSyntax,
      safeMode: want.dagFolder.safeMode,
      zips: want.dagFolder.zips,
    });
    expect([...d.skippedBySafeMode].sort()).toEqual([...want.dagFolder.skippedBySafeMode].sort());
    // Ignored folders are pruned (listed with a trailing slash); files inside them are never visited.
    const folders = want.dagFolder.ignoredFolders;
    const files = want.dagFolder.ignoredFiles.filter((f) => !folders.some((dir) => f.startsWith(dir + '/')));
    expect([...d.ignoredFiles].sort()).toEqual([...folders.map((f) => f + '/'), ...files].sort());
  });

  it('records exactly the expected problems', () => {
    const got = inv.problems.filter((p) => p.code !== 'plugins-folder-fallback').map((p) => `${p.code} ${p.file}`);
    expect(got.sort()).toEqual(want.problems.map((p) => `${p.code} ${p.file}`).sort());
  });

  it('knows where every planted secret is, without its value', () => {
    const planted = (expected[home] as unknown as { secrets: { file: string; what: string }[] }).secrets;
    for (const s of planted.filter((x) => x.file === 'airflow.cfg')) {
      const what = /^\[\w+\] \w+/.exec(s.what)![0];
      expect(inv.secrets.filter((x) => x.source.kind === 'file' && x.what === what).length, what).toBeGreaterThan(0);
    }
    for (const s of planted.filter((x) => x.file === '.env')) {
      const name = /^AIRFLOW_(CONN|VAR)_(\w+)/.exec(s.what)!;
      expect(inv.secrets.map((x) => x.what), s.what).toContain(`${name[1] === 'CONN' ? 'connection' : 'variable'} ${name[2]!.toLowerCase()}`);
    }
  });

  it('never prints a canary secret, as JSON or as text', () => {
    expect(text.code).toBe(0);
    expect(leakedCanaries(json.stdout + json.stderr + text.stdout + text.stderr)).toEqual([]);
    expect(text.stdout).toContain(`DAG files          ${want.dagFiles}`);
  });
});

describe('scan on the fixtures in detail', () => {
  it('keeps provenance and the override order of AIRFLOW__ variables (airflow2)', () => {
    const inv = JSON.parse(cli(['scan', join(HOMES, 'airflow2'), '--json', '--no-cache', '--env-file', join(HOMES, 'airflow2', '.env')]).stdout) as Inventory;
    const opt = (s: string, k: string) => inv.config.options.find((o) => o.section === s && o.key === k)!;
    expect(opt('core', 'parallelism')).toMatchObject({ value: '64', source: { kind: 'env', name: 'AIRFLOW__CORE__PARALLELISM', origin: 'env-file' }, differsFromDefault: true });
    expect(opt('core', 'parallelism').overridden).toEqual([{ kind: 'file', file: 'airflow.cfg', line: expect.any(Number) }]);
    expect(opt('database', 'sql_alchemy_conn')).toMatchObject({ value: null, valueFrom: 'command', secret: true, source: { kind: 'env', name: 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD' } });
    expect(opt('core', 'fernet_key')).toMatchObject({ value: '<redacted>', secret: true, fingerprint: expect.stringMatching(/^hmac-sha256:[0-9a-f]{24}$/) });
    expect(inv.connections.map((c) => [c.connId, c.format, c.hasPassword])).toEqual([
      ['my_postgres', 'uri', true],
      ['partner_api', 'json', true],
      ['aws_default', 'uri', false],
    ]);
    expect(inv.config.referenceVersion).toBe('2.7.2');
  });

  it('re-scans from the cache with the same result, and sees a changed file', () => {
    const home = join(tmp, 'cached');
    cpSync(join(HOMES, 'airflow3'), home, { recursive: true });
    const env = { XDG_CACHE_HOME: join(tmp, 'cache') };
    const first = cli(['scan', home, '--json'], { env });
    const second = cli(['scan', home, '--json'], { env });
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const file = join(home, 'dags', 'manual_and_cron.py');
    writeFileSync(file, readFileSync(file, 'utf8') + '\nfrom airflow.sdk import DAG\nDAG("added_later")\n');
    const third = JSON.parse(cli(['scan', home, '--json'], { env }).stdout) as Inventory;
    expect(third.summary.dags).toBe((JSON.parse(first.stdout) as Inventory).summary.dags + 1);
  });

  it("re-scans for its text and sizes from the cache's outlines as without the cache, and sees a changed file", () => {
    const home = join(tmp, 'outlined');
    cpSync(join(HOMES, 'airflow2'), home, { recursive: true });
    const env = { XDG_CACHE_HOME: join(tmp, 'outlines') };
    const outputs = (extra: string[]) =>
      [['scan', home], ['size', home], ['size', home, '--json']].map((args) => {
        const r = cli([...args, ...extra], { env });
        expect(r.code, r.stderr).toBe(0);
        return r.stdout;
      });
    const uncached = outputs(['--no-cache']);
    outputs([]);
    expect(outputs([])).toEqual(uncached);
    const file = join(home, 'dags', 'postgres_maintenance.py');
    writeFileSync(file, readFileSync(file, 'utf8') + '\nfrom airflow import DAG\nDAG("added_later", schedule="@hourly")\n');
    const changed = outputs([]);
    expect(changed).toEqual(outputs(['--no-cache']));
    expect(changed[0]).not.toBe(uncached[0]);
    expect((JSON.parse(changed[2]!) as { inputs: { dags: number } }).inputs.dags).toBe((JSON.parse(uncached[2]!) as { inputs: { dags: number } }).inputs.dags + 1);
  });
});

describe('bad input', () => {
  it('records a 50 MB file as too large and keeps going', () => {
    const home = join(tmp, 'huge');
    cpSync(join(HOMES, 'broken'), home, { recursive: true, verbatimSymlinks: true });
    const big = Buffer.alloc(50 * 1024 * 1024, 'x = 1  # airflow dag\n');
    writeFileSync(join(home, 'dags', 'generated_dag.py'), big);
    const r = cli(['scan', home, '--json', '--no-cache']);
    expect(r.code).toBe(0);
    const inv = JSON.parse(r.stdout) as Inventory;
    expect(inv.problems).toContainEqual({ code: 'too-large', file: 'dags/generated_dag.py', message: '50.0 MB is over the 10.0 MB limit per file; not read' });
    expect(inv.summary.dagFiles).toBe(expected['broken']!.dagFiles + 1);
  });

  // Root reads everything: as root (CI), the scan runs as an unprivileged user, which needs the
  // checkout to be readable by others. Where it is not, the injected-error unit test
  // (test/unit/home.test.ts) is what covers this.
  const isRoot = process.getuid?.() === 0;
  const nobody = { uid: 65534, gid: 65534 };
  const nobodyCanRun = !isRoot || cli(['--version'], nobody).code === 0;
  it.runIf(nobodyCanRun)('records an unreadable folder and file instead of failing', () => {
    const home = join(tmp, 'unreadable');
    cpSync(join(HOMES, 'airflow3'), home, { recursive: true });
    mkdirSync(join(home, 'dags', 'locked'));
    writeFileSync(join(home, 'dags', 'locked', 'secret_dag.py'), 'from airflow import DAG\n');
    chmodSync(join(home, 'dags', 'locked'), 0o000);
    chmodSync(join(home, 'dags', 'asset_pipeline.py'), 0o000);
    chmodSync(tmp, 0o755);
    const r = cli(['scan', home, '--json', '--no-cache'], isRoot ? nobody : {});
    chmodSync(join(home, 'dags', 'locked'), 0o755);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const inv = JSON.parse(r.stdout) as Inventory;
    expect(inv.problems).toContainEqual({ code: 'unreadable', file: 'dags/locked', message: 'folder cannot be read: permission denied' });
    expect(inv.problems).toContainEqual({ code: 'unreadable', file: 'dags/asset_pipeline.py', message: 'permission denied' });
  });

  it.each([
    [['scan', '/nonexistent/airflow'], /^mwaa-migrate: Airflow home \/nonexistent\/airflow: does not exist/],
    [['scan', '--bogus'], /^mwaa-migrate: unknown option --bogus \(see mwaa-migrate scan --help\)/],
    [['scan', 'a', 'b'], /^mwaa-migrate: scan takes one AIRFLOW_HOME, got 2/],
    [['scan', 'fixtures/homes/airflow1', '--airflow-version', 'banana'], /^mwaa-migrate: --airflow-version banana: not an Airflow version/],
    [['scan', 'fixtures/homes/airflow1', '--env-file', '/nonexistent/.env'], /^mwaa-migrate: --env-file \/nonexistent\/.env: does not exist/],
    [['frobnicate'], /^mwaa-migrate: unknown command 'frobnicate'/],
  ])('%j exits 2 with one line', (args, message) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 on an empty home and on a folder that is not an Airflow home', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const r = cli(['scan', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mwaa-migrate: ${empty} does not look like an Airflow home: no airflow.cfg, dags/, plugins/ or requirements.txt (the folder is empty)\n`);
  });

  it('uses $AIRFLOW_HOME when no home is given', () => {
    const r = cli(['scan', '--json', '--no-cache'], { env: { AIRFLOW_HOME: join(HOMES, 'airflow3') } });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Inventory).home).toBe(join(HOMES, 'airflow3'));
  });

  it('reads AIRFLOW__ variables from the environment only with --use-env', () => {
    const env = { AIRFLOW__CORE__PARALLELISM: '7', AIRFLOW_CONN_FROM_ENV: 'postgres://u:CANARY_ENV_ONLY_PW@h/db' };
    const without = JSON.parse(cli(['scan', join(HOMES, 'airflow3'), '--json', '--no-cache'], { env }).stdout) as Inventory;
    const withEnv = cli(['scan', join(HOMES, 'airflow3'), '--json', '--no-cache', '--use-env'], { env });
    const inv = JSON.parse(withEnv.stdout) as Inventory;
    expect(without.connections).toEqual([]);
    expect(inv.config.options.find((o) => o.key === 'parallelism')?.value).toBe('7');
    expect(inv.connections.map((c) => c.connId)).toEqual(['from_env']);
    expect(withEnv.stdout).not.toContain('CANARY_ENV_ONLY_PW');
  });
});
