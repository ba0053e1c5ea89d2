import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MWAAServiceException, type Environment, type MWAAClient } from '@aws-sdk/client-mwaa';
import pLimit from 'p-limit';
import { UsageError } from '../exit.js';
import { scanHome } from '../home/scan.js';
import { buildArtifacts, type Artifacts, type DagObject } from '../plan/artifacts.js';
import type { FixSettings } from '../plan/fixed.js';
import type { Inventory } from '../home/inventory.js';
import { pinnable, type Action, type Plan } from '../plan/plan.js';
import { environmentDrift, updateInput, type Drift } from '../plan/drift.js';
import { startupObject } from '../plan/startup.js';
import { createEnvironment, readEnvironment, updateEnvironment, type EnvironmentState } from './mwaa-client.js';
import type { Journal, JournalEntry } from './journal.js';
import { headObject, listObjects, type RemoteObject } from './s3-state.js';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { MappedSecret } from '../secrets/mapping.js';
import type { SecretsPart } from '../secrets/step.js';

// Carries out a Plan: the bucket and its settings, the objects, then the environment. Every step
// first looks at what AWS already holds and what the journal says, so a re-run (after a crash,
// a kill or a transient failure) finishes the work without doing any of it twice.

type Put = Extract<Action, { kind: 'put-object' }>;
type Delete = Extract<Action, { kind: 'delete-object' }>;
type Create = Extract<Action, { kind: 'create-environment' }>;
type Update = Extract<Action, { kind: 'update-environment' }>;

export interface ApplyOptions {
  plan: Plan;
  journal: Journal;
  s3: S3Client;
  mwaa: MWAAClient;
  /** The plan's secrets, with the values read again from their sources; absent when the plan has none. */
  secrets?: { client: SecretsManagerClient; part: SecretsPart; current: MappedSecret[] };
  /** Poll until the environment settles; otherwise return once it is created. */
  wait: boolean;
  pollMs: number;
  /** The wait between CreateEnvironment attempts while a new execution role propagates. */
  roleRetryMs?: number;
  concurrency?: number;
  progress: (line: string) => void;
}

export interface ApplyResult {
  /** What this run (or an earlier run of this plan) did to the environment. */
  environment: 'created' | 'updated' | 'unchanged';
  name: string;
  status: string;
  webserverUrl?: string;
  /** LastUpdate.Error on one line, when creation or the update failed. */
  error?: string;
  /** What UpdateEnvironment could not change (subnets, KMS key): only a new environment can. */
  notUpdatable: Drift[];
  uploaded: number;
  reused: number;
}

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');
const stale = (why: string) => new UsageError(`plan is stale: ${why}; make a new plan`);
const putsOf = (plan: Plan) => plan.actions.filter((a): a is Put => a.kind === 'put-object');

/** Every object of the artifacts, with the bytes of those built here (DAG files are read as they upload, unless fixed). */
const uploadable = (built: Artifacts): DagObject[] => [...built.dags, ...(built.plugins ? [built.plugins] : []), ...(built.requirements ? [built.requirements] : []), ...(built.startup ? [startupObject(built.startup)] : [])];

/** The fixes plan made, made again (tree-sitter loaded first: the fixes parse the files they change). */
async function fixesOf(inventory: Inventory, home: string, target: string, fix: FixSettings) {
  const [{ fixCode }] = await Promise.all([import('../plan/fixed.js'), import('../python/parser.js').then((m) => m.loadTreeSitter())]);
  return fixCode(inventory, home, { target, now: new Date() }, fix);
}

/** Rebuilds the artifacts from the home and refuses when they are not what the plan was made from. */
export async function freshArtifacts(plan: Plan): Promise<Artifacts> {
  const { home, target, dagsPrefix, fix } = plan.inputs;
  // Hashes only, without --fix: nothing else needs the analysis. The scan's digest cache (keyed by
  // path, size and mtime, as `aws s3 sync` compares) spares reading unchanged files, and every
  // upload checks the MD5 of the bytes it sends, so a file edited since cannot reach the bucket unnoticed.
  // With --fix the fixes are made again as plan made them (the plan holds no code), and their
  // bytes must have the planned MD5s like any other object's.
  const inventory = await scanHome(home, fix ? { envFile: plan.inputs.envFile, airflowVersion: fix.airflowVersion } : { analyze: false });
  // The date moves findings (CODE023), never a fix. The rules and fixes load only for a plan made with --fix.
  const fixed = fix ? (await fixesOf(inventory, home, target, fix)).fixed : null;
  // The startup script comes from the code's analysis, which the hashing scan skips: the plan holds its text.
  const built = { ...(await buildArtifacts(inventory, target, dagsPrefix, fixed)), startup: plan.startupScript };
  const files = new Map(built.fingerprints.map((f) => [f.path, f.sha256]));
  const changed = plan.inputs.files.filter((f) => files.get(f.path) !== f.sha256).map((f) => f.path);
  const known = new Set(plan.inputs.files.map((f) => f.path));
  const added = built.fingerprints.filter((f) => !known.has(f.path)).map((f) => f.path);
  if (changed.length + added.length > 0) throw stale(`${[...changed, ...added].slice(0, 5).join(', ')}${changed.length + added.length > 5 ? ', ...' : ''} changed in ${home} since`);
  const md5s = new Map(uploadable(built).map((a) => [a.key, a.md5]));
  const puts = putsOf(plan);
  const differ = puts.filter((a) => md5s.get(a.key) !== a.md5).map((a) => a.key);
  if (differ.length > 0 || puts.length !== md5s.size) throw stale(`the objects to upload differ (${differ.slice(0, 5).join(', ') || 'a different set of keys'})`);
  return built;
}

/**
 * The bucket and its settings. A bucket that is gone (deleted since the plan or since the journal
 * said it was made) is made again with its settings, whatever the plan or the journal say.
 */
async function bucketSteps(plan: Plan, exists: boolean, { s3, journal, progress }: ApplyOptions): Promise<void> {
  const region = plan.inputs.region;
  const made = journal.find<'ensure-bucket' | 'enable-versioning' | 'block-public-access'>('ensure-bucket', (e) => e.step === 'ensure-bucket' && e.bucket === plan.inputs.bucket);
  if (!exists && made) progress(`bucket ${plan.inputs.bucket}: the journal says it was created, but it is gone; creating it again`);
  for (const a of plan.actions) {
    if (a.kind !== 'ensure-bucket' && a.kind !== 'enable-versioning' && a.kind !== 'block-public-access') continue;
    const done = a.change === 'unchanged' || journal.find(a.kind, (e) => e.bucket === plan.inputs.bucket) !== undefined;
    if (exists && done) continue;
    if (a.kind === 'ensure-bucket') {
      try {
        // us-east-1 is the one region that refuses its own name as a location constraint.
        await s3.send(new CreateBucketCommand({ Bucket: a.bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }) }));
      } catch (e) {
        // A run killed after the create but before the journal line.
        if ((e as Error).name !== 'BucketAlreadyOwnedByYou') throw e;
      }
      progress(`bucket ${a.bucket}: created`);
    } else if (a.kind === 'enable-versioning') {
      await s3.send(new PutBucketVersioningCommand({ Bucket: a.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      progress(`bucket ${a.bucket}: versioning enabled`);
    } else {
      const on = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
      await s3.send(new PutPublicAccessBlockCommand({ Bucket: a.bucket, PublicAccessBlockConfiguration: on }));
      progress(`bucket ${a.bucket}: public access blocked`);
    }
    journal.record({ step: a.kind, bucket: a.bucket });
  }
}

/**
 * What the planned keys hold now: one listing for the DAG prefix (which also says whether the
 * bucket exists), HeadObject for the pinned objects (a listing names no version).
 */
async function heldObjects(plan: Plan, s3: S3Client): Promise<{ exists: boolean; objects: Map<string, RemoteObject> }> {
  const { bucket, dagsPrefix } = plan.inputs;
  const puts = putsOf(plan);
  const dagListing = async () => {
    try {
      return await listObjects(s3, bucket, `${dagsPrefix}/`);
    } catch (e) {
      if ((e as Error).name === 'NoSuchBucket') return null;
      throw e;
    }
  };
  const [dags, pinned] = await Promise.all([dagListing(), Promise.all(puts.filter((a) => a.what !== 'dag').map((a) => headObject(s3, bucket, a.key)))]);
  return { exists: dags !== null, objects: new Map([...(dags ?? []), ...pinned.filter((h) => h !== undefined)].map((h) => [h.key, h])) };
}

type PutLine = Extract<JournalEntry, { step: 'put-object' }>;

/** A put-object line's identity: the key and ETag, and the version when it names one. */
const lineId = (key: string, etag: string, versionId?: string) => `${key}\0${etag}\0${versionId ?? ''}`;

/** Uploads what the bucket does not already hold (`held`); answers the version of each object written and each pinned one. */
async function uploads(plan: Plan, built: Artifacts, held: Map<string, RemoteObject>, o: ApplyOptions): Promise<{ versions: Map<string, string>; uploaded: number; reused: number }> {
  const { s3, journal, progress } = o;
  const bucket = plan.inputs.bucket;
  const home = plan.inputs.home;
  const bytesOf = new Map<string, Uint8Array>();
  for (const a of uploadable(built)) if (a.bytes) bytesOf.set(a.key, a.bytes);
  const puts = putsOf(plan);
  const versions = new Map<string, string>();
  // Same bytes already there (uploaded by a run that died before journaling it, or unchanged):
  // keep that version rather than add another. DAG objects are not pinned, so any version does.
  const found: PutLine[] = [];
  const todo: Put[] = [];
  for (const a of puts) {
    const h = held.get(a.key);
    const same = h !== undefined && h.etag === a.md5;
    if (same && a.what === 'dag') found.push({ step: 'put-object', key: a.key, etag: h.etag });
    else if (same && pinnable(h.versionId)) {
      found.push({ step: 'put-object', key: a.key, etag: h.etag, versionId: h.versionId });
      versions.set(a.key, h.versionId);
    } else todo.push(a);
  }
  // One write for all of them, and none for what this plan's journal already holds (a re-run): a
  // kill that loses these lines costs nothing, the next run finds the objects in place again.
  const journaled = new Set(journal.all('put-object').flatMap((e) => [lineId(e.key, e.etag, e.versionId), lineId(e.key, e.etag)]));
  journal.recordAll(found.filter((e) => !journaled.has(lineId(e.key, e.etag, e.versionId))));

  const reused = found.length;
  let uploaded = 0;
  const step = Math.max(1, Math.ceil(puts.length / 10));
  const report = () => progress(`objects: ${uploaded + reused}/${puts.length} in place (${uploaded} uploaded)`);
  if (reused > 0) report();

  const put = async (a: Put): Promise<void> => {
    // Read synchronously: for DAG-sized files that is a fraction of the promise API's four
    // thread-pool round trips, and the uploads keep the event loop busy anyway.
    const body = bytesOf.get(a.key) ?? readFileSync(resolve(home, a.source));
    const digest = createHash('md5').update(body).digest();
    if (digest.toString('hex') !== a.md5) throw stale(`${a.source} changed in ${home} since`);
    // S3 refuses a body whose MD5 is not this one: the object holds exactly the planned bytes.
    const r = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: a.key, Body: body, ContentMD5: digest.toString('base64') }));
    journal.record({ step: 'put-object', key: a.key, etag: unquote(r.ETag), versionId: r.VersionId ?? 'null' });
    versions.set(a.key, r.VersionId ?? 'null');
    uploaded++;
    const n = uploaded + reused;
    if (n % step === 0 || n === puts.length) report();
  };

  // Once one upload fails, start no more but let those in flight finish and be journaled, so
  // nothing is still writing when apply reports the failure; the next run picks up from there.
  const limit = pLimit(o.concurrency ?? 16);
  const failures: unknown[] = [];
  await Promise.all(todo.map((a) => limit(() => (failures.length > 0 ? undefined : put(a).catch((e: unknown) => void failures.push(e))))));
  if (failures.length > 0) throw failures[0];
  return { versions, uploaded, reused };
}

/** Deletes what the plan deletes and the bucket still holds (`held`, listed before this run wrote). */
async function deletes(plan: Plan, held: Map<string, RemoteObject>, { s3, journal, progress }: ApplyOptions): Promise<void> {
  const prefix = `${plan.inputs.dagsPrefix}/`;
  for (const a of plan.actions.filter((a): a is Delete => a.kind === 'delete-object')) {
    // The plan only lists keys under its prefix; a hand-edited plan must not widen that.
    if (!a.key.startsWith(prefix)) throw new UsageError(`refusing to delete ${a.key}: outside the owned prefix ${prefix}`);
    if (journal.find('delete-object', (e) => e.key === a.key)) continue;
    // Gone already (a run killed after the delete but before its journal line): in a versioned
    // bucket a second delete would stack a second delete marker.
    if (!held.has(a.key)) {
      journal.record({ step: 'delete-object', key: a.key });
      continue;
    }
    await s3.send(new DeleteObjectCommand({ Bucket: plan.inputs.bucket, Key: a.key }));
    journal.record({ step: 'delete-object', key: a.key });
    progress(`deleted s3://${plan.inputs.bucket}/${a.key}`);
  }
}

const ROLE_ATTEMPTS = 6;

/** The object versions to pin for the paths a request names. */
const pins = (input: { PluginsS3Path?: string; RequirementsS3Path?: string; StartupScriptS3Path?: string }, versions: Map<string, string>) => ({
  ...(input.PluginsS3Path ? { PluginsS3ObjectVersion: versions.get(input.PluginsS3Path) } : {}),
  ...(input.RequirementsS3Path ? { RequirementsS3ObjectVersion: versions.get(input.RequirementsS3Path) } : {}),
  ...(input.StartupScriptS3Path ? { StartupScriptS3ObjectVersion: versions.get(input.StartupScriptS3Path) } : {}),
});

/** CreateEnvironment or UpdateEnvironment, retried while MWAA cannot yet assume a just-created execution role. */
async function send(request: { kind: 'create'; input: Create['input'] } | { kind: 'update'; input: NonNullable<Update['input']> }, versions: Map<string, string>, o: ApplyOptions): Promise<string> {
  const name = request.input.Name;
  for (let attempt = 1; ; attempt++) {
    try {
      const pinned = pins(request.input, versions);
      const answer = request.kind === 'create' ? await o.mwaa.send(createEnvironment({ ...request.input, ...pinned })) : await o.mwaa.send(updateEnvironment({ ...request.input, ...pinned }));
      return answer.Arn ?? '';
    } catch (e) {
      // IAM is eventually consistent: a new role can be unknown to MWAA for a few seconds. Throttling
      // and server faults are the SDK's retries' business, not this loop's.
      const propagating = e instanceof MWAAServiceException && e.name === 'ValidationException' && /role/i.test(e.message);
      if (!propagating || attempt >= ROLE_ATTEMPTS) throw e;
      o.progress(`environment ${name}: the execution role is not usable yet, retrying (${attempt}/${ROLE_ATTEMPTS - 1})`);
      await sleep((o.roleRetryMs ?? 10_000) * attempt);
    }
  }
}

const elapsed = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
};

const SETTLING = new Set(['CREATING', 'UPDATING', 'CREATING_SNAPSHOT', 'ROLLING_BACK', 'MAINTENANCE']);
const FAILED = new Set(['CREATE_FAILED', 'UPDATE_FAILED']);

const oneLine = (env: Environment | undefined) => {
  const err = env?.LastUpdate?.Error;
  return err ? `${err.ErrorCode ?? 'error'}: ${err.ErrorMessage ?? ''}`.replace(/\s+/g, ' ').trim() : undefined;
};

/** The versions the environment should pin now that the objects are in place. */
const pinnedNow = (input: Create['input'], versions: Map<string, string>) => ({
  plugins: input.PluginsS3Path ? versions.get(input.PluginsS3Path) : undefined,
  requirements: input.RequirementsS3Path ? versions.get(input.RequirementsS3Path) : undefined,
  startup: input.StartupScriptS3Path ? versions.get(input.StartupScriptS3Path) : undefined,
});

/** Polls until the environment leaves the transitional statuses (or once, without wait). */
async function settle(name: string, o: ApplyOptions): Promise<EnvironmentState> {
  const started = Date.now();
  for (;;) {
    const e = await readEnvironment(o.mwaa, name);
    if (!e) throw new Error(`environment ${name} was created but MWAA no longer knows it`);
    o.progress(`environment ${name}: ${e.Status}${e.LastUpdate?.Status && SETTLING.has(e.Status ?? '') ? ` (last update ${e.LastUpdate.Status})` : ''} (${elapsed(Date.now() - started)})`);
    if (!o.wait || !SETTLING.has(e.Status ?? '')) return e;
    await sleep(o.pollMs);
  }
}

/** Creates the environment, or takes over the one an earlier run of this plan created before it could journal it. */
async function createStep(a: Create, versions: Map<string, string>, o: ApplyOptions): Promise<void> {
  const name = a.input.Name;
  if (o.journal.find('create-environment', (e) => e.name === name)) return;
  const existing = await readEnvironment(o.mwaa, name);
  if (existing) {
    const drift = environmentDrift(a.input, existing, pinnedNow(a.input, versions));
    if (drift.length > 0) throw stale(`an environment named ${name} appeared since planning, with other settings (${drift.map((d) => d.setting).slice(0, 3).join(', ')})`);
    o.progress(`environment ${name}: already created with the planned settings (an earlier run)`);
    o.journal.record({ step: 'create-environment', name, arn: existing.Arn ?? '' });
    return;
  }
  const arn = await send({ kind: 'create', input: a.input }, versions, o);
  o.journal.record({ step: 'create-environment', name, arn });
  o.progress(`environment ${name}: creation started`);
}

/** Updates the environment to the plan, after comparing it again: a re-run sends nothing once the update went through. */
async function updateStep(a: Update, versions: Map<string, string>, o: ApplyOptions): Promise<boolean> {
  const name = a.desired.Name;
  let current = await readEnvironment(o.mwaa, name);
  if (!current) throw stale(`the environment ${name} no longer exists`);
  // An update in flight (this plan's, from a killed run, or anyone's) must end before the comparison means anything.
  if (SETTLING.has(current.Status ?? '')) current = await settle(name, { ...o, wait: true });
  const input = updateInput(a.desired, environmentDrift(a.desired, current, pinnedNow(a.desired, versions)));
  if (!input) return Boolean(o.journal.find('update-environment', (e) => e.name === name));
  if (current.Status === 'CREATE_FAILED') throw new UsageError(`environment ${name} is CREATE_FAILED and cannot be updated: delete it (aws mwaa delete-environment --name ${name}) and run plan again`);
  const arn = await send({ kind: 'update', input }, versions, o);
  o.journal.record({ step: 'update-environment', name, arn });
  o.progress(`environment ${name}: update started (${Object.keys(input).filter((k) => k !== 'Name').join(', ')})`);
  return true;
}

/** Writes the secrets before the environment exists, so its first DAG runs find their connections. */
async function secretsStep(secrets: NonNullable<ApplyOptions['secrets']>, o: ApplyOptions): Promise<void> {
  const { part } = secrets;
  const { upsertSecrets } = await import('./secrets-manager.js');
  const r = await upsertSecrets({
    client: secrets.client,
    actions: part.actions,
    current: secrets.current,
    journal: o.journal,
    ...(part.kmsKey ? { kmsKeyId: part.kmsKey } : {}),
    onProgress: (p) => {
      if (p.written + p.skipped + p.failed === p.total) o.progress(`secrets: ${p.written} written, ${p.skipped} already in place${p.failed ? `, ${p.failed} failed` : ''}`);
    },
  });
  if (r.failures.length > 0) throw new UsageError(`apply stopped: ${r.failures.length} secret(s) not written: ${r.failures.map((f) => `${f.name} (${f.reason})`).join('; ')} (fix the cause and run apply again to resume)`);
}

export async function applyPlan(o: ApplyOptions): Promise<ApplyResult> {
  const { plan } = o;
  const env = plan.actions.find((a): a is Create | Update => a.kind === 'create-environment' || a.kind === 'update-environment');
  if (!env) throw new UsageError('the plan has no environment action');
  const name = env.kind === 'create-environment' ? env.input.Name : env.desired.Name;
  // The listing only reads, so it runs while the home is read again (it is not used if the plan
  // turns out stale); the bucket steps create nothing it could miss.
  const [built, { exists, objects: held }] = await Promise.all([freshArtifacts(plan), heldObjects(plan, o.s3)]);
  await bucketSteps(plan, exists, o);
  const { versions, uploaded, reused } = await uploads(plan, built, held, o);
  await deletes(plan, held, o);
  if (o.secrets) await secretsStep(o.secrets, o);

  let did: ApplyResult['environment'];
  if (env.kind === 'create-environment') {
    await createStep(env, versions, o);
    did = 'created';
  } else {
    did = (await updateStep(env, versions, o)) ? 'updated' : 'unchanged';
  }
  const e = await settle(name, o);
  const error = FAILED.has(e.Status ?? '') ? oneLine(e) : undefined;
  const notUpdatable = env.kind === 'update-environment' ? env.drift.filter((d) => !d.updatable) : [];
  return { environment: did, name, status: e.Status ?? 'UNKNOWN', ...(e.WebserverUrl ? { webserverUrl: e.WebserverUrl } : {}), ...(error ? { error } : {}), notUpdatable, uploaded, reused };
}
