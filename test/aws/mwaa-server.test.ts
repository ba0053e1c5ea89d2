import {
  DeleteEnvironmentCommand,
  GetEnvironmentCommand,
  ListEnvironmentsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  type MWAAClient,
} from '@aws-sdk/client-mwaa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, mwaaClient, updateEnvironment } from '../../src/aws/mwaa-client.js';
import { seedBucket, startMoto, type Moto } from '../support/moto.js';
import { startMwaaServer, validCreateInput, type MwaaServer, type MwaaServerOptions } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';

// The loopback MWAA server through the real SDK client: lifecycle, validation, S3 checks, faults.

const BUCKET = 'airflow-home';
let moto: Moto;
let versions: Record<string, string>;
const servers: MwaaServer[] = [];

const ready = requires(import.meta.url, 'moto_server');

beforeAll(async () => {
  // Only the startMoto tests run without moto_server, and they start none.
  if (!ready) return;
  moto = await startMoto();
  versions = await seedBucket(moto.endpoint, BUCKET, [
    ['dags/etl.py', 'from airflow import DAG\n'],
    ['plugins.zip', 'PK'],
    ['requirements.txt', 'pandas==2.1.4\n'],
    ['requirements.txt', 'pandas==2.2.0\n'],
  ]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await moto?.stop();
});

async function serve(options: MwaaServerOptions = {}): Promise<{ server: MwaaServer; client: MWAAClient }> {
  const server = await startMwaaServer({ s3Endpoint: moto.endpoint, ...options });
  servers.push(server);
  return { server, client: mwaaClient({ region: 'us-east-1', endpoint: server.endpoint }) };
}

const status = async (client: MWAAClient, name: string) => (await client.send(new GetEnvironmentCommand({ Name: name }))).Environment?.Status;

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable('the call succeeded'),
    (e: { name: string; message: string; $metadata: { httpStatusCode?: number; attempts?: number } }) => e,
  );

describe.skipIf(!ready)('environment lifecycle', () => {
  it('creates, polls to AVAILABLE, tags, updates, lists and deletes', async () => {
    const { client, server } = await serve({ settleAfter: { polls: 2 } });
    const input = validCreateInput('etl', BUCKET, {
      PluginsS3Path: 'plugins.zip',
      PluginsS3ObjectVersion: versions['plugins.zip'],
      RequirementsS3Path: 'requirements.txt',
      RequirementsS3ObjectVersion: versions['requirements.txt'],
    });
    const { Arn } = await client.send(createEnvironment(input));
    expect(Arn).toBe('arn:aws:airflow:us-east-1:123456789012:environment/etl');
    expect([await status(client, 'etl'), await status(client, 'etl'), await status(client, 'etl')]).toEqual(['CREATING', 'CREATING', 'AVAILABLE']);

    await client.send(new TagResourceCommand({ ResourceArn: Arn, Tags: { team: 'data' } }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: Arn }))).Tags).toEqual({ team: 'data' });

    await client.send(updateEnvironment({ Name: 'etl', MaxWorkers: 4, NetworkConfiguration: { SecurityGroupIds: ['sg-0c'] } }));
    const updating = (await client.send(new GetEnvironmentCommand({ Name: 'etl' }))).Environment!;
    expect(updating.Status).toBe('UPDATING');
    expect(updating.LastUpdate?.Status).toBe('PENDING');
    expect(updating.NetworkConfiguration).toEqual({ SubnetIds: ['subnet-0a', 'subnet-0b'], SecurityGroupIds: ['sg-0c'] });
    await status(client, 'etl');
    const updated = (await client.send(new GetEnvironmentCommand({ Name: 'etl' }))).Environment!;
    expect([updated.Status, updated.LastUpdate?.Status, updated.MaxWorkers]).toEqual(['AVAILABLE', 'SUCCESS', 4]);

    expect((await client.send(new ListEnvironmentsCommand({}))).Environments).toEqual(['etl']);
    await client.send(new DeleteEnvironmentCommand({ Name: 'etl' }));
    expect(await status(client, 'etl')).toBe('DELETING');
    await status(client, 'etl');
    const gone = await rejection(status(client, 'etl'));
    expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 404]);
    expect(server.requests.map((r) => `${r.method} ${r.operation} ${r.status}`)).toContain('DELETE DeleteEnvironment 200');
  });

  it('settles after a delay when configured in milliseconds', async () => {
    const { client } = await serve({ settleAfter: { ms: 600 } });
    await client.send(createEnvironment(validCreateInput('timed', BUCKET)));
    expect(await status(client, 'timed')).toBe('CREATING');
    await new Promise((r) => setTimeout(r, 650));
    expect(await status(client, 'timed')).toBe('AVAILABLE');
  });

  it('fails creation with LastUpdate.Error when configured, and refuses to update it', async () => {
    const error = { ErrorCode: 'INCORRECT_CONFIGURATION', ErrorMessage: 'You may need to check the execution role permissions policy.' };
    const { client } = await serve({ settleAfter: { polls: 0 }, createFailures: { broken: error } });
    await client.send(createEnvironment(validCreateInput('broken', BUCKET)));
    const env = (await client.send(new GetEnvironmentCommand({ Name: 'broken' }))).Environment!;
    expect([env.Status, env.LastUpdate?.Status, env.LastUpdate?.Error]).toEqual(['CREATE_FAILED', 'FAILED', error]);
    const refused = await rejection(client.send(updateEnvironment({ Name: 'broken', MaxWorkers: 2 })));
    expect([refused.name, refused.message]).toEqual(['ValidationException', 'Environments with CREATE_FAILED status cannot be updated']);
  });

  it('waits in PENDING when the customer manages the VPC endpoints', async () => {
    const { client } = await serve({ settleAfter: { polls: 0 } });
    await client.send(createEnvironment(validCreateInput('private', BUCKET, { EndpointManagement: 'CUSTOMER' })));
    expect(await status(client, 'private')).toBe('PENDING');
  });

  it('answers ConflictException for a name that exists', async () => {
    const { client } = await serve();
    await client.send(createEnvironment(validCreateInput('twice', BUCKET)));
    const conflict = await rejection(client.send(createEnvironment(validCreateInput('twice', BUCKET))));
    expect([conflict.name, conflict.$metadata.httpStatusCode]).toEqual(['ConflictException', 409]);
  });
});

describe.skipIf(!ready)('validation', () => {
  it('answers ValidationException for input outside the model, naming every violation', async () => {
    const { client, server } = await serve();
    const bad = validCreateInput('bad', BUCKET, { Schedulers: 9, WeeklyMaintenanceWindowStart: 'TUE:03:15', NetworkConfiguration: { SecurityGroupIds: [] } });
    const e = await rejection(client.send(createEnvironment(bad)));
    expect([e.name, e.$metadata.httpStatusCode]).toEqual(['ValidationException', 400]);
    expect(e.message).toMatch(/^3 validation errors detected: /);
    expect(e.message).toContain("Value at 'CreateEnvironmentInput.Schedulers' failed to satisfy constraint: Member must have value less than or equal to 5");
    expect(e.message).toContain('WeeklyMaintenanceWindowStart');
    expect(e.message).toContain('NetworkConfiguration.SecurityGroupIds');
    expect(server.requests.at(-1)).toMatchObject({ method: 'PUT', path: '/environments/bad', operation: 'CreateEnvironment', status: 400 });
  });

  it('validates path parameters', async () => {
    const { client } = await serve();
    const e = await rejection(client.send(new GetEnvironmentCommand({ Name: 'n'.repeat(81) })));
    expect(e.message).toContain("'GetEnvironmentInput.Name'");
  });

  it('checks that the S3 objects exist, versions included', async () => {
    const { client } = await serve();
    const input = validCreateInput('s3check', BUCKET, {
      DagS3Path: 'no-dags-here',
      RequirementsS3Path: 'requirements.txt',
      RequirementsS3ObjectVersion: 'not-a-version',
    });
    const e = await rejection(client.send(createEnvironment(input)));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toBe(`Unable to read s3://${BUCKET}/no-dags-here, s3://${BUCKET}/requirements.txt (version not-a-version)`);
  });
});

describe.skipIf(!ready)('fault injection', () => {
  let server: MwaaServer;
  let client: MWAAClient;
  beforeAll(async () => {
    ({ server, client } = await serve({ settleAfter: { polls: 0 } }));
    await client.send(createEnvironment(validCreateInput('faulty', BUCKET)));
  });
  afterEach(() => server.injectFaults());

  it('throttling and dropped connections are retried by the SDK', async () => {
    server.injectFaults({ sequence: ['throttle', 'drop'] });
    const before = server.requests.length;
    const { Environment, $metadata } = await client.send(new GetEnvironmentCommand({ Name: 'faulty' }));
    expect([Environment?.Status, $metadata.attempts]).toEqual(['AVAILABLE', 3]);
    expect(server.requests.slice(before).map((r) => r.status)).toEqual([429, 0, 200]);
  });

  it('internal errors past the retry budget reach the caller', async () => {
    server.injectFaults({ sequence: ['internal', 'internal', 'internal'] });
    const e = await rejection(client.send(new GetEnvironmentCommand({ Name: 'faulty' })));
    expect([e.name, e.$metadata.httpStatusCode, e.$metadata.attempts]).toEqual(['InternalServerException', 500, 3]);
  });

  it('slow responses are delayed', async () => {
    server.injectFaults({ sequence: [{ slowMs: 250 }] });
    const start = Date.now();
    await client.send(new GetEnvironmentCommand({ Name: 'faulty' }));
    expect(Date.now() - start).toBeGreaterThanOrEqual(240);
  });

  it('injects at a rate, drawn from the given random source', async () => {
    const draws = [0.1, 0.9, 0.9];
    server.injectFaults({ rate: 0.5, faults: ['throttle'], random: () => draws.shift() ?? 1 });
    const { $metadata } = await client.send(new GetEnvironmentCommand({ Name: 'faulty' }));
    expect($metadata.attempts).toBe(2);
    expect(server.requests.at(-2)?.status).toBe(429);
  });
});

describe('startMoto', () => {
  it('names the missing binary when moto_server is not installed', async () => {
    const path = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      await expect(startMoto()).rejects.toThrow(/^moto_server is not installed \(not on PATH\)/);
    } finally {
      process.env['PATH'] = path;
    }
  });
});
