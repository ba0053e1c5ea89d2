import { basename, resolve } from 'node:path';
import type { BucketState, RemoteObject } from '../aws/s3-state.js';
import type { Finding } from '../check/types.js';
import { UsageError } from '../exit.js';
import { carryDecisions } from '../check/matchers/config.js';
import type { Inventory } from '../home/inventory.js';
import type { Sizing } from '../sizing/sizing.js';
import { TOOL_VERSION } from '../version.js';
import { sha256, type FileFingerprint, type ObjectArtifact } from './artifacts.js';
import { environmentDrift, updateInput, type Drift, type EnvironmentSettings, type UpdateEnvironmentInput } from './drift.js';
import type { PreflightCheck } from '../aws/preflight-text.js';
import { secretsBackendOptions } from '../secrets/mapping.js';
import { firstRun, pausedOption, type FirstRun } from './first-run.js';
import { refusedRouteLine, versionRoute } from './version-route.js';
import { startupObject, type StartupPlan } from './startup.js';
import type { SecretsPart, SecretsRequest } from '../secrets/step.js';
import type { FixesLeft, FixSettings, FixSummary } from './fixed.js';

// The Plan: what apply would do to move one home to MWAA, as one plain, versioned value
// (schema/plan.schema.json). Built by a pure function from the scanned home, its findings, the
// artifacts and what the bucket holds, so the same inputs always give the same plan.

export const PLAN_FORMAT_VERSION = 4;

export type Change = 'create' | 'update' | 'delete' | 'unchanged';

export type LogLevel = 'CRITICAL' | 'ERROR' | 'WARNING' | 'INFO' | 'DEBUG';

export interface ModuleLogging {
  Enabled: boolean;
  LogLevel: LogLevel;
}

/** The CreateEnvironment request (API 2020-07-01), less the object versions apply learns when it uploads. */
export interface CreateEnvironmentInput {
  Name: string;
  SourceBucketArn: string;
  DagS3Path: string;
  PluginsS3Path?: string;
  RequirementsS3Path?: string;
  StartupScriptS3Path?: string;
  ExecutionRoleArn: string;
  NetworkConfiguration: { SubnetIds: string[]; SecurityGroupIds: string[] };
  AirflowVersion: string;
  EnvironmentClass: string;
  MinWorkers: number;
  MaxWorkers: number;
  Schedulers: number;
  MinWebservers: number;
  MaxWebservers: number;
  AirflowConfigurationOptions?: Record<string, string>;
  LoggingConfiguration: {
    DagProcessingLogs: ModuleLogging;
    SchedulerLogs: ModuleLogging;
    WebserverLogs: ModuleLogging;
    WorkerLogs: ModuleLogging;
    TaskLogs: ModuleLogging;
  };
  Tags: Record<string, string>;
  WebserverAccessMode: 'PUBLIC_ONLY' | 'PRIVATE_ONLY';
  KmsKey?: string;
  WeeklyMaintenanceWindowStart?: string;
}

export type Action =
  | { kind: 'ensure-bucket'; bucket: string; change: 'create' | 'unchanged' }
  | { kind: 'enable-versioning'; bucket: string; change: 'update' | 'unchanged' }
  | { kind: 'block-public-access'; bucket: string; change: 'update' | 'unchanged' }
  | {
      kind: 'put-object';
      what: 'dag' | 'plugins' | 'requirements' | 'startup';
      key: string;
      source: string;
      size: number;
      md5: string;
      change: 'create' | 'update' | 'unchanged';
      /** For unchanged plugins.zip, requirements.txt and startup.sh: the version the environment will pin. */
      versionId?: string;
      /** With --fix, when the object holds fixed code: what the fixes changed (md5 is of the fixed bytes). */
      fixes?: FixSummary;
    }
  | { kind: 'delete-object'; key: string; size: number; change: 'delete' }
  | { kind: 'create-environment'; change: 'create'; input: CreateEnvironmentInput }
  | {
      kind: 'update-environment';
      /** unchanged: the environment already has the planned settings. */
      change: 'update' | 'unchanged';
      /** The environment's status when planned. */
      status: string;
      /** The settings wanted: apply compares the environment with them again before it updates. */
      desired: CreateEnvironmentInput;
      drift: Drift[];
      /** null when nothing updatable differs. */
      input: UpdateEnvironmentInput | null;
    };

export interface BlockingFinding {
  ruleId: string;
  file: string;
  line: number;
  message: string;
}

/**
 * The check's error findings: all counted, the first few listed. A large home has tens of
 * thousands (62,000 on the 10,000-file bench home: 18 MB of plan that apply read for a count);
 * `report` lists every one.
 */
export interface Blocking {
  total: number;
  /** Per rule id, most first. */
  byRule: { ruleId: string; count: number }[];
  /** The first BLOCKING_LISTED, in the check's order. */
  listed: BlockingFinding[];
}

export const BLOCKING_LISTED = 50;

export function blockingOf(findings: readonly Finding[]): Blocking {
  const errors = findings.filter((f) => f.severity === 'error');
  const counts = new Map<string, number>();
  for (const f of errors) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return {
    total: errors.length,
    byRule: [...counts].map(([ruleId, count]) => ({ ruleId, count })).sort((a, b) => b.count - a.count || (a.ruleId < b.ruleId ? -1 : 1)),
    listed: errors.slice(0, BLOCKING_LISTED).map((f) => ({ ruleId: f.ruleId, file: f.file, line: f.line, message: f.message })),
  };
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  tool: { name: 'mwaa-migrate'; version: string };
  inputs: {
    /** As given on the command line. */
    home: string;
    target: string;
    region: string;
    bucket: string;
    dagsPrefix: string;
    /** The --env-file the home was read with: apply reads the metadata DB settings through it again. */
    envFile?: string;
    /** With --fix: how the fixed code was made, for apply to make the same bytes again. */
    fix?: FixSettings;
    /** sha256 of every file the artifacts are made from. */
    files: FileFingerprint[];
    /** sha256 over the rule check's findings (rule, place, matched text). */
    findings: string;
  };
  blocking: Blocking;
  /** What was checked in AWS before anything is created (read-only calls); empty when not run. */
  preflight: PreflightCheck[];
  actions: Action[];
  /** Connections and variables to write to Secrets Manager; null when no source was named. */
  secrets: SecretsPart | null;
  /** What the requirements cleaning dropped, and the layout problems of plugins.zip. */
  notes: string[];
  requirementsDiff: string | null;
  /** The startup script the plan uploads (its whole text: it holds no secret); null when none. */
  startupScript: StartupPlan | null;
  /** Whether DAGs are created paused, and the order to unpause them in (the closing next steps). */
  firstRun: FirstRun;
  counts: Record<Change, number>;
  /** With --fix: the fixes left out because they may shift the meaning, and the findings of fixable rules left to a person. */
  fixesLeft?: FixesLeft;
}

export interface PlanSettings {
  home: string;
  target: string;
  region: string;
  name: string;
  bucket: string;
  dagsPrefix: string;
  executionRoleArn: string;
  subnetIds: string[];
  securityGroupIds: string[];
  environmentClass?: string;
  webserverAccessMode: 'PUBLIC_ONLY' | 'PRIVATE_ONLY';
  maintenanceWindow?: string;
  kmsKey?: string;
  tags: Record<string, string>;
  /** Delete objects under the DAG prefix that are no longer in the source. */
  delete: boolean;
  /** Connections and variables to move to Secrets Manager, when sources are named. */
  secrets?: SecretsRequest;
  envFile?: string;
  /** --unpaused: create the DAGs unpaused (core.dags_are_paused_at_creation False). */
  unpaused?: boolean;
  /** --fix: upload the fixed DAG and plugin files. */
  fix?: FixSettings;
}

/** What buildArtifacts makes, less the bytes. */
export interface PlanArtifacts {
  dags: ObjectArtifact[];
  plugins: ObjectArtifact | null;
  requirements: ObjectArtifact | null;
  startup: StartupPlan | null;
  fingerprints: FileFingerprint[];
  notes: string[];
  requirementsDiff: string | null;
}

const LEVELS: Record<string, LogLevel> = { CRITICAL: 'CRITICAL', FATAL: 'CRITICAL', ERROR: 'ERROR', WARNING: 'WARNING', WARN: 'WARNING', INFO: 'INFO', DEBUG: 'DEBUG' };

/** The home's [logging] logging_level ([core] before Airflow 2) as an MWAA level; INFO when unset or unknown. */
export function logLevel(inv: Inventory): LogLevel {
  const o = inv.config.options.find((o) => o.key === 'logging_level' && o.section === 'logging') ?? inv.config.options.find((o) => o.key === 'logging_level' && o.section === 'core');
  return LEVELS[(o?.value ?? '').trim().toUpperCase()] ?? 'INFO';
}

/** The partition an ARN names for a region. */
function partition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

// MWAA's tag pattern: letters, spaces, digits and _ . : / = + - @.
const tagSafe = (s: string, max: number) => s.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, max) || '_';

export const TOOL_TAG = 'mwaa-migrate:created-by';
export const HOME_TAG = 'mwaa-migrate:source-home';

/** The home's folder name: its full local path is a detail of the user's machine, not of their AWS account. */
const homeName = (home: string) => basename(resolve(home));

export function environmentInput(inv: Inventory, sizing: Sizing, s: PlanSettings, artifacts: Pick<PlanArtifacts, 'plugins' | 'requirements' | 'startup'>): CreateEnvironmentInput {
  const r = sizing.recommendation;
  const carried = {
    // The list `size` shows: the sizing's own, then what the home carries over (carryDecisions).
    ...Object.fromEntries(sizing.options.map((o) => [o.key, o.value])),
    // Where the moved connections and variables are read: these replace whatever backend the old home used.
    ...(s.secrets ? secretsBackendOptions({ airflowVersion: s.target, connectionsPrefix: s.secrets.connectionsPrefix, variablesPrefix: s.secrets.variablesPrefix }) : {}),
  };
  const options = { ...carried, ...pausedOption(carried, s.target, Boolean(s.unpaused)) };
  const level = logLevel(inv);
  const module = (LogLevel: LogLevel): ModuleLogging => ({ Enabled: true, LogLevel });
  return {
    Name: s.name,
    SourceBucketArn: `arn:${partition(s.region)}:s3:::${s.bucket}`,
    DagS3Path: s.dagsPrefix,
    ...(artifacts.plugins ? { PluginsS3Path: artifacts.plugins.key } : {}),
    ...(artifacts.requirements ? { RequirementsS3Path: artifacts.requirements.key } : {}),
    ...(artifacts.startup ? { StartupScriptS3Path: artifacts.startup.key } : {}),
    ExecutionRoleArn: s.executionRoleArn,
    NetworkConfiguration: { SubnetIds: s.subnetIds, SecurityGroupIds: s.securityGroupIds },
    AirflowVersion: s.target,
    EnvironmentClass: s.environmentClass ?? r.environmentClass.value,
    MinWorkers: r.minWorkers.value,
    MaxWorkers: r.maxWorkers.value,
    Schedulers: r.schedulers.value,
    MinWebservers: r.minWebservers.value,
    MaxWebservers: r.maxWebservers.value,
    ...(Object.keys(options).length ? { AirflowConfigurationOptions: options } : {}),
    LoggingConfiguration: {
      DagProcessingLogs: module(level),
      SchedulerLogs: module(level),
      WebserverLogs: module(level),
      WorkerLogs: module(level),
      TaskLogs: module('INFO'),
    },
    Tags: Object.fromEntries(
      Object.entries({ ...s.tags, [TOOL_TAG]: 'mwaa-migrate', [HOME_TAG]: homeName(s.home) }).map(([k, v]) => [tagSafe(k, 128), tagSafe(v, 256)]),
    ),
    WebserverAccessMode: s.webserverAccessMode,
    ...(s.kmsKey ? { KmsKey: s.kmsKey } : {}),
    ...(s.maintenanceWindow ? { WeeklyMaintenanceWindowStart: s.maintenanceWindow } : {}),
  };
}

type Put = Extract<Action, { kind: 'put-object' }>;

/** Objects written before versioning was enabled have the version "null", which MWAA cannot pin. */
export const pinnable = (v: string | undefined): v is string => v !== undefined && v !== 'null';

function putObject(what: Put['what'], a: ObjectArtifact, remote: Map<string, RemoteObject>): Put {
  const held = remote.get(a.key);
  const pinned = what !== 'dag';
  // An unversioned copy of a pinned object must be written again to get a version MWAA can pin.
  const change = !held ? 'create' : held.etag === a.md5 && (!pinned || pinnable(held.versionId)) ? 'unchanged' : 'update';
  return {
    kind: 'put-object',
    what,
    key: a.key,
    source: a.source,
    size: a.size,
    md5: a.md5,
    change,
    ...(change === 'unchanged' && pinned ? { versionId: held!.versionId! } : {}),
    ...(a.fixes ? { fixes: a.fixes } : {}),
  };
}

/** The versions the environment would pin: those already in the bucket, or NEW_UPLOAD for what apply will write. */
export function pinnedObjects(actions: Action[]): { plugins?: string; requirements?: string; startup?: string } {
  const version = (what: Put['what']) => actions.find((a): a is Put => a.kind === 'put-object' && a.what === what)?.versionId;
  return { plugins: version('plugins'), requirements: version('requirements'), startup: version('startup') };
}

/** A stable hash of the findings: what matched where, not how it is worded. */
export function findingsFingerprint(findings: Finding[]): string {
  // Each row's JSON made once, then sorted by code unit: made in the comparator, for 135,000
  // findings, it took a second.
  const rows = findings.map((f) => JSON.stringify([f.ruleId, f.file, f.line, f.col, f.text])).sort();
  return `sha256:${sha256(`[${rows.join(',')}]`)}`;
}

export interface PlanInput {
  inventory: Inventory;
  findings: Finding[];
  sizing: Sizing;
  settings: PlanSettings;
  artifacts: PlanArtifacts;
  bucket: BucketState;
  /** What GetEnvironment said about an environment of the planned name; undefined when there is none. */
  environment: (EnvironmentSettings & { Status?: string }) | undefined;
  secrets?: SecretsPart;
  /** What "now" is for the runs catchup DAGs would backfill (src/clock.ts). */
  now: Date;
  fixesLeft?: FixesLeft;
}

const SECRET_CHANGE: Record<SecretsPart['actions'][number]['change'], Change> = {
  create: 'create',
  update: 'update',
  'restore-and-update': 'update',
  unchanged: 'unchanged',
  'conflict-skipped': 'unchanged',
  conflict: 'unchanged',
};

export function buildPlan({ inventory, findings, sizing, settings: s, artifacts, bucket, environment, secrets, now, fixesLeft }: PlanInput): Plan {
  const route = environment?.AirflowVersion ? versionRoute(environment.AirflowVersion, s.target) : { kind: 'same' as const };
  if (route.kind === 'refused') throw new UsageError(refusedRouteLine(s.name, route, s.target));
  const remote = new Map([...bucket.dagObjects, ...bucket.others].map((o) => [o.key, o]));
  const actions: Action[] = [
    { kind: 'ensure-bucket', bucket: s.bucket, change: bucket.exists ? 'unchanged' : 'create' },
    { kind: 'enable-versioning', bucket: s.bucket, change: bucket.versioning ? 'unchanged' : 'update' },
    { kind: 'block-public-access', bucket: s.bucket, change: bucket.publicAccessBlocked ? 'unchanged' : 'update' },
    ...artifacts.dags.map((a) => putObject('dag', a, remote)),
    ...(artifacts.plugins ? [putObject('plugins', artifacts.plugins, remote)] : []),
    ...(artifacts.requirements ? [putObject('requirements', artifacts.requirements, remote)] : []),
    ...(artifacts.startup ? [putObject('startup', startupObject(artifacts.startup), remote)] : []),
  ];
  if (s.delete) {
    const wanted = new Set(artifacts.dags.map((a) => a.key));
    for (const o of bucket.dagObjects) {
      // Only what lies under the owned prefix; the listing was made with it, this guards the invariant.
      if (o.key.startsWith(`${s.dagsPrefix}/`) && !wanted.has(o.key)) actions.push({ kind: 'delete-object', key: o.key, size: o.size, change: 'delete' });
    }
  }
  const desired = environmentInput(inventory, sizing, s, artifacts);
  if (!environment) actions.push({ kind: 'create-environment', change: 'create', input: desired });
  else {
    // An environment of that name exists (an earlier run, or made by hand): update it, never a second one.
    const drift = environmentDrift(desired, environment, pinnedObjects(actions));
    const input = updateInput(desired, drift);
    actions.push({ kind: 'update-environment', change: input ? 'update' : 'unchanged', status: environment.Status ?? 'UNKNOWN', desired, drift, input });
  }
  const counts: Record<Change, number> = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const a of actions) counts[a.change]++;
  for (const a of secrets?.actions ?? []) counts[SECRET_CHANGE[a.change]]++;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    tool: { name: 'mwaa-migrate', version: TOOL_VERSION },
    inputs: {
      home: s.home,
      target: s.target,
      region: s.region,
      bucket: s.bucket,
      dagsPrefix: s.dagsPrefix,
      ...(s.envFile !== undefined ? { envFile: s.envFile } : {}),
      ...(s.fix ? { fix: s.fix } : {}),
      files: [...artifacts.fingerprints].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      findings: findingsFingerprint(findings),
    },
    blocking: blockingOf(findings),
    preflight: [],
    actions,
    secrets: secrets ?? null,
    notes: [...artifacts.notes, ...backendNotes(inventory, s), ...(route.kind === 'in-place' ? [route.note] : [])],
    requirementsDiff: artifacts.requirementsDiff,
    startupScript: artifacts.startup,
    firstRun: firstRun(inventory, s.target, now, !s.unpaused),
    counts,
    ...(fixesLeft ? { fixesLeft } : {}),
  };
}

/** What becomes of a secrets backend MWAA cannot use, which the plan never sends (SEC009). */
function backendNotes(inv: Inventory, s: PlanSettings): string[] {
  const d = carryDecisions(inv, s.target).find((d) => d.skipped === 'backend' && d.option.section === 'secrets' && d.option.key === 'backend');
  if (!d) return [];
  const head = `[secrets] backend = ${d.option.value}: MWAA cannot use it and the plan does not send it`;
  return [
    s.secrets
      ? `${head}; the Secrets Manager backend takes its place for the connections and variables the plan moves, and any others it served will be missing`
      : `${head}; no connections or variables are moved (plan with --env-file, --secrets-env-file, --connections-file or --from-metadata-db), so the environment will have none of those it served`,
  ];
}

/** Whether applying the plan would change anything. */
export const hasChanges = (plan: Plan): boolean => plan.counts.create + plan.counts.update + plan.counts.delete > 0;

/** The settings the environment should have, whether it is to be created or updated. */
export function desiredEnvironment(plan: Plan): CreateEnvironmentInput | undefined {
  const env = plan.actions.find((a) => a.kind === 'create-environment' || a.kind === 'update-environment');
  return env && (env.kind === 'create-environment' ? env.input : env.desired);
}

/**
 * Why the plan should not be applied as it is (each a line); empty when nothing stands in the way.
 * `overridable` gives way to --allow-errors; `hard` (secrets that would be overwritten without
 * --on-conflict overwrite) never does.
 */
export function refusals(plan: Plan): { overridable: string[]; hard: string[] } {
  const overridable: string[] = [];
  if (plan.blocking.total) overridable.push(`${plan.blocking.total} error finding(s) in the home`);
  const failed = plan.preflight.filter((c) => c.status === 'fail');
  if (failed.length) overridable.push(`${failed.length} failed preflight check(s): ${failed.map((c) => c.id).join(', ')}`);
  const conflicts = plan.secrets?.actions.filter((a) => a.change === 'conflict') ?? [];
  const hard = conflicts.length ? [`${conflicts.length} secret(s) already exist with other values (plan again with --on-conflict skip or overwrite): ${conflicts.map((a) => a.name).join(', ')}`] : [];
  return { overridable, hard };
}
