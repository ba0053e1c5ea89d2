import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import type { CreateEnvironmentRequest } from '../../src/aws/mwaa-client.js';
import { motoS3, startMoto, type Moto } from './moto.js';
import { loadMwaaModel, requestInput, route, validate, type ApiModel } from './api-model.js';

// A loopback stand-in for the MWAA control plane (REST-JSON), strict where the real service is:
// every request is checked against the official API model, environments go through MWAA's
// statuses, the S3 objects an environment names must exist, and faults can be injected.

export type Fault = 'throttle' | 'internal' | 'drop' | { slowMs: number };

/** Faults in order, one per request ('none' lets one through), or at random at a rate. */
export type FaultPlan = { sequence: (Fault | 'none')[] } | { rate: number; faults: Fault[]; random?: () => number };

export interface UpdateError {
  ErrorCode: string;
  ErrorMessage: string;
}

export interface MwaaServerOptions {
  region?: string;
  account?: string;
  /** How long CREATING, UPDATING and DELETING last: GetEnvironment polls that see them, or milliseconds. */
  settleAfter?: { polls: number } | { ms: number };
  /** Environments (by name) whose creation ends in CREATE_FAILED with this LastUpdate.Error. */
  createFailures?: Record<string, UpdateError>;
  /** The S3 endpoint (moto) holding the environments' DAGs, plugins and requirements; unchecked without it. */
  s3Endpoint?: string;
  faults?: FaultPlan;
}

export interface LoggedRequest {
  method: string;
  /** Path and query string, as sent. */
  path: string;
  body: string;
  operation: string | undefined;
  status: number;
}

export interface MwaaServer {
  endpoint: string;
  /** Every request received, faulted or not, in order. */
  requests: LoggedRequest[];
  /** Replaces the fault plan (none when omitted). */
  injectFaults(plan?: FaultPlan): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

interface Stored {
  env: Json;
  /** GetEnvironment polls that have seen the current transitional status. */
  polls: number;
  since: number;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const validation = (message: string) => new ApiError(400, 'ValidationException', message);
const notFound = (what: string) => new ApiError(404, 'ResourceNotFoundException', `${what} not found`);

function send(res: ServerResponse, status: number, body: Json, errorType?: string): void {
  // botocore and the JS SDK read a rest-json error's code from x-amzn-errortype.
  res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const TRANSITIONAL = new Set(['CREATING', 'UPDATING', 'DELETING']);
const UPDATABLE = new Set(['AVAILABLE', 'UPDATE_FAILED']);
const S3_OBJECTS = [
  ['PluginsS3Path', 'PluginsS3ObjectVersion'],
  ['RequirementsS3Path', 'RequirementsS3ObjectVersion'],
  ['StartupScriptS3Path', 'StartupScriptS3ObjectVersion'],
] as const;

export async function startMwaaServer(options: MwaaServerOptions = {}): Promise<MwaaServer> {
  const model: ApiModel = loadMwaaModel();
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '123456789012';
  const settleAfter = options.settleAfter ?? { polls: 1 };
  const envShape = model.shapes['Environment']!.members!;
  const s3 = options.s3Endpoint ? motoS3(options.s3Endpoint) : undefined;
  const environments = new Map<string, Stored>();
  const requests: LoggedRequest[] = [];
  let plan = options.faults;
  let planned = 0;

  const nextFault = (): Fault | undefined => {
    if (!plan) return undefined;
    if ('sequence' in plan) {
      const f = plan.sequence[planned++];
      return f === 'none' ? undefined : f;
    }
    return (plan.random ?? Math.random)() < plan.rate ? plan.faults[planned++ % plan.faults.length] : undefined;
  };

  const now = () => Date.now() / 1000;

  /** Ends a transitional status once it has lasted long enough; false when the environment is gone. */
  const advance = (name: string, stored: Stored, polled: boolean): boolean => {
    const { env } = stored;
    if (!TRANSITIONAL.has(env['Status'] as string)) return true;
    const done = 'polls' in settleAfter ? stored.polls >= settleAfter.polls : Date.now() - stored.since >= settleAfter.ms;
    if (!done) {
      if (polled) stored.polls++;
      return true;
    }
    if (env['Status'] === 'DELETING') {
      environments.delete(name);
      return false;
    }
    const last = env['LastUpdate'] as Json;
    const failure = env['Status'] === 'CREATING' ? options.createFailures?.[name] : undefined;
    if (failure) {
      env['Status'] = 'CREATE_FAILED';
      env['LastUpdate'] = { ...last, Status: 'FAILED', Error: failure };
    } else {
      // Customer-managed endpoints leave a new environment waiting for the customer's VPC endpoints.
      env['Status'] = env['Status'] === 'CREATING' && env['EndpointManagement'] === 'CUSTOMER' ? 'PENDING' : 'AVAILABLE';
      env['LastUpdate'] = { ...last, Status: 'SUCCESS' };
    }
    return true;
  };

  const find = (name: string, polled = false): Stored => {
    const stored = environments.get(name);
    if (!stored || !advance(name, stored, polled)) throw notFound(`Environment ${name}`);
    return stored;
  };

  const transition = (stored: Stored, status: string, last?: Json): void => {
    stored.env['Status'] = status;
    stored.polls = 0;
    stored.since = Date.now();
    if (last) stored.env['LastUpdate'] = { Status: 'PENDING', CreatedAt: now(), Source: 'API', ...last };
  };

  const checkS3 = async (env: Json): Promise<void> => {
    if (!s3) return;
    const bucket = String(env['SourceBucketArn']).replace(/^arn:[^:]+:s3:::/, '');
    const missing: string[] = [];
    const dags = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: String(env['DagS3Path']), MaxKeys: 1 })).catch(() => undefined);
    if (!dags?.KeyCount) missing.push(`s3://${bucket}/${String(env['DagS3Path'])}`);
    for (const [pathMember, versionMember] of S3_OBJECTS) {
      const key = env[pathMember] as string | undefined;
      if (key === undefined) continue;
      const version = env[versionMember] as string | undefined;
      const found = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: version })).then(
        () => true,
        () => false,
      );
      if (!found) missing.push(`s3://${bucket}/${key}${version ? ` (version ${version})` : ''}`);
    }
    if (missing.length > 0) throw validation(`Unable to read ${missing.join(', ')}`);
  };

  /** The members of an operation's input that an Environment also has. */
  const environmentMembers = (input: Json): Json =>
    Object.fromEntries(Object.entries(input).filter(([m]) => m !== 'Name' && m in envShape));

  const byArn = (arn: string): Json => {
    const name = [...environments.keys()].find((n) => environments.get(n)!.env['Arn'] === arn);
    if (name === undefined) throw notFound(`Resource ${arn}`);
    return find(name).env;
  };

  const handlers: Record<string, (input: Json) => Promise<Json>> = {
    async CreateEnvironment(input) {
      const name = input['Name'] as string;
      if (environments.has(name)) throw new ApiError(409, 'ConflictException', `Environment ${name} already exists`);
      const env: Json = {
        Name: name,
        Arn: `arn:aws:airflow:${region}:${account}:environment/${name}`,
        CreatedAt: now(),
        ...environmentMembers(input),
      };
      await checkS3(env);
      const stored: Stored = { env, polls: 0, since: 0 };
      transition(stored, 'CREATING', {});
      environments.set(name, stored);
      return { Arn: env['Arn'] };
    },
    async GetEnvironment(input) {
      return { Environment: find(input['Name'] as string, true).env };
    },
    async UpdateEnvironment(input) {
      const name = input['Name'] as string;
      const stored = find(name);
      const status = stored.env['Status'] as string;
      if (status === 'CREATE_FAILED') throw validation('Environments with CREATE_FAILED status cannot be updated');
      if (!UPDATABLE.has(status)) throw validation(`Environment ${name} is ${status} and cannot be updated now`);
      const { NetworkConfiguration, WorkerReplacementStrategy, ...rest } = input;
      const env: Json = { ...stored.env, ...environmentMembers(rest) };
      // An update can change only the security groups; the subnets stay.
      if (NetworkConfiguration) env['NetworkConfiguration'] = { ...(stored.env['NetworkConfiguration'] as Json), ...(NetworkConfiguration as Json) };
      await checkS3(env);
      stored.env = env;
      transition(stored, 'UPDATING', WorkerReplacementStrategy ? { WorkerReplacementStrategy } : {});
      return { Arn: env['Arn'] };
    },
    async DeleteEnvironment(input) {
      const stored = find(input['Name'] as string);
      if (stored.env['Status'] !== 'DELETING') transition(stored, 'DELETING');
      return {};
    },
    async ListEnvironments(input) {
      const names = [...environments.entries()].filter(([name, stored]) => advance(name, stored, false)).map(([name]) => name);
      const start = Number(input['NextToken'] ?? 0);
      const end = start + ((input['MaxResults'] as number | undefined) ?? 25);
      return { Environments: names.slice(start, end), ...(end < names.length ? { NextToken: String(end) } : {}) };
    },
    async TagResource(input) {
      const env = byArn(input['ResourceArn'] as string);
      env['Tags'] = { ...(env['Tags'] as Json | undefined), ...(input['Tags'] as Json) };
      return {};
    },
    async ListTagsForResource(input) {
      return { Tags: byArn(input['ResourceArn'] as string)['Tags'] ?? {} };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, entry: LoggedRequest): Promise<number> => {
    const fault = nextFault();
    if (fault === 'drop') {
      req.socket.destroy();
      return 0;
    }
    if (fault === 'throttle') throw new ApiError(429, 'ThrottlingException', 'Rate exceeded');
    if (fault === 'internal') throw new ApiError(500, 'InternalServerException', 'Injected internal error');
    if (fault) await sleep(fault.slowMs);

    const url = new URL(req.url ?? '/', 'http://localhost');
    const found = route(model, req.method ?? 'GET', url.pathname);
    const handler = found && handlers[found.operation.name];
    if (!found || !handler) throw new ApiError(404, 'UnknownOperationException', `No operation for ${req.method} ${url.pathname}`);
    entry.operation = found.operation.name;

    let body: unknown = {};
    try {
      if (entry.body.trim()) body = JSON.parse(entry.body);
    } catch {
      throw validation('The request body is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validation('The request body is not a JSON object');
    const { input, errors } = requestInput(model, found, url.searchParams, body as Json);
    if (errors.length > 0) throw validation(`${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`);

    const output = await handler(input);
    // The stand-in must answer what the model promises, or the tests would prove nothing.
    const outputShape = found.operation.output?.shape;
    const wrong = outputShape ? validate(model, outputShape, output) : [];
    if (wrong.length > 0) throw new ApiError(500, 'InternalServerException', `stand-in answered outside the model: ${wrong.join('; ')}`);
    const status = found.operation.http.responseCode ?? 200;
    send(res, status, output);
    return status;
  };

  const server = createServer((req, res) => {
    const entry: LoggedRequest = { method: req.method ?? '', path: req.url ?? '', body: '', operation: undefined, status: 0 };
    requests.push(entry);
    readBody(req)
      .then((body) => {
        entry.body = body;
        return handle(req, res, entry);
      })
      .then(
        (status) => (entry.status = status),
        (e: unknown) => {
          const error = e instanceof ApiError ? e : new ApiError(500, 'InternalServerException', String(e));
          entry.status = error.status;
          send(res, error.status, { message: error.message }, error.type);
        },
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    injectFaults(next) {
      plan = next;
      planned = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      s3?.destroy();
    },
  };
}

/** A CreateEnvironment input the model accepts, on the bucket `bucket` (see seedBucket). */
export const validCreateInput = (name: string, bucket: string, extra: Partial<CreateEnvironmentRequest> = {}): CreateEnvironmentRequest => ({
  Name: name,
  ExecutionRoleArn: 'arn:aws:iam::123456789012:role/mwaa-exec',
  SourceBucketArn: `arn:aws:s3:::${bucket}`,
  DagS3Path: 'dags',
  NetworkConfiguration: { SubnetIds: ['subnet-0a', 'subnet-0b'], SecurityGroupIds: ['sg-0a'] },
  EnvironmentClass: 'mw1.small',
  AirflowVersion: '2.10.3',
  ...extra,
});

/**
 * moto_server and a loopback MWAA server wired to it, started before a test file's tests and
 * stopped after them; the fields are set once beforeAll has run.
 */
export function useLoopbackAws(options: Omit<MwaaServerOptions, 's3Endpoint'> = {}): { moto: Moto; mwaa: MwaaServer; s3: S3Client } {
  const aws = {} as { moto: Moto; mwaa: MwaaServer; s3: S3Client };
  beforeAll(async () => {
    aws.moto = await startMoto();
    aws.mwaa = await startMwaaServer({ ...options, s3Endpoint: aws.moto.endpoint });
    aws.s3 = motoS3(aws.moto.endpoint);
  });
  afterAll(async () => {
    aws.s3?.destroy();
    await aws.mwaa?.close();
    await aws.moto?.stop();
  });
  return aws;
}
