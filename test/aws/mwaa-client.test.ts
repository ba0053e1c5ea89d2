import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetEnvironmentCommand, MWAAClient } from '@aws-sdk/client-mwaa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, mwaaClient, updateEnvironment } from '../../src/aws/mwaa-client.js';
import { ROOT } from '../helpers.js';
import { useFakeAwsEnv } from '../support/moto.js';
import { requires, SHARED_REFERENCE } from '../support/requires.js';
import { startMwaaServer, validCreateInput, type MwaaServer } from '../support/mwaa-server.js';

// The client factory: host prefix, and the members @aws-sdk/client-mwaa 3.523.0 drops.

const gapFile = join(ROOT, 'rules', 'data', 'mwaa-api-gap.json');
let server: MwaaServer;

beforeAll(async () => {
  useFakeAwsEnv();
  // No S3 endpoint: these tests are about what the client sends.
  server = await startMwaaServer({ settleAfter: { polls: 0 } });
});
afterAll(() => server.close());

const lastBody = (operation: string) => JSON.parse(server.requests.findLast((r) => r.operation === operation)!.body) as Record<string, unknown>;

describe('mwaaClient', () => {
  it("keeps the SDK's api. host prefix for AWS's own endpoint", async () => {
    const client = mwaaClient({ region: 'us-east-1' });
    let host = '';
    const stop = new Error('not sent');
    client.middlewareStack.add(
      () => async (args) => {
        host = (args.request as { hostname: string }).hostname;
        throw stop;
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
    await expect(client.send(new GetEnvironmentCommand({ Name: 'x' }))).rejects.toBe(stop);
    expect(host).toBe('api.airflow.us-east-1.amazonaws.com');
  });

  it('reaches a custom endpoint without the prefix', async () => {
    const client = mwaaClient({ region: 'us-east-1', endpoint: server.endpoint });
    await client.send(createEnvironment(validCreateInput('plain', 'bucket')));
    expect((await client.send(new GetEnvironmentCommand({ Name: 'plain' }))).Environment?.Status).toBe('AVAILABLE');
  });
});

describe('SDK gap', () => {
  const scaling = { MinWebservers: 2, MaxWebservers: 4, WebserverAccessMode: 'PUBLIC_AND_PRIVATE' } as const;

  it('the plain SDK client silently drops MinWebservers and MaxWebservers', async () => {
    const plain = new MWAAClient({ region: 'us-east-1', endpoint: server.endpoint, disableHostPrefix: true });
    await plain.send(createEnvironment(validCreateInput('sdk-only', 'bucket', scaling)));
    const body = lastBody('CreateEnvironment');
    expect(body).not.toHaveProperty('MinWebservers');
    expect(body).not.toHaveProperty('MaxWebservers');
    // An enum value the SDK does not list is only a string to it, so it goes through.
    expect(body['WebserverAccessMode']).toBe('PUBLIC_AND_PRIVATE');
  });

  it('mwaaClient puts the dropped CreateEnvironment and UpdateEnvironment members back', async () => {
    const client = mwaaClient({ region: 'us-east-1', endpoint: server.endpoint });
    await client.send(createEnvironment(validCreateInput('scaled', 'bucket', scaling)));
    expect(lastBody('CreateEnvironment')).toMatchObject(scaling);
    expect(server.requests.at(-1)?.status).toBe(200); // and the server's model check accepted them

    await client.send(new GetEnvironmentCommand({ Name: 'scaled' }));
    await client.send(updateEnvironment({ Name: 'scaled', MaxWebservers: 5, WorkerReplacementStrategy: 'GRACEFUL' }));
    expect(lastBody('UpdateEnvironment')).toEqual({ MaxWebservers: 5, WorkerReplacementStrategy: 'GRACEFUL' });
    expect(server.requests.at(-1)?.status).toBe(200);
  });

  it('leaves members alone that the caller did not pass', async () => {
    const client = mwaaClient({ region: 'us-east-1', endpoint: server.endpoint });
    await client.send(createEnvironment(validCreateInput('unscaled', 'bucket')));
    expect(Object.keys(lastBody('CreateEnvironment'))).not.toContain('MinWebservers');
  });

  it.skipIf(!requires(import.meta.url, '../shared/reference'))('rules/data/mwaa-api-gap.json is what the generator finds in the installed SDK', async () => {
    const gen = (await import(pathToFileURL(join(ROOT, 'rules', 'data', 'gen', 'mwaa-api-gap.mjs')).href)) as { generate(ref: string): unknown };
    expect(gen.generate(SHARED_REFERENCE)).toEqual(JSON.parse(readFileSync(gapFile, 'utf8')));
  });

  it('rules/data/mwaa-api-gap.json names what 3.523.0 drops and lacks', () => {
    expect(JSON.parse(readFileSync(gapFile, 'utf8'))).toMatchObject({
      sdk: '@aws-sdk/client-mwaa@3.523.0',
      droppedMembers: { CreateEnvironment: ['MaxWebservers', 'MinWebservers'], UpdateEnvironment: ['MaxWebservers', 'MinWebservers', 'WorkerReplacementStrategy'] },
      unknownEnumValues: { WebserverAccessMode: ['PUBLIC_AND_PRIVATE'] },
      missingCommands: ['InvokeRestApi'],
    });
  });
});
