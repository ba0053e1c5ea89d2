import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/plan.js';
import { BIN, cliAsync, HOMES, leakedCanaries } from '../helpers.js';
import { loadMwaaModel, validate } from '../support/api-model.js';
import { fakeAwsEnv, motoS3, seedBucket } from '../support/moto.js';
import { useLoopbackAws } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';

// plan on fixtures/homes/airflow2 against moto's S3 and the loopback MWAA: what it compares, what
// it owns, what it never says.

const ready = requires(import.meta.url, 'moto_server');
const aws = useLoopbackAws();
const out = mkdtempSync(join(tmpdir(), 'plan-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const HOME = join(HOMES, 'airflow2');
const planArgs = (bucket: string, ...extra: string[]) => [
  'plan', HOME, '--env-file', join(HOME, '.env'), '--no-cache', '--target-version', '2.10.3',
  '--name', 'acme-prod', '--bucket', bucket, '--execution-role-arn', 'arn:aws:iam::123456789012:role/mwaa-exec',
  '--subnet-ids', 'subnet-0a1b,subnet-2c3d', '--security-group-ids', 'sg-0a1b', '--region', 'us-east-1',
  '--endpoint-url', aws.moto.endpoint, '--mwaa-endpoint-url', aws.mwaa.endpoint, '--no-preflight', '--tag', 'team=data', ...extra,
];
const run = (args: string[]) => cliAsync(args, { env: { ...fakeAwsEnv } });

async function planJson(bucket: string, ...extra: string[]): Promise<{ plan: Plan; code: number | null; text: string }> {
  const file = join(out, `${bucket}-${extra.join('')}.json`);
  const r = await run([...planArgs(bucket, ...extra), '--out', file]);
  expect(r.stderr).toMatch(/wrote/);
  const text = readFileSync(file, 'utf8');
  return { plan: JSON.parse(text) as Plan, code: r.code, text };
}

const puts = (plan: Plan) => plan.actions.filter((a) => a.kind === 'put-object');
const byKey = (plan: Plan) => new Map(puts(plan).map((a) => [a.key, a.change]));

describe.skipIf(!ready)('plan', () => {
  it('creates everything for a missing bucket', async () => {
    const { plan, code } = await planJson('fresh-bucket');
    expect(code).toBe(1); // airflow2 has blocking findings for 2.10.3
    expect(plan.formatVersion).toBe(4);
    expect(plan.actions.slice(0, 3).map((a) => [a.kind, a.change])).toEqual([['ensure-bucket', 'create'], ['enable-versioning', 'update'], ['block-public-access', 'update']]);
    expect(puts(plan).every((a) => a.change === 'create')).toBe(true);
    expect(plan.actions.at(-1)!.kind).toBe('create-environment');
    expect(plan.inputs.files.length).toBeGreaterThan(10);
    expect(plan.inputs.findings).toMatch(/^sha256:/);
  });

  it('compares with what the bucket holds, owns only its prefix, deletes only with --delete', async () => {
    const first = (await planJson('seeded')).plan;
    const dags = puts(first).filter((a) => a.key.startsWith('dags/'));
    const same = dags.slice(0, 3);
    const source = (key: string) => readFileSync(join(HOME, key));
    await seedBucket(aws.moto.endpoint, 'seeded', []);
    const s3 = motoS3(aws.moto.endpoint);
    for (const a of same) await s3.send(new PutObjectCommand({ Bucket: 'seeded', Key: a.key, Body: source(a.key) }));
    await s3.send(new PutObjectCommand({ Bucket: 'seeded', Key: dags[3]!.key, Body: 'old content' }));
    await s3.send(new PutObjectCommand({ Bucket: 'seeded', Key: 'dags/retired.py', Body: 'gone from the home' }));
    await s3.send(new PutObjectCommand({ Bucket: 'seeded', Key: 'other-team/x.py', Body: 'not ours' }));
    await s3.send(new PutObjectCommand({ Bucket: 'seeded', Key: 'dagsx/y.py', Body: 'not ours either' }));
    s3.destroy();

    const { plan, text } = await planJson('seeded');
    const changes = byKey(plan);
    for (const a of same) expect(changes.get(a.key)).toBe('unchanged');
    expect(changes.get(dags[3]!.key)).toBe('update');
    expect(plan.actions[0]).toMatchObject({ kind: 'ensure-bucket', change: 'unchanged' });
    expect(plan.actions[1]).toMatchObject({ kind: 'enable-versioning', change: 'unchanged' });
    expect(plan.actions.some((a) => a.kind === 'delete-object')).toBe(false);
    expect(text).not.toMatch(/other-team|dagsx\/|retired/);

    const deleting = (await planJson('seeded', '--delete')).plan;
    expect(deleting.actions.filter((a) => a.kind === 'delete-object').map((a) => 'key' in a && a.key)).toEqual(['dags/retired.py']);
  });

  it('gives a CreateEnvironment input the API model accepts, with sizing, logging and tags', async () => {
    const { plan } = await planJson('fresh-bucket', '--maintenance-window', 'SUN:03:00');
    const env = plan.actions.find((a) => a.kind === 'create-environment');
    if (env?.kind !== 'create-environment') throw new Error('no create-environment');
    expect(validate(loadMwaaModel(), 'CreateEnvironmentInput', env.input)).toEqual([]);
    expect(env.input).toMatchObject({ DagS3Path: 'dags', PluginsS3Path: 'plugins.zip', RequirementsS3Path: 'requirements.txt', AirflowVersion: '2.10.3', WeeklyMaintenanceWindowStart: 'SUN:03:00' });
    expect(Object.values(env.input.LoggingConfiguration).every((l) => l.Enabled)).toBe(true);
    expect(env.input.LoggingConfiguration.TaskLogs.LogLevel).toBe('INFO');
    expect(env.input.Tags).toMatchObject({ team: 'data', 'mwaa-migrate:created-by': 'mwaa-migrate' });
  });

  it('never holds a secret, in the JSON or the summary', async () => {
    const { text } = await planJson('fresh-bucket');
    const summary = await run(planArgs('fresh-bucket'));
    expect(summary.stdout).toMatch(/DAG objects under dags\/: \d+ new/);
    expect(summary.stdout).toMatch(/^\+--constraint "https:\/\/raw.githubusercontent.com\/apache\/airflow\/constraints-2.10.3\/constraints-3.11.txt"$/m);
    expect(leakedCanaries(text + summary.stdout + summary.stderr)).toEqual([]);
  });

  it('exits 3 when changes are pending and nothing blocks', async () => {
    // A home with one plain DAG-folder file: nothing to find, and the bucket is still to create.
    const empty = mkdtempSync(join(out, 'home-'));
    mkdirSync(join(empty, 'dags'));
    writeFileSync(join(empty, 'dags', 'query.sql'), 'select 1;\n');
    const r = await run([...planArgs('fresh-bucket').map((a) => (a === HOME ? empty : a)).filter((a, i, all) => a !== '--env-file' && all[i - 1] !== '--env-file')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
  });

  it('refuses bad flags before any AWS call', async () => {
    expect((await run([...planArgs('b'), '--subnet-ids', 'subnet-1'])).code).toBe(2);
    expect((await run(planArgs('b').filter((a) => a !== '--name' && a !== 'acme-prod'))).stderr).toMatch(/needs --name/);
  });

  it('plans 2,000 DAG files in a process allowed 256 open files', async () => {
    const home = join(out, 'many');
    for (let i = 0; i < 2000; i++) {
      mkdirSync(join(home, 'dags', `team_${i % 9}`), { recursive: true });
      writeFileSync(join(home, 'dags', `team_${i % 9}`, `dag_${i}.py`), `from airflow import DAG\nwith DAG("d${i}") as dag:\n    pass\n`);
    }
    const file = join(out, 'many.json');
    const args = planArgs('many-files').map((a) => (a === HOME ? home : a)).filter((a, i, all) => a !== '--env-file' && all[i - 1] !== '--env-file');
    const limited = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('sh', ['-c', 'ulimit -n 256 && exec "$0" -- "$@"', process.execPath, BIN, ...args, '--out', file], { env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...fakeAwsEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('close', (code) => resolve({ code, stderr }));
    });
    expect(limited.stderr).toMatch(/wrote .*many\.json \(2002 to create/);
    expect(puts(JSON.parse(readFileSync(file, 'utf8')) as Plan)).toHaveLength(2000);
  }, 120_000);

  it('leaks no credential shape into the plan file, its requirements diff or its summary', async () => {
    const home = join(out, 'canaries');
    mkdirSync(join(home, 'dags'), { recursive: true });
    writeFileSync(join(home, 'airflow.cfg'), '[core]\nload_examples = False\n[custom]\nwarehouse_dsn = host=db user=etl password=PWCANARY1 dbname=dw\n');
    writeFileSync(join(home, 'requirements.txt'), '--extra-index-url https://TOKENCANARY2@pypi.example.com/simple\n--index-url https://TOKENCANARY3:@host/simple\n-i https://u:PWCANARY4@host/simple\npandas==2.1.4\nbad line ((( https://u:PWCANARY5@host\n');
    writeFileSync(join(home, 'dags', 'd.py'), 'from airflow import DAG\nx = "git+https://ghp_TOKENCANARY6@github.com/o/r.git"\nwith DAG("d") as dag:\n    pass\n');
    const file = join(out, 'canaries.json');
    const args = planArgs('canaries').map((a) => (a === HOME ? home : a)).filter((a, i, all) => a !== '--env-file' && all[i - 1] !== '--env-file');
    const text = await run(args);
    const written = await run([...args, '--out', file]);
    const plan = readFileSync(file, 'utf8');
    expect((JSON.parse(plan) as Plan).requirementsDiff).toMatch(/pandas==2\.1\.4/);
    expect(`${text.stdout}${text.stderr}${written.stdout}${written.stderr}${plan}`.match(/\w*CANARY\w*/g)).toBeNull();
  });
});

