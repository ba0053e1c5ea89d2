import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it } from 'vitest';
import { journalPath } from '../../src/aws/journal.js';
import type { Plan } from '../../src/plan/plan.js';
import { HOMES, inProcessCli, leakedCanaries } from '../helpers.js';
import { aws as awsCli } from '../support/aws-cli.js';
import { fakeAwsEnv } from '../support/moto.js';
import { useLoopbackAws } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';

// The connections and variables step inside plan and apply, and alone as `secrets`, with the
// preflight in the plan: fixtures/homes/airflow2's AIRFLOW_CONN_*/AIRFLOW_VAR_* (canaries) moved
// to moto's Secrets Manager, never shown.

const ready = requires(import.meta.url, 'moto_server');
const hasAwsCli = requires(import.meta.url, 'aws CLI');
const aws = useLoopbackAws();
const out = mkdtempSync(join(tmpdir(), 'secrets-step-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const HOME = join(HOMES, 'airflow2');
const ENV = join(HOME, '.env');

/** Everything the CLI printed, for the canary check. */
const log = { printed: '' };
const run = inProcessCli(() => ({ env: { ...fakeAwsEnv } }), log);

const endpoints = () => ['--region', 'us-east-1', '--endpoint-url', aws.moto.endpoint, '--mwaa-endpoint-url', aws.mwaa.endpoint];
const planArgs = (name: string, file: string, ...extra: string[]) => [
  'plan', HOME, '--env-file', ENV, '--no-cache', '--target-version', '2.10.3', '--name', name, '--bucket', `${name}-bucket`,
  '--execution-role-arn', 'arn:aws:iam::123456789012:role/mwaa-exec', '--subnet-ids', 'subnet-0a1b,subnet-2c3d', '--security-group-ids', 'sg-0a1b',
  '--secrets-env-file', ENV, ...endpoints(), '--out', file, ...extra,
];
const readPlan = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Plan;
const sm = () => new SecretsManagerClient({ region: 'us-east-1', endpoint: aws.moto.endpoint });
const secretNames = async () => ((await sm().send(new ListSecretsCommand({}))).SecretList ?? []).map((s) => s.Name!).sort();

describe.skipIf(!ready)('secrets and preflight in plan and apply', () => {
  it('plans the secrets by name and fingerprint, sets the backend, and runs the preflight', async () => {
    const file = join(out, 'plan.json');
    const r = await run(planArgs('sec-prod', file));
    expect(r.code).toBe(1);
    const plan = readPlan(file);
    expect(plan.secrets!.actions.map((a) => [a.name, a.change])).toEqual([
      ['airflow/connections/aws_default', 'create'],
      ['airflow/connections/my_postgres', 'create'],
      ['airflow/connections/partner_api', 'create'],
      ['airflow/variables/data_lake_bucket', 'create'],
      ['airflow/variables/environment', 'create'],
      ['airflow/variables/partner_api_token', 'create'],
      ['airflow/variables/report_recipients', 'create'],
    ]);
    const env = plan.actions.find((a) => a.kind === 'create-environment');
    if (env?.kind !== 'create-environment') throw new Error('no create-environment');
    expect(env.input.AirflowConfigurationOptions).toMatchObject({ 'secrets.backend': 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend' });
    expect(JSON.parse(env.input.AirflowConfigurationOptions!['secrets.backend_kwargs']!)).toMatchObject({ connections_prefix: 'airflow/connections', variables_prefix: 'airflow/variables' });
    // moto holds no such role or subnets: the preflight says so before anything is created.
    expect(plan.preflight.find((c) => c.id === 'PRE-ROLE-EXISTS')).toMatchObject({ status: 'fail' });
    expect(plan.preflight.find((c) => c.id === 'PRE-ROLE-SECRETS')).toBeDefined();

    const summary = await run(planArgs('sec-prod', join(out, 'unused.json')).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out'));
    expect(summary.stdout).toMatch(/^Secrets Manager: 3 connection\(s\) under airflow\/connections\/, 4 variable\(s\) under airflow\/variables\/ \(7 new/m);
    expect(summary.stdout).toMatch(/^\[FAIL\] PRE-ROLE-EXISTS/m);

    const refused = await run(['apply', file, ...endpoints().slice(2), '--poll-seconds', '0.01']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot be applied as it is: .*failed preflight check\(s\): .*PRE-ROLE-EXISTS/);
    expect(await secretNames()).toEqual([]);
  });

  it('apply writes the secrets before the environment, and a re-run writes none', async () => {
    const file = join(out, 'apply.json');
    await run([...planArgs('sec-apply', file), '--no-preflight']);
    const r = await run(['apply', file, ...endpoints().slice(2), '--poll-seconds', '0.01', '--allow-errors']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/secrets: 7 written, 0 already in place/);
    expect(await secretNames()).toHaveLength(7);
    const value = (await sm().send(new GetSecretValueCommand({ SecretId: 'airflow/connections/my_postgres' }))).SecretString!;
    expect(value).toMatch(/^postgres(ql)?:\/\//);
    const journal = readFileSync(journalPath(file), 'utf8');
    expect(journal.match(/"put-secret"/g)).toHaveLength(7);

    const again = join(out, 'again.json');
    await run([...planArgs('sec-apply', again), '--no-preflight']);
    expect(readPlan(again).secrets!.actions.every((a) => a.change === 'unchanged')).toBe(true);
    expect((await run(['apply', again, ...endpoints().slice(2), '--poll-seconds', '0.01', '--allow-errors'])).stderr).not.toMatch(/secrets: [1-9]/);
    log.printed += readFileSync(file, 'utf8') + readFileSync(again, 'utf8') + journal;
  });

  it.skipIf(!hasAwsCli)('leaves what an independent client (the aws CLI) reads back', async () => {
    const listed = JSON.parse((await awsCli('secretsmanager', 'list-secrets', '--endpoint-url', aws.moto.endpoint)).stdout) as { SecretList: { Name: string }[] };
    expect(listed.SecretList.map((x) => x.Name)).toEqual(expect.arrayContaining(['airflow/connections/my_postgres', 'airflow/variables/environment']));
    const env = JSON.parse((await awsCli('mwaa', 'get-environment', '--name', 'sec-apply', '--endpoint-url', aws.mwaa.endpoint)).stdout) as { Environment: { Status: string; AirflowConfigurationOptions: Record<string, string> } };
    expect(env.Environment.Status).toBe('AVAILABLE');
    expect(env.Environment.AirflowConfigurationOptions['secrets.backend']).toMatch(/SecretsManagerBackend$/);
    const versions = JSON.parse((await awsCli('s3api', 'list-object-versions', '--bucket', 'sec-apply-bucket', '--endpoint-url', aws.moto.endpoint)).stdout) as { Versions: { Key: string }[] };
    const keys = versions.Versions.map((v) => v.Key);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it('secrets alone: shows conflicts, writes only with --yes and the chosen --on-conflict', async () => {
    const connections = join(out, 'connections.json');
    writeFileSync(connections, JSON.stringify({ my_postgres: { conn_type: 'postgres', host: 'db.internal', login: 'etl', password: 'ROTATED-canary-free', port: 5432, schema: 'dw' } }));
    const args = ['secrets', HOME, '--connections-file', connections, '--region', 'us-east-1', '--endpoint-url', aws.moto.endpoint, '--journal', join(out, 'secrets.journal.jsonl')];
    const conflict = await run([...args, '--dry-run']);
    expect(conflict.code).toBe(1);
    expect(conflict.stdout).toMatch(/^  ! airflow\/connections\/my_postgres: exists with another value: not written$/m);
    expect(conflict.stdout).toMatch(/secrets\.backend = airflow\.providers\.amazon/);
    expect((await run(args)).stderr).toMatch(/pass --yes/);
    const written = await run([...args, '--on-conflict', 'overwrite', '--yes']);
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/^Secrets: 1 written, 0 already in place\.$/m);
    expect((await run([...args, '--dry-run'])).code).toBe(0);
    expect((await run(['secrets', HOME, '--region', 'us-east-1'])).stderr).toMatch(/secrets needs a source/);
  });

  it('never shows a value', () => {
    expect(log.printed).toMatch(/airflow\/connections\/my_postgres/);
    expect(leakedCanaries(log.printed)).toEqual([]);
  });
});
