import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { scanHome } from '../../src/home/scan.js';
import type { CreateEnvironmentInput, Plan } from '../../src/plan/plan.js';
import { HOMES, inProcessCli, leakedCanaries } from '../helpers.js';
import { fakeAwsEnv } from '../support/moto.js';
import { useLoopbackAws } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';

// The canary home (fixtures/homes/airflow2), as on a host that read its secrets from HashiCorp
// Vault: the plan never sends that backend, and migrate --env-file moves the env file's
// connections and variables to Secrets Manager (their values nowhere else) and reads them there.

const ready = requires(import.meta.url, 'moto_server');
const aws = useLoopbackAws();
const out = mkdtempSync(join(tmpdir(), 'env-secrets-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const HOME = join(out, 'airflow2');
const ENV = join(HOME, '.env');
const VAULT = 'airflow.providers.hashicorp.secrets.vault.VaultBackend';
beforeAll(() => {
  cpSync(join(HOMES, 'airflow2'), HOME, { recursive: true });
  appendFileSync(ENV, `\nAIRFLOW__SECRETS__BACKEND=${VAULT}\nAIRFLOW__SECRETS__BACKEND_KWARGS={"url": "http://vault.internal:8200", "token": "CANARY_A2_VAULT_TOKEN_5b1f0c2e"}\n`);
});

const log = { printed: '' };
const run = inProcessCli(() => ({ env: { ...fakeAwsEnv, AWS_ENDPOINT_URL_STS: aws.moto.endpoint } }), log);
const args = (command: string, name: string, ...extra: string[]) => [
  command, HOME, '--env-file', ENV, '--no-cache', '--target-version', '2.10.3', '--name', name, '--bucket', `${name}-bucket`,
  '--execution-role-arn', 'arn:aws:iam::123456789012:role/mwaa-exec', '--subnet-ids', 'subnet-0a1b,subnet-2c3d', '--security-group-ids', 'sg-0a1b',
  '--region', 'us-east-1', '--endpoint-url', aws.moto.endpoint, '--mwaa-endpoint-url', aws.mwaa.endpoint, '--no-preflight', '--out', join(out, `${name}.json`), ...extra,
];
const readPlan = (name: string) => JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8')) as Plan;
const options = (plan: Plan): Record<string, string> => {
  const env = plan.actions.find((a) => a.kind === 'create-environment' || a.kind === 'update-environment');
  const input: CreateEnvironmentInput | undefined = env?.kind === 'create-environment' ? env.input : env?.kind === 'update-environment' ? env.desired : undefined;
  return input?.AirflowConfigurationOptions ?? {};
};

describe.skipIf(!ready)('a secrets backend MWAA cannot use, and migrate --env-file', () => {
  it('plan without moving secrets sends no backend, says what the environment will lack, and SEC009 reports it', async () => {
    const r = await run(args('plan', 'vault-plan'));
    expect(r.code).not.toBe(2);
    const plan = readPlan('vault-plan');
    expect(plan.secrets).toBeNull();
    expect(Object.keys(options(plan)).filter((k) => k.includes('secrets'))).toEqual([]);
    expect(plan.notes).toContainEqual(expect.stringMatching(/VaultBackend: MWAA cannot use it .*environment will have none of those it served/));
    const inv = await scanHome(HOME, { cache: false, workers: 0, envFile: ENV });
    const sec009 = check(inv, loadCatalog(), { target: '2.10.3', select: ['SEC009'] }).findings;
    expect(sec009.map((f) => `${f.file}:${f.text}`)).toEqual(['.env:[secrets] backend']);
  });

  it('migrate moves the env file\'s connections and variables and reads them through Secrets Manager', async () => {
    const r = await run(args('migrate', 'vault-mig', '--yes', '--allow-errors', '--poll-seconds', '0.01'));
    expect(r.code).toBe(0);
    const plan = readPlan('vault-mig');
    expect(plan.secrets?.sources).toEqual([{ kind: 'env-file', file: ENV }]);
    expect(plan.secrets?.actions.map((a) => a.name)).toContain('airflow/connections/my_postgres');
    expect(options(plan)['secrets.backend']).toBe('airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend');
    const created = aws.mwaa.requests.filter((q) => q.operation === 'CreateEnvironment' && q.path === '/environments/vault-mig');
    expect(created).toHaveLength(1);
    expect(created[0]!.body).not.toContain('VaultBackend');
    const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: aws.moto.endpoint });
    const pg = await sm.send(new GetSecretValueCommand({ SecretId: 'airflow/connections/my_postgres' }));
    expect(pg.SecretString).toContain('CANARY_A2_CONN_PG_PASS_313145b8');
  });

  it('--no-env-secrets leaves them where they are', async () => {
    const r = await run(args('migrate', 'vault-none', '--dry-run', '--allow-errors', '--no-env-secrets'));
    expect(r.code).toBe(3);
    expect(readPlan('vault-none').secrets).toBeNull();
  });

  it('no secret value leaves Secrets Manager: output, plans, journals, MWAA requests', () => {
    const files = readdirSync(out).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'));
    const texts = files.map((f) => readFileSync(join(out, f), 'utf8'));
    expect(leakedCanaries([log.printed, ...texts, ...aws.mwaa.requests.map((q) => q.path + q.body)].join('\n'))).toEqual([]);
  });
});
