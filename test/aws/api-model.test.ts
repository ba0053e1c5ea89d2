import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateRequest } from '../../src/aws/api-model.js';
import { ROOT } from '../helpers.js';
import { loadMwaaModel, requestInput, route, validate } from '../support/api-model.js';
import { requires, SHARED_REFERENCE } from '../support/requires.js';

// The generic validator over the botocore model, on the official MWAA model (the tests' copy,
// checked against the reference last), and the product's validateRequest on its generated copy
// (rules/data/mwaa-api-model.json).

const model = loadMwaaModel();

const goodCreate = {
  Name: 'analytics-prod',
  ExecutionRoleArn: 'arn:aws:iam::123456789012:role/mwaa-exec',
  SourceBucketArn: 'arn:aws:s3:::airflow-bucket',
  DagS3Path: 'dags',
  NetworkConfiguration: { SubnetIds: ['subnet-1a', 'subnet-2b'], SecurityGroupIds: ['sg-0abc'] },
  AirflowConfigurationOptions: { 'core.default_timezone': 'utc' },
  EnvironmentClass: 'mw1.small',
  MaxWorkers: 5,
  Schedulers: 2,
  WeeklyMaintenanceWindowStart: 'TUE:03:30',
  WebserverAccessMode: 'PUBLIC_AND_PRIVATE',
  Tags: { team: 'data', 'cost-center': '42' },
  LoggingConfiguration: { TaskLogs: { Enabled: true, LogLevel: 'INFO' } },
};

const errorsOf = (change: Record<string, unknown>) => validate(model, 'CreateEnvironmentInput', { ...goodCreate, ...change });

describe('validate', () => {
  it('accepts a complete, valid CreateEnvironment input', () => {
    expect(validate(model, 'CreateEnvironmentInput', goodCreate)).toEqual([]);
  });

  it('reports missing required members, at any depth', () => {
    const { DagS3Path: _, ...noDags } = goodCreate;
    expect(validate(model, 'CreateEnvironmentInput', noDags)).toEqual([
      "Value null at 'CreateEnvironmentInput.DagS3Path' failed to satisfy constraint: Member must not be null",
    ]);
    expect(validate(model, 'UpdateEnvironmentInput', { Name: 'x', NetworkConfiguration: {} })).toEqual([
      "Value null at 'UpdateEnvironmentInput.NetworkConfiguration.SecurityGroupIds' failed to satisfy constraint: Member must not be null",
    ]);
  });

  it('checks string patterns, unanchored as in Smithy, with Unicode classes', () => {
    expect(errorsOf({ SourceBucketArn: 'my-bucket' })[0]).toMatch(/SourceBucketArn.*regular expression pattern: arn:aws/);
    expect(errorsOf({ WeeklyMaintenanceWindowStart: 'TUE:03:15' })[0]).toMatch(/WeeklyMaintenanceWindowStart.*pattern/);
    expect(errorsOf({ NetworkConfiguration: { SecurityGroupIds: ['group-1'] } })[0]).toMatch(/SecurityGroupIds\.1\.member.*sg-/);
    expect(errorsOf({ AirflowConfigurationOptions: { 'Core.X': 'v' } })).toEqual([]); // 'ore' matches
    expect(errorsOf({ AirflowConfigurationOptions: { 'CORE.X': 'v' } })[0]).toMatch(/AirflowConfigurationOptions\.key.*pattern/);
    expect(errorsOf({ AirflowConfigurationOptions: { 'core.x': 'tab\there' } })).toEqual([]); // '[ -~]+' matches a part
    expect(errorsOf({ AirflowConfigurationOptions: { 'core.x': '\t' } })[0]).toMatch(/\[ -~\]\+/);
    expect(errorsOf({ Tags: { 'Überteam': 'Zürich' } })).toEqual([]); // \p{L}
  });

  it('checks string, list and map lengths', () => {
    expect(errorsOf({ Name: 'a'.repeat(81) })).toEqual([
      "Value at 'CreateEnvironmentInput.Name' failed to satisfy constraint: Member must have length less than or equal to 80",
    ]);
    expect(errorsOf({ DagS3Path: '' })[0]).toMatch(/DagS3Path.*length greater than or equal to 1/);
    expect(errorsOf({ NetworkConfiguration: { SecurityGroupIds: [] } })[0]).toMatch(/SecurityGroupIds.*length greater than or equal to 1/);
    expect(errorsOf({ NetworkConfiguration: { SecurityGroupIds: Array.from({ length: 6 }, (_, i) => `sg-${i}`) } })[0]).toMatch(/less than or equal to 5/);
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(errorsOf({ Tags: tags })[0]).toMatch(/Tags.*length less than or equal to 50/);
    expect(errorsOf({ Tags: { k: 'v'.repeat(257) } })[0]).toMatch(/Tags\.k.*less than or equal to 256/);
  });

  it('checks enums and integer ranges', () => {
    expect(errorsOf({ WebserverAccessMode: 'PUBLIC' })[0]).toMatch(/enum value set: \[PRIVATE_ONLY, PUBLIC_ONLY, PUBLIC_AND_PRIVATE\]/);
    expect(errorsOf({ LoggingConfiguration: { TaskLogs: { Enabled: true, LogLevel: 'TRACE' } } })[0]).toMatch(/TaskLogs\.LogLevel.*enum/);
    expect(errorsOf({ Schedulers: 6 })[0]).toMatch(/Schedulers.*value less than or equal to 5/);
    expect(errorsOf({ MaxWorkers: 0 })[0]).toMatch(/MaxWorkers.*value greater than or equal to 1/);
    expect(validate(model, 'ListEnvironmentsInput', { MaxResults: 26 })[0]).toMatch(/MaxResults.*less than or equal to 25/);
  });

  it('checks types and rejects members the model does not have', () => {
    expect(errorsOf({ MaxWorkers: '5' })[0]).toMatch(/MaxWorkers.*must be of type integer/);
    expect(errorsOf({ MaxWorkers: 2.5 })[0]).toMatch(/must be of type integer/);
    expect(errorsOf({ LoggingConfiguration: { TaskLogs: { Enabled: 'yes', LogLevel: 'INFO' } } })[0]).toMatch(/Enabled.*type boolean/);
    expect(errorsOf({ Tags: ['a'] })[0]).toMatch(/Tags.*type map/);
    expect(errorsOf({ MinWebserver: 2 })).toEqual(["Member 'CreateEnvironmentInput.MinWebserver' is not in the model"]);
    expect(errorsOf({ KmsKey: null })).toEqual([]); // JSON null is absence
  });

  it('reports every violation, not just the first', () => {
    expect(errorsOf({ Schedulers: 9, WebserverAccessMode: 'X', EnvironmentClass: '' })).toHaveLength(3);
  });
});

describe('validateRequest (the generated model)', () => {
  it('judges Create and UpdateEnvironment inputs as the official model does', () => {
    const bad = { ...goodCreate, Schedulers: 9, AirflowConfigurationOptions: { 'core.x': '\t', 'CORE.Y': 'v' }, Tags: {} };
    expect(validateRequest('CreateEnvironment', goodCreate)).toEqual([]);
    expect(validateRequest('CreateEnvironment', bad)).toEqual(validate(model, 'CreateEnvironmentInput', bad));
    expect(validateRequest('UpdateEnvironment', { Name: 'x', NetworkConfiguration: {} })).toEqual(validate(model, 'UpdateEnvironmentInput', { Name: 'x', NetworkConfiguration: {} }));
  });

  it('names the offending AirflowConfigurationOptions key, but never quotes a value', () => {
    expect(validateRequest('CreateEnvironment', { ...goodCreate, AirflowConfigurationOptions: { 'CORE.Y': 's3cr3t\n' } })).toEqual([
      "Value 'CORE.Y' at 'CreateEnvironmentInput.AirflowConfigurationOptions.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+([a-z0-9._]*[a-z0-9_]+)?",
    ]);
    expect(validateRequest('CreateEnvironment', { ...goodCreate, AirflowConfigurationOptions: { 'core.y': '\n' } })[0]).toBe(
      "Value at 'CreateEnvironmentInput.AirflowConfigurationOptions.core.y' failed to satisfy constraint: Member must satisfy regular expression pattern: [ -~]+",
    );
  });

  it('refuses an operation the copy does not hold', () => {
    expect(() => validateRequest('DeleteEnvironment', { Name: 'x' })).toThrow(/not in the model/);
  });
});

describe('route and requestInput', () => {
  it('finds operations from http.requestUri and decodes labels', () => {
    const arn = 'arn:aws:airflow:us-east-1:123456789012:environment/x';
    const r = route(model, 'GET', `/tags/${encodeURIComponent(arn)}`);
    expect(r?.operation.name).toBe('ListTagsForResource');
    expect(r?.labels).toEqual({ ResourceArn: arn });
    expect(route(model, 'PATCH', '/environments/x')?.operation.name).toBe('UpdateEnvironment');
    expect(route(model, 'GET', '/environments')?.operation.name).toBe('ListEnvironments');
    expect(route(model, 'PUT', '/nowhere/x')).toBeUndefined();
  });

  it('validates path labels and query strings, typed by the model', () => {
    const get = route(model, 'GET', '/environments/9lives')!;
    // Unanchored pattern: '9lives' contains a match, so it passes, as the model says.
    expect(requestInput(model, get, new URLSearchParams(), {}).errors).toEqual([]);
    const bad = route(model, 'GET', `/environments/${'n'.repeat(81)}`)!;
    expect(requestInput(model, bad, new URLSearchParams(), {}).errors[0]).toMatch(/GetEnvironmentInput\.Name.*80/);
    const list = route(model, 'GET', '/environments')!;
    expect(requestInput(model, list, new URLSearchParams('MaxResults=3'), {}).input).toEqual({ MaxResults: 3 });
    expect(requestInput(model, list, new URLSearchParams('MaxResults=0'), {}).errors[0]).toMatch(/MaxResults.*greater than or equal to 1/);
    expect(requestInput(model, list, new URLSearchParams('MaxResults=lots'), {}).errors[0]).toMatch(/type integer/);
  });

  it('rejects URI members sent in the body', () => {
    const create = route(model, 'PUT', '/environments/x')!;
    const { errors } = requestInput(model, create, new URLSearchParams(), { ...goodCreate, Name: 'y' });
    expect(errors).toEqual(["Member 'CreateEnvironmentInput.Name' belongs in the uri, not the body"]);
  });
});

it.skipIf(!requires(import.meta.url, '../shared/reference'))('test/support/mwaa-service-2.json is the official model less its documentation', async () => {
  const gen = (await import(pathToFileURL(join(ROOT, 'test', 'support', 'mwaa-service.mjs')).href)) as { generate(ref: string): unknown };
  expect(model, 'run npm exec -- node test/support/mwaa-service.mjs').toEqual(gen.generate(SHARED_REFERENCE));
});
