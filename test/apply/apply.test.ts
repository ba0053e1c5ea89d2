import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DeleteBucketCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ValidationException } from '@aws-sdk/client-mwaa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/aws/apply.js';
import { Journal, journalPath } from '../../src/aws/journal.js';
import { mwaaClient, readEnvironment, updateEnvironment } from '../../src/aws/mwaa-client.js';
import type { MWAAClient } from '@aws-sdk/client-mwaa';
import { s3Client } from '../../src/aws/s3-state.js';
import type { Plan } from '../../src/plan/plan.js';
import { HOMES, inProcessCli, leakedCanaries, ROOT } from '../helpers.js';
import { expectOnceEach, fakeAwsEnv, objectVersions, seedBucket, type Moto } from '../support/moto.js';
import { useLoopbackAws, type MwaaServer } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';

// plan then apply on fixtures/homes/airflow2, against moto's S3 and the loopback MWAA server:
// it finishes, it resumes, it never does anything twice, it stays inside what it owns.

let moto: Moto;
let mwaa: MwaaServer;
let s3: S3Client;
const out = mkdtempSync(join(tmpdir(), 'apply-'));

const ready = requires(import.meta.url, 'moto_server');
const aws = useLoopbackAws({ createFailures: { 'acme-broken': { ErrorCode: 'INCORRECT_CONFIGURATION', ErrorMessage: 'The subnets\nhave no route to S3' } } });
beforeAll(() => ({ moto, mwaa, s3 } = aws));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const HOME = join(HOMES, 'airflow2');

/** Everything the CLI printed, for the canary check. */
const log = { printed: '' };
const run = inProcessCli(() => ({ env: { ...fakeAwsEnv } }), log);

/** Writes a plan for the home into out/NAME.json and answers its path. */
async function plan(name: string, bucket: string, { home = HOME, extra = [] as string[] } = {}): Promise<string> {
  const file = join(out, `${name}-${Math.random().toString(36).slice(2)}.json`);
  const r = await run([
    'plan', home, '--env-file', join(HOME, '.env'), '--no-cache', '--target-version', '2.10.3', '--name', name, '--bucket', bucket,
    '--execution-role-arn', 'arn:aws:iam::123456789012:role/mwaa-exec', '--subnet-ids', 'subnet-0a1b,subnet-2c3d', '--security-group-ids', 'sg-0a1b',
    '--region', 'us-east-1', '--endpoint-url', moto.endpoint, '--mwaa-endpoint-url', mwaa.endpoint, '--no-preflight', '--out', file, ...extra,
  ]);
  expect(r.stderr).toMatch(/wrote/);
  return file;
}

const apply = (file: string, ...extra: string[]) => run(['apply', file, '--endpoint-url', moto.endpoint, '--mwaa-endpoint-url', mwaa.endpoint, '--poll-seconds', '0.01', '--allow-errors', ...extra]);

const versions = (bucket: string) => objectVersions(s3, bucket);

// The name travels in the path (PUT /environments/{Name}), the rest in the body.
const creates = (name: string) => mwaa.requests.filter((r) => r.operation === 'CreateEnvironment' && r.status === 200 && r.path === `/environments/${name}`);
const readPlan = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Plan;
const putKeys = (p: Plan) => p.actions.flatMap((a) => (a.kind === 'put-object' ? [a.key] : []));

/** Every planned object is in the bucket exactly once, at one version. */
const expectPlannedOnce = (file: string, bucket: string) => expectOnceEach(s3, bucket, putKeys(readPlan(file)));

/** Polls until the environment leaves UPDATING. */
async function settled(client: MWAAClient, name: string): Promise<void> {
  while ((await readEnvironment(client, name))?.Status === 'UPDATING');
}

describe.skipIf(!ready)('apply', () => {
  it('creates the bucket, uploads, pins plugins and requirements to the uploaded versions, waits for AVAILABLE', async () => {
    const file = await plan('acme-prod', 'apply-fresh');
    const r = await apply(file);
    expect(r.stderr).toMatch(/objects: (\d+)\/\1 in place/);
    expect(r.stderr).toMatch(/environment acme-prod: AVAILABLE \(\d+s\)/);
    expect(r.stdout).toMatch(/Environment acme-prod: AVAILABLE \(created\)\.\nAirflow UI: .*\nNext steps:/);
    expect(r.code).toBe(0);
    await expectPlannedOnce(file, 'apply-fresh');
    const [request] = creates('acme-prod');
    const body = JSON.parse(request!.body) as Record<string, string>;
    const pinned = [
      [body['PluginsS3Path'], body['PluginsS3ObjectVersion']],
      [body['RequirementsS3Path'], body['RequirementsS3ObjectVersion']],
      [body['StartupScriptS3Path'], body['StartupScriptS3ObjectVersion']],
    ];
    for (const [key, version] of pinned) {
      expect(version).toBeTruthy();
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'apply-fresh', Key: key }));
      expect(head.VersionId).toBe(version);
    }
    // The finance helpers read three variables the old host set: two plain ones go in startup.sh,
    // the passphrase does not (CODE022 says where it belongs).
    const script = await (await s3.send(new GetObjectCommand({ Bucket: 'apply-fresh', Key: 'startup.sh' }))).Body!.transformToString();
    expect(script).toMatch(/^export ACME_FINANCE_EXPORT_BUCKET='acme-finance-exports'$/m);
    expect(script).toMatch(/^export ACME_FINANCE_TEAM='finance-eng'$/m);
    expect(script).not.toMatch(/PASSPHRASE/);
    expect(readPlan(file).startupScript).toMatchObject({ exports: ['ACME_FINANCE_EXPORT_BUCKET', 'ACME_FINANCE_TEAM'], left: [{ name: 'ACME_LEDGER_SIGNING_PASSPHRASE' }] });
    const sh = spawnSync('sh', ['-n'], { input: script });
    expect(sh.status, sh.stderr.toString()).toBe(0);
    const journal = readFileSync(journalPath(file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: string });
    expect(journal.map((e) => e.step)).toEqual(expect.arrayContaining(['ensure-bucket', 'enable-versioning', 'block-public-access', 'put-object', 'create-environment']));

    // Again with the same plan, and with a new plan: nothing uploaded, nothing created.
    const before = await versions('apply-fresh');
    const again = await apply(file);
    expect(again.code).toBe(0);
    const freshFile = await plan('acme-prod', 'apply-fresh');
    const fresh = { ...(await apply(freshFile)), file: freshFile };
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/^Environment acme-prod: AVAILABLE \(already as planned, not changed\)\.$/m);
    expect(readPlan(fresh.file).actions.at(-1)).toMatchObject({ kind: 'update-environment', change: 'unchanged', drift: [] });
    expect(fresh.stderr).toMatch(/\(0 uploaded\)/);
    expect(await versions('apply-fresh')).toEqual(before);
    expect(creates('acme-prod')).toHaveLength(1);
  });

  it('updates an environment that drifted (changed by hand), once, and reports what only a new one could change', async () => {
    await apply(await plan('acme-drift', 'apply-drift'));
    const client = mwaaClient({ region: 'us-east-1', endpoint: mwaa.endpoint });
    // Someone shrinks the environment by hand and adds an option.
    await client.send(updateEnvironment({ Name: 'acme-drift', EnvironmentClass: 'mw1.micro', MaxWebservers: 1, MinWebservers: 1, AirflowConfigurationOptions: { 'core.default_task_retries': '3' } }));
    await settled(client, 'acme-drift');
    const file = await plan('acme-drift', 'apply-drift', { extra: ['--subnet-ids', 'subnet-0a1b,subnet-9f9f'] });
    const action = readPlan(file).actions.at(-1)!;
    if (action.kind !== 'update-environment') throw new Error(`expected an update, got ${action.kind}`);
    expect(action.drift.map((d) => [d.setting, d.updatable])).toEqual(expect.arrayContaining([
      ['EnvironmentClass', true],
      ['MinWebservers', true],
      ['MaxWebservers', true],
      ['AirflowConfigurationOptions.core.default_task_retries', true],
      ['NetworkConfiguration.SubnetIds', false],
    ]));
    expect(action.input).toMatchObject({ Name: 'acme-drift', EnvironmentClass: action.desired.EnvironmentClass, MinWebservers: action.desired.MinWebservers });
    expect(action.input).not.toHaveProperty('NetworkConfiguration');

    const updates = () => mwaa.requests.filter((r) => r.operation === 'UpdateEnvironment' && r.status === 200 && r.path === '/environments/acme-drift');
    const before = updates().length;
    const r = await apply(file);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/environment acme-drift: update started \(EnvironmentClass, /);
    expect(r.stdout).toMatch(/^Environment acme-drift: AVAILABLE \(updated\)\.$/m);
    expect(r.stdout).toMatch(/only a new environment can change them:\n  NetworkConfiguration\.SubnetIds: /);
    expect(updates()).toHaveLength(before + 1);
    // The web server counts reach MWAA although the SDK does not know them.
    expect(JSON.parse(updates().at(-1)!.body)).toMatchObject({ MinWebservers: action.desired.MinWebservers });
    // The same plan again: the environment already matches, nothing is sent.
    expect((await apply(file)).code).toBe(0);
    expect(updates()).toHaveLength(before + 1);
    client.destroy();
  });

  it('resumes after a run that died midway: every object once, one environment', async () => {
    const file = await plan('acme-resume', 'apply-resume');
    const failing = s3Client({ region: 'us-east-1', endpoint: moto.endpoint, maxAttempts: 1 });
    let puts = 0;
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand' && ++puts > 5) throw new Error('connection lost');
        return next(args);
      },
      { step: 'initialize' },
    );
    const client = mwaaClient({ region: 'us-east-1', endpoint: mwaa.endpoint });
    await expect(applyPlan({ plan: readPlan(file), journal: new Journal(journalPath(file)), s3: failing, mwaa: client, wait: true, pollMs: 10, progress: () => {} })).rejects.toThrow('connection lost');
    failing.destroy();
    client.destroy();
    expect(readFileSync(journalPath(file), 'utf8')).toMatch(/put-object/);
    expect(creates('acme-resume')).toHaveLength(0);

    const r = await apply(file);
    expect(r.code).toBe(0);
    await expectPlannedOnce(file, 'apply-resume');
    expect(creates('acme-resume')).toHaveLength(1);
  });

  it('re-runs an unchanged home with one listing: no HeadObject or PutObject for DAG objects, no journal line twice', async () => {
    expect((await apply(await plan('acme-rerun', 'apply-rerun'))).code).toBe(0);
    const file = await plan('acme-rerun', 'apply-rerun');
    const keys = putKeys(readPlan(file));
    const counting = s3Client({ region: 'us-east-1', endpoint: moto.endpoint });
    const sent: { command: string; key?: string }[] = [];
    counting.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ command: context.commandName, key: (args.input as { Key?: string }).Key });
        return next(args);
      },
      { step: 'initialize' },
    );
    const client = mwaaClient({ region: 'us-east-1', endpoint: mwaa.endpoint });
    const once = () => applyPlan({ plan: readPlan(file), journal: new Journal(journalPath(file)), s3: counting, mwaa: client, wait: true, pollMs: 10, progress: () => {} });
    try {
      const result = await once();
      expect(result).toMatchObject({ environment: 'unchanged', uploaded: 0, reused: keys.length });
      expect(sent.filter((r) => r.command === 'PutObjectCommand')).toEqual([]);
      // Only the pinned objects, whose version a listing does not give.
      expect(sent.filter((r) => r.command === 'HeadObjectCommand').map((r) => r.key).sort()).toEqual(['plugins.zip', 'requirements.txt', 'startup.sh']);
      expect(sent.filter((r) => r.command === 'ListObjectsV2Command').length).toBeGreaterThan(0);
      const lines = () => readFileSync(journalPath(file), 'utf8').trim().split('\n');
      const journaled = lines().map((l) => JSON.parse(l) as { step: string; key?: string; versionId?: string });
      expect(journaled.filter((e) => e.step === 'put-object').map((e) => e.key).sort()).toEqual([...keys].sort());
      expect(journaled.filter((e) => e.key === 'plugins.zip' || e.key === 'requirements.txt').every((e) => e.versionId && e.versionId !== 'null')).toBe(true);
      // The same plan again: everything is already journaled.
      const before = lines();
      await once();
      expect(lines()).toEqual(before);
    } finally {
      counting.destroy();
      client.destroy();
    }
  });

  it('resumes a --no-wait run by waiting, without creating again', async () => {
    const file = await plan('acme-nowait', 'apply-nowait');
    const first = await apply(file, '--no-wait');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/CREATING[\s\S]*run apply again/);
    const second = await apply(file);
    expect(second.stdout).toMatch(/acme-nowait: AVAILABLE/);
    expect(creates('acme-nowait')).toHaveLength(1);
  });

  it('touches nothing outside the owned prefix, and deletes under it only what the plan says', async () => {
    const seeded = await seedBucket(moto.endpoint, 'apply-seeded', [['other-team/x.py', 'not ours'], ['dagsx/y.py', 'not ours either'], ['dags/retired.py', 'gone from the home']]);
    const file = await plan('acme-seeded', 'apply-seeded', { extra: ['--delete'] });
    expect((await apply(file)).code).toBe(0);
    const held = await versions('apply-seeded');
    expect(held.get('other-team/x.py')).toEqual({ versions: [seeded['other-team/x.py']], deleted: 0 });
    expect(held.get('dagsx/y.py')).toEqual({ versions: [seeded['dagsx/y.py']], deleted: 0 });
    expect(held.get('dags/retired.py')).toEqual({ versions: [seeded['dags/retired.py']], deleted: 1 });
  });

  it('does not delete again what a killed run deleted before journaling it (no second delete marker)', async () => {
    await seedBucket(moto.endpoint, 'apply-redelete', [['dags/retired.py', 'gone from the home']]);
    const file = await plan('acme-redelete', 'apply-redelete', { extra: ['--delete'] });
    expect((await apply(file)).code).toBe(0);
    // The kill: the delete happened, its journal line did not.
    const kept = readFileSync(journalPath(file), 'utf8').split('\n').filter((l) => !l.includes('"delete-object"'));
    writeFileSync(journalPath(file), kept.join('\n'));
    expect((await apply(file)).code).toBe(0);
    expect((await versions('apply-redelete')).get('dags/retired.py')?.deleted).toBe(1);
    expect(readFileSync(journalPath(file), 'utf8')).toContain('"delete-object"');
  });

  it("does not trust a journal another run left under the plan's name (its bucket is not this one)", async () => {
    const file = await plan('acme-otherrun', 'apply-otherrun');
    // Left by a run against another endpoint: it says the bucket exists and the DAGs are in place.
    writeFileSync(journalPath(file), [{ step: 'run', identity: 'another-endpoint' }, ...['ensure-bucket', 'enable-versioning', 'block-public-access'].map((step) => ({ step, bucket: 'apply-otherrun' }))].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const r = await apply(file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/left by another plan or AWS endpoint: kept as .*other-run, not trusted/);
    await expectPlannedOnce(file, 'apply-otherrun');
  });

  it('names the endpoint that does not answer, in one line', async () => {
    const file = await plan('acme-refused', 'apply-refused');
    const r = await run(['apply', file, '--endpoint-url', 'http://127.0.0.1:9', '--allow-errors']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^mwaa-migrate: apply stopped: no answer from http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED, after every retry\) \(fix the cause and run apply again to resume\)$/);
  });

  it('makes the bucket again when it was deleted since the journal said it was made', async () => {
    const file = await plan('acme-gone', 'apply-gone');
    expect((await apply(file)).code).toBe(0);
    const held = await versions('apply-gone');
    await s3.send(new DeleteObjectsCommand({ Bucket: 'apply-gone', Delete: { Objects: [...held].flatMap(([Key, v]) => v.versions.map((VersionId) => ({ Key, VersionId }))) } }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'apply-gone' }));
    const r = await apply(file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/bucket apply-gone: the journal says it was created, but it is gone; creating it again/);
    await expectPlannedOnce(file, 'apply-gone');
  });

  it('lets one of two concurrent applies of a plan proceed: every object once, one CreateEnvironment', async () => {
    const file = await plan('acme-twice', 'apply-twice');
    const [a, b] = await Promise.all([apply(file), apply(file)]);
    const refused = [a, b].filter((r) => r.code === 2);
    expect([a, b].filter((r) => r.code === 0)).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.stderr).toMatch(/is being applied by process \d+ on .+ since \d{4}-.*\(lock .*\.lock\)/);
    await expectPlannedOnce(file, 'apply-twice');
    expect(creates('acme-twice')).toHaveLength(1);
    // The lock went with the run; one a dead process left is taken over.
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    expect((await apply(file)).code).toBe(0);
    expect(readdirSync(join(file, '..')).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('sends AWS no path of the machine running it (MWAA requests, object keys)', async () => {
    const file = await plan('acme-paths', 'apply-paths');
    expect((await apply(file)).code).toBe(0);
    const local = [HOME, out, ROOT, homedir(), tmpdir()].filter((p) => p.length > 1);
    const sent = mwaa.requests.filter((r) => r.body.includes('acme-paths') || r.path.includes('acme-paths')).map((r) => `${r.path} ${r.body}`);
    expect(sent.length).toBeGreaterThan(0);
    const keys = [...(await versions('apply-paths')).keys()];
    for (const text of [...sent, ...keys]) for (const p of local) expect(text.includes(p), `${p} in ${text.slice(0, 200)}`).toBe(false);
  });

  it('refuses a hand-widened delete outside the prefix', async () => {
    const file = await plan('acme-widened', 'apply-widened');
    const p = readPlan(file);
    p.actions.splice(3, 0, { kind: 'delete-object', key: 'other-team/x.py', size: 1, change: 'delete' });
    writeFileSync(file, JSON.stringify(p));
    const r = await apply(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to delete other-team\/x.py: outside the owned prefix dags\//);
    expect(creates('acme-widened')).toHaveLength(0);
  });

  it('refuses a stale plan before touching AWS', async () => {
    const home = join(out, 'stale-home');
    cpSync(HOME, home, { recursive: true });
    const file = await plan('acme-stale', 'apply-stale', { home });
    writeFileSync(join(home, 'dags', 'sftp_exports.py'), '# changed after the plan\n', { flag: 'a' });
    const seen = mwaa.requests.length;
    const r = await apply(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plan is stale: .*sftp_exports\.py/);
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'apply-stale' }))).rejects.toThrow();
    expect(mwaa.requests.length).toBe(seen);
  });

  it('exits 1 with the reason on one line when creation fails', async () => {
    const r = await apply(await plan('acme-broken', 'apply-broken'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^INCORRECT_CONFIGURATION: The subnets have no route to S3$/m);
  });

  it('retries CreateEnvironment while the execution role propagates', async () => {
    const file = await plan('acme-role', 'apply-role');
    const client = mwaaClient({ region: 'us-east-1', endpoint: mwaa.endpoint });
    let refused = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'CreateEnvironmentCommand' && refused++ < 2) throw new ValidationException({ message: 'Unable to assume role arn:aws:iam::123456789012:role/mwaa-exec', $metadata: {} });
        return next(args);
      },
      { step: 'initialize' },
    );
    const lines: string[] = [];
    const s3c = s3Client({ region: 'us-east-1', endpoint: moto.endpoint });
    const result = await applyPlan({ plan: readPlan(file), journal: new Journal(journalPath(file)), s3: s3c, mwaa: client, wait: true, pollMs: 10, roleRetryMs: 1, progress: (l) => lines.push(l) });
    s3c.destroy();
    client.destroy();
    expect(result.status).toBe('AVAILABLE');
    expect(lines.filter((l) => /role is not usable yet/.test(l))).toHaveLength(2);
  });

  it('completes through 10% injected MWAA faults (the SDK retries)', async () => {
    let seed = 7;
    // A fixed pseudo-random sequence: the same faults on every run.
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const file = await plan('acme-faults', 'apply-faults');
    const seen = mwaa.requests.length;
    mwaa.injectFaults({ rate: 0.1, faults: ['throttle', 'internal', 'drop'], random });
    try {
      const r = await apply(file, '--poll-seconds', '0.01');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/acme-faults: AVAILABLE/);
    } finally {
      mwaa.injectFaults();
    }
    expect(creates('acme-faults')).toHaveLength(1);
    expect(mwaa.requests.slice(seen).some((q) => q.status !== 200)).toBe(true);
  });

  it('never lets a secret out: output, journals, MWAA requests', () => {
    const journals = readdirSync(out).filter((f) => f.endsWith('.journal.jsonl')).map((f) => readFileSync(join(out, f), 'utf8'));
    expect(journals.length).toBeGreaterThan(5);
    expect(leakedCanaries([log.printed, ...journals, ...mwaa.requests.map((r) => r.path + r.body)].join('\n'))).toEqual([]);
  });
});
