import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalPath } from '../../src/aws/journal.js';
import type { Plan } from '../../src/plan/plan.js';
import { BIN, HOMES, cliAsync, inProcessCli, leakedCanaries } from '../helpers.js';
import { expectOnceEach, fakeAwsEnv, objectVersions, type Moto } from '../support/moto.js';
import { useLoopbackAws, type MwaaServer } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';

// migrate on fixtures/homes/airflow3 (which has error findings) against moto's S3 and STS and the
// loopback MWAA server: confirmation, refusal, dry run, idempotence, and a killed apply resumed.

let moto: Moto;
let mwaa: MwaaServer;
let s3: S3Client;
const out = mkdtempSync(join(tmpdir(), 'migrate-'));

const ready = requires(import.meta.url, 'moto_server');
const aws = useLoopbackAws();
beforeAll(() => ({ moto, mwaa, s3 } = aws));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const HOME = join(HOMES, 'airflow3');
const env = () => ({ ...fakeAwsEnv, AWS_ENDPOINT_URL_STS: moto.endpoint });

const migrateArgs = (name: string, bucket: string, ...extra: string[]) => [
  'migrate', HOME, '--no-cache', '--name', name, '--bucket', bucket, '--execution-role-arn', 'arn:aws:iam::123456789012:role/mwaa-exec',
  '--subnet-ids', 'subnet-0a1b,subnet-2c3d', '--security-group-ids', 'sg-0a1b', '--region', 'us-east-1',
  '--endpoint-url', moto.endpoint, '--mwaa-endpoint-url', mwaa.endpoint, '--poll-seconds', '0.01', ...extra,
];

/** Everything the CLI printed, for the canary check. */
const log = { printed: '' };
const run = inProcessCli(() => ({ env: env() }), log);

const planFile = (name: string) => join(out, `${name}.json`);
const readPlan = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Plan;
const putKeys = (p: Plan) => p.actions.flatMap((a) => (a.kind === 'put-object' ? [a.key] : []));
const creates = (name: string) => mwaa.requests.filter((r) => r.operation === 'CreateEnvironment' && r.path === `/environments/${name}`);
const noBucket = (bucket: string) => expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toThrow();

describe.skipIf(!ready)('migrate', () => {
  it('refuses while error findings remain, writing nothing', async () => {
    const r = await run([...migrateArgs('mig-errors', 'mig-errors'), '--yes', '--out', planFile('mig-errors')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\d+ error finding\(s\) in the home.*see the findings with: mwaa-migrate report .*--allow-errors/);
    expect(existsSync(planFile('mig-errors'))).toBe(false);
    await noBucket('mig-errors');
    expect(creates('mig-errors')).toHaveLength(0);
  });

  it('without --yes and no terminal (or with CI set) exits 2 naming --yes, writing nothing', async () => {
    const noTty = await run([...migrateArgs('mig-nottty', 'mig-notty'), '--allow-errors', '--out', planFile('mig-notty')]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--yes/)]);
    const ci = await run([...migrateArgs('mig-nottty', 'mig-notty'), '--allow-errors', '--out', planFile('mig-notty')], { env: { ...env(), CI: 'true' }, readLine: async () => 'mig-notty' });
    expect(ci.code).toBe(2);
    expect(ci.stderr).toMatch(/--yes/);
    await noBucket('mig-notty');
  });

  it('on a terminal, aborts with exit 1 unless the environment name is typed', async () => {
    const questions: string[] = [];
    const r = await run([...migrateArgs('mig-asked', 'mig-asked'), '--allow-errors', '--out', planFile('mig-asked')], { readLine: async (q) => (questions.push(q), 'yes') });
    expect(questions).toEqual([expect.stringMatching(/mig-asked/)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not confirmed/);
    await noBucket('mig-asked');
    expect(creates('mig-asked')).toHaveLength(0);
  });

  it('--dry-run shows the plan and the account, writes the default plan file (in the home, per environment), nothing to AWS', async () => {
    const cwd = mkdtempSync(join(out, 'cwd-'));
    const home = join(cwd, 'home');
    cpSync(HOME, home, { recursive: true });
    const r = await cliAsync([...migrateArgs('mig-dry', 'mig-dry').map((a) => (a === HOME ? home : a)), '--allow-errors', '--dry-run'], { cwd, env: env() });
    log.printed += r.stdout + r.stderr;
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^Plan: \d+ to create/m);
    expect(r.stderr).toMatch(/^mwaa-migrate: AWS account 123456789012 \(arn:aws:[^)]+\), region us-east-1$/m);
    const file = join(home, '.mwaa-migrate', 'mig-dry.plan.json');
    expect(readPlan(file).inputs.bucket).toBe('mig-dry');
    expect(existsSync(journalPath(file))).toBe(false);
    expect(readdirSync(cwd)).toEqual(['home']);
    return noBucket('mig-dry');
  });

  it('--profile takes the credentials from that profile; an unknown one is named', async () => {
    const credentials = join(out, 'credentials');
    writeFileSync(credentials, '[mig]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const args = [...migrateArgs('mig-profile', 'mig-profile'), '--allow-errors', '--dry-run', '--out', planFile('mig-profile')];
    expect((await cliAsync([...args, '--profile', 'mig'], { env: { ...env(), AWS_SHARED_CREDENTIALS_FILE: credentials } })).stderr).toMatch(/AWS account 123456789012/);
    const missing = await cliAsync([...args, '--profile', 'nosuch'], { env: { ...env(), AWS_SHARED_CREDENTIALS_FILE: credentials } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^mwaa-migrate: --profile nosuch: no such profile in .* \(known: mig\)$/m);
  });

  it('--yes creates the environment as planned, and a second run changes nothing', async () => {
    const file = planFile('mig-prod');
    const r = await run([...migrateArgs('mig-prod', 'mig-prod'), '--allow-errors', '--yes', '--out', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\+ environment mig-prod: create$/m);
    expect(r.stdout).toMatch(/Environment mig-prod: AVAILABLE \(created\)\./);
    // The account line comes before the first write.
    expect(r.stderr).toMatch(/AWS account 123456789012 .*region us-east-1\n[\s\S]*bucket mig-prod: created/);

    const plan = readPlan(file);
    const env = plan.actions.find((a) => a.kind === 'create-environment');
    if (env?.kind !== 'create-environment') throw new Error('no create-environment');
    const { Name, ...input } = env.input;
    expect(Name).toBe('mig-prod');
    const sent = creates('mig-prod');
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.body)).toEqual({
      ...input,
      ...(input.PluginsS3Path ? { PluginsS3ObjectVersion: expect.any(String) } : {}),
      ...(input.RequirementsS3Path ? { RequirementsS3ObjectVersion: expect.any(String) } : {}),
    });
    await expectOnceEach(s3, 'mig-prod', putKeys(plan));

    const before = await objectVersions(s3, 'mig-prod');
    const again = await run([...migrateArgs('mig-prod', 'mig-prod'), '--allow-errors', '--yes', '--out', file]);
    expect(again.code).toBe(0);
    // The plan reads the environment: it exists as planned, so nothing is left to do.
    expect(again.stdout).toMatch(/^  environment mig-prod: exists \(AVAILABLE\), settings as planned$/m);
    expect(again.stdout).toMatch(/^Plan: 0 to create, 0 to update, 0 to delete/m);
    expect(again.stderr).toMatch(/\(0 uploaded\)/);
    expect(await objectVersions(s3, 'mig-prod')).toEqual(before);
    expect(creates('mig-prod')).toHaveLength(1);
  });

  // Where the kill lands: the journal (or the MWAA request log) says when that point is reached.
  const killPoints: [string, (journal: string, name: string) => boolean][] = [
    ['during the bucket steps', (j) => j.includes('"ensure-bucket"')],
    ['during the uploads', (j) => (j.match(/"put-object"/g) ?? []).length >= 3],
    ['with CreateEnvironment in flight', (_j, name) => mwaa.requests.some((q) => q.method === 'PUT' && q.path === `/environments/${name}`)],
    ['while waiting for the environment', (j) => j.includes('"create-environment"')],
  ];

  it.each(killPoints)('resumes an apply killed with SIGKILL %s: every object once at the planned version, one CreateEnvironment', async (_point, reached) => {
    const name = `mig-killed-${killPoints.findIndex(([, r]) => r === reached)}`;
    const file = planFile(name);
    const made = await run([...migrateArgs(name, name), '--allow-errors', '--dry-run', '--out', file]);
    expect(made.code).toBe(3);
    // Slow MWAA answers keep the run at each point long enough to be killed there.
    const slowMs = 1500;
    mwaa.injectFaults({ rate: 1, faults: [{ slowMs }] });
    const journal = journalPath(file);
    const text = () => (existsSync(journal) ? readFileSync(journal, 'utf8') : '');
    let stderr = '';
    const child = spawn(process.execPath, ['--', BIN, 'apply', file, '--endpoint-url', moto.endpoint, '--mwaa-endpoint-url', mwaa.endpoint, '--poll-seconds', '0.01', '--allow-errors'], {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], NO_COLOR: '1', ...env() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      for (const deadline = Date.now() + 30_000; !reached(text(), name); await sleep(2)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`apply never reached the kill point:\n${stderr}`);
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      // Let any request the killed run had sent land before the re-run looks.
      await sleep(slowMs * 2);
      mwaa.injectFaults();
    }
    log.printed += stderr;
    const r = await run(['apply', file, '--endpoint-url', moto.endpoint, '--mwaa-endpoint-url', mwaa.endpoint, '--poll-seconds', '0.01', '--allow-errors']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Environment ${name}: AVAILABLE`));
    await expectOnceEach(s3, name, putKeys(readPlan(file)));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: name }));
    const etags = new Map((listed.Contents ?? []).map((o) => [o.Key!, o.ETag!.replace(/"/g, '')]));
    for (const a of readPlan(file).actions) if (a.kind === 'put-object') expect([a.key, etags.get(a.key)]).toEqual([a.key, a.md5]);
    expect(creates(name).filter((q) => q.status === 200)).toHaveLength(1);
    expect(creates(name)).toHaveLength(1);
  });

  it('never lets a secret out: output, plans, journals, MWAA requests', () => {
    const files = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'));
    expect(files.length).toBeGreaterThan(3);
    const texts = files.map((f) => readFileSync(join(out, f), 'utf8'));
    expect(leakedCanaries([log.printed, ...texts, ...mwaa.requests.map((q) => q.path + q.body)].join('\n'))).toEqual([]);
  });
});
