import { createHash } from 'node:crypto';
import { REQUEST_HANDLER } from './access.js';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
  type DescribeSecretCommandOutput,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import pLimit from 'p-limit';
import { UsageError } from '../exit.js';
import { fingerprint } from '../home/secrets.js';
import type { MappedSecret } from '../secrets/mapping.js';
import type { ExistingSecret, SecretAction } from '../secrets/plan.js';
import type { Journal } from './journal.js';

// Secrets Manager for connections and variables: the state plan compares against, and apply's
// idempotent upsert. Every write carries a ClientRequestToken derived from (name, fingerprint),
// so a retried or re-run write of the same value is the same version, never a second one.
// Nothing here logs, returns or throws a secret value.

export interface SecretsManagerClientOptions {
  region: string;
  /** A custom endpoint (a test server, a VPC endpoint); AWS's own when omitted. */
  endpoint?: string;
  credentials?: SecretsManagerClientConfig['credentials'];
  /** The SDK's attempts per request (its standard retry: throttling, 5xx, dropped connections). */
  maxAttempts?: number;
}

export const secretsManagerClient = ({ region, endpoint, credentials, maxAttempts }: SecretsManagerClientOptions): SecretsManagerClient =>
  new SecretsManagerClient({ region, endpoint, credentials, maxAttempts, requestHandler: REQUEST_HANDLER });

export const CREATED_BY_TAG = { Key: 'mwaa-migrate:created-by', Value: 'mwaa-migrate' } as const;
const DEFAULT_CONCURRENCY = 4;

const isAwsError = (e: unknown, ...names: string[]): boolean => e instanceof SecretsManagerServiceException && names.includes(e.name);

/** One line for an AWS failure: the operation, the secret name and AWS's own message. */
function awsFailure(op: string, name: string, e: unknown): string {
  const err = e as { name?: string; message?: string };
  return `${op} ${name}: ${err.name ?? 'Error'}: ${(err.message ?? String(e)).split('\n')[0]}`;
}

/** The version id a (name, value fingerprint) pair is written as: a UUID-shaped SHA-256 digest. */
export function requestToken(name: string, valueFingerprint: string): string {
  const h = createHash('sha256').update(`mwaa-migrate\0${name}\0${valueFingerprint}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

async function describe(client: SecretsManagerClient, name: string): Promise<DescribeSecretCommandOutput | undefined> {
  try {
    return await client.send(new DescribeSecretCommand({ SecretId: name }));
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException')) return undefined;
    throw new UsageError(awsFailure('DescribeSecret', name, e));
  }
}

async function currentFingerprint(client: SecretsManagerClient, name: string): Promise<string | null> {
  try {
    const got = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }));
    return got.SecretString === undefined ? null : fingerprint(got.SecretString);
  } catch (e) {
    // No current version, a binary secret, no kms:Decrypt or no GetSecretValue: the value is unknown.
    if (isAwsError(e, 'ResourceNotFoundException', 'DecryptionFailure', 'AccessDeniedException', 'InvalidRequestException')) return null;
    throw new UsageError(awsFailure('GetSecretValue', name, e));
  }
}

async function stateOf(client: SecretsManagerClient, name: string): Promise<{ existing: ExistingSecret; currentVersion: string | undefined } | undefined> {
  const d = await describe(client, name);
  if (!d) return undefined;
  const currentVersion = Object.entries(d.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  if (d.DeletedDate) return { existing: { fingerprint: null, deleted: true }, currentVersion };
  return { existing: { fingerprint: await currentFingerprint(client, name), deleted: false }, currentVersion };
}

/** The existing secrets among `names` (absent names are not in the map), read-only. */
export async function readSecretsState(client: SecretsManagerClient, names: string[], concurrency = DEFAULT_CONCURRENCY): Promise<Map<string, ExistingSecret>> {
  const limit = pLimit(concurrency);
  const states = await Promise.all(names.map((name) => limit(async () => [name, await stateOf(client, name)] as const)));
  return new Map(states.flatMap(([name, s]) => (s ? [[name, s.existing] as const] : [])));
}

export interface UpsertProgress {
  /** Actions that write (create, update, restore-and-update). */
  total: number;
  written: number;
  /** Already done: in the journal, or the secret already holds the value. */
  skipped: number;
  failed: number;
}

export interface UpsertOptions {
  client: SecretsManagerClient;
  actions: SecretAction[];
  /** The secrets mapped again from their sources now: the values to write, checked against the plan's fingerprints. */
  current: MappedSecret[];
  journal?: Journal;
  kmsKeyId?: string;
  /** Tags for created secrets, besides mwaa-migrate:created-by. */
  tags?: Record<string, string>;
  concurrency?: number;
  /** Stops starting writes (those under way finish and are journaled). */
  signal?: AbortSignal;
  onProgress?: (p: UpsertProgress) => void;
}

export interface UpsertResult extends UpsertProgress {
  /** Per secret, one line each (names and AWS error messages, never values). */
  failures: { name: string; reason: string }[];
}

const WRITES = new Set<SecretAction['change']>(['create', 'update', 'restore-and-update']);

/**
 * Writes the plan's secrets: refuses a plan with conflicts and one whose sources changed since
 * (stale fingerprints), then creates or updates each secret not already done.
 */
export async function upsertSecrets(o: UpsertOptions): Promise<UpsertResult> {
  const conflicts = o.actions.filter((a) => a.change === 'conflict').map((a) => a.name);
  if (conflicts.length > 0) {
    throw new UsageError(`secrets exist with other values: ${conflicts.join(', ')}; plan again choosing to skip or overwrite them`);
  }
  const writes = o.actions.filter((a) => WRITES.has(a.change));
  const values = new Map(o.current.map((s) => [s.name, s.value]));
  const stale = writes.filter((a) => {
    const v = values.get(a.name);
    return v === undefined || fingerprint(v) !== a.fingerprint;
  });
  if (stale.length > 0) {
    throw new UsageError(`the sources changed since the plan for ${stale.map((a) => a.name).join(', ')}; plan again`);
  }

  const progress: UpsertProgress = { total: writes.length, written: 0, skipped: 0, failed: 0 };
  const failures: UpsertResult['failures'] = [];
  const report = () => o.onProgress?.({ ...progress });
  const tags = [CREATED_BY_TAG, ...Object.entries(o.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))];
  const limit = pLimit(o.concurrency ?? DEFAULT_CONCURRENCY);

  const one = async (a: SecretAction): Promise<void> => {
    if (o.signal?.aborted) return;
    if (o.journal?.find('put-secret', (e) => e.name === a.name && e.fingerprint === a.fingerprint)) {
      progress.skipped++;
      report();
      return;
    }
    const value = values.get(a.name)!;
    const token = requestToken(a.name, a.fingerprint);
    try {
      const state = await stateOf(o.client, a.name);
      if (state && !state.existing.deleted && state.existing.fingerprint === a.fingerprint) {
        progress.skipped++;
      } else if (a.change === 'create' && state) {
        // Someone else created it since the plan, with another value: not ours to overwrite.
        throw new Error('it was created by someone else since the plan; plan again');
      } else {
        if (state?.existing.deleted) {
          if (a.change !== 'restore-and-update') throw new Error('it is scheduled for deletion; plan again');
          await o.client.send(new RestoreSecretCommand({ SecretId: a.name }));
        }
        await write(o, a.name, value, token, tags, state?.currentVersion);
        progress.written++;
      }
      o.journal?.record({ step: 'put-secret', name: a.name, fingerprint: a.fingerprint });
    } catch (e) {
      progress.failed++;
      const err = e as Error;
      failures.push({ name: a.name, reason: e instanceof SecretsManagerServiceException ? `${err.name}: ${err.message.split('\n')[0]}` : err.message });
    }
    report();
  };

  await Promise.all(writes.map((a) => limit(() => one(a))));
  failures.sort((x, y) => (x.name < y.name ? -1 : 1));
  return { ...progress, failures };
}

async function write(o: UpsertOptions, name: string, value: string, token: string, tags: { Key: string; Value: string }[], currentVersion: string | undefined): Promise<void> {
  if (currentVersion === undefined) {
    try {
      await o.client.send(new CreateSecretCommand({ Name: name, SecretString: value, ClientRequestToken: token, KmsKeyId: o.kmsKeyId, Tags: tags }));
      return;
    } catch (e) {
      // Created by an earlier, interrupted run of this same write: put the same version.
      if (!isAwsError(e, 'ResourceExistsException')) throw e;
    }
  }
  const put = await o.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: token }));
  // A version with this token already existing (the value was ours once, then changed) makes the
  // put a no-op that leaves AWSCURRENT on the other value: move it back. Checked with
  // DescribeSecret, as the put's answer does not reliably say where AWSCURRENT is.
  if (currentVersion !== undefined && currentVersion !== put.VersionId && put.VersionId) {
    const now = (await describe(o.client, name))?.VersionIdsToStages ?? {};
    const from = Object.entries(now).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
    if (from !== put.VersionId) {
      await o.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: put.VersionId, RemoveFromVersionId: from }));
    }
  }
}
