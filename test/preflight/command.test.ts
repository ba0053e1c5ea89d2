import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PreflightCheck } from '../../src/aws/preflight-text.js';
import { HOMES, inProcessCli } from '../helpers.js';
import { fakeAwsEnv } from '../support/moto.js';
import { useLoopbackAws } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';

// `mwaa-migrate preflight`: plan's read-only checks alone, with plan's flags, against moto (no
// role, no network made) and the loopback MWAA server. It names what fails and writes nothing.

const ready = requires(import.meta.url, 'moto_server');
const aws = useLoopbackAws();
const run = inProcessCli(() => ({ env: { ...fakeAwsEnv } }), { printed: '' });

const flags = () => [
  join(HOMES, 'airflow2'), '--no-cache', '--target-version', '2.10.3', '--name', 'acme-pre', '--bucket', 'preflight-cmd',
  '--execution-role-arn', 'arn:aws:iam::123456789012:role/missing', '--subnet-ids', 'subnet-0a1b,subnet-2c3d', '--security-group-ids', 'sg-0a1b',
  '--region', 'us-east-1', '--endpoint-url', aws.moto.endpoint, '--mwaa-endpoint-url', aws.mwaa.endpoint,
];

describe.skipIf(!ready)('preflight command', () => {
  it('runs the checks alone, exits 1 on a failing one, and creates nothing', async () => {
    const text = await run(['preflight', ...flags()]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^\[FAIL\] PRE-ROLE-EXISTS/m);
    expect(text.stdout).toMatch(/^Preflight: [1-9]\d* failing/m);
    expect(text.stdout).not.toMatch(/Plan:/);

    const json = await run(['preflight', ...flags(), '--json']);
    expect(json.code).toBe(1);
    const checks = JSON.parse(json.stdout) as PreflightCheck[];
    expect(checks.find((c) => c.id === 'PRE-ROLE-EXISTS')).toMatchObject({ area: 'role', status: 'fail' });
    expect(checks.find((c) => c.id === 'PRE-BUCKET-EXISTS')?.status).not.toBe('fail');
    await expect(aws.s3.send(new HeadBucketCommand({ Bucket: 'preflight-cmd' }))).rejects.toThrow();
    expect(aws.mwaa.requests.filter((r) => r.operation !== 'GetEnvironment')).toEqual([]);
  });

  it('takes plan\'s flags but not --out: what it finds is printed, never written', async () => {
    const r = await run(['preflight', ...flags(), '--out', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --out .*see mwaa-migrate preflight --help/);
  });
});
