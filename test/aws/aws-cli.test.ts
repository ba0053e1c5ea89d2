import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, mwaaClient } from '../../src/aws/mwaa-client.js';
import { aws } from '../support/aws-cli.js';
import { seedBucket, startMoto, type Moto } from '../support/moto.js';
import { startMwaaServer, validCreateInput, type MwaaServer } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';

// The aws CLI (botocore, with its own copy of the API model) as an independent client of the
// test servers: what they answer must parse there too, not only in the JS SDK.

const BUCKET = 'cli-bucket';
let moto: Moto;
let server: MwaaServer;

describe.skipIf(!requires(import.meta.url, 'aws CLI', 'moto_server'))('aws CLI against the test servers', () => {
  beforeAll(async () => {
    moto = await startMoto();
    await seedBucket(moto.endpoint, BUCKET, [
      ['dags/etl.py', 'from airflow import DAG\n'],
      ['requirements.txt', 'pandas==2.1.4\n'],
      ['requirements.txt', 'pandas==2.2.0\n'],
    ]);
    server = await startMwaaServer({ s3Endpoint: moto.endpoint, settleAfter: { polls: 0 } });
    const client = mwaaClient({ region: 'us-east-1', endpoint: server.endpoint });
    await client.send(createEnvironment(validCreateInput('cli-env', BUCKET, { MinWebservers: 2, MaxWebservers: 3 })));
  });
  afterAll(async () => {
    await server?.close();
    await moto?.stop();
  });

  it('aws mwaa get-environment reads the environment, members the JS SDK lacks included', async () => {
    const r = await aws('mwaa', 'get-environment', '--name', 'cli-env', '--endpoint-url', server.endpoint);
    expect(r.stderr).toBe('');
    const { Environment } = JSON.parse(r.stdout) as { Environment: Record<string, unknown> };
    expect(Environment).toMatchObject({ Name: 'cli-env', Status: 'AVAILABLE', MinWebservers: 2, MaxWebservers: 3, DagS3Path: 'dags' });
  });

  it("botocore reads the server's errors by their codes", async () => {
    const missing = await aws('mwaa', 'get-environment', '--name', 'nowhere', '--endpoint-url', server.endpoint);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('(ResourceNotFoundException) when calling the GetEnvironment operation');
    // botocore checks no maximum, so the server's model check is what rejects 9 schedulers.
    const invalid = await aws('mwaa', 'update-environment', '--name', 'cli-env', '--schedulers', '9', '--endpoint-url', server.endpoint);
    expect(invalid.stderr).toMatch(/\(ValidationException\) when calling the UpdateEnvironment operation: 1 validation error detected: .*Schedulers/);
  });

  it('aws s3api list-object-versions sees the versioned objects in moto', async () => {
    const r = await aws('s3api', 'list-object-versions', '--bucket', BUCKET, '--prefix', 'requirements.txt', '--endpoint-url', moto.endpoint);
    const { Versions } = JSON.parse(r.stdout) as { Versions: { Key: string; IsLatest: boolean }[] };
    expect(Versions.map((v) => [v.Key, v.IsLatest])).toEqual([
      ['requirements.txt', true],
      ['requirements.txt', false],
    ]);
  });
});
