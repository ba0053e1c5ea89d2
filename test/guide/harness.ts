import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, vi } from 'vitest';
import type { ApplyResult } from '../../src/aws/apply.js';
import type { Discovery } from '../../src/aws/discover.js';
import { defaultCore, type GuideCore } from '../../src/guide/core.js';
import { GuideController, type GuideOptions } from '../../src/guide/controller.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../../src/plan/plan.js';
import type { LineEdit } from '../../src/ui/types.js';
import { HOMES } from '../helpers.js';

// The walkthrough's controller with the real scanner and rules on a copy of the 2.x fixture, and
// fakes for everything that would reach AWS: shared by the controller and the key tests.

export const root = mkdtempSync(join(tmpdir(), 'guide-controller-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let homes = 0;
export function freshHome(): string {
  const home = join(root, `home${++homes}`, 'airflow');
  cpSync(join(HOMES, 'airflow2'), home, { recursive: true });
  return home;
}

export const DISCOVERY: Discovery = {
  identity: { ok: true, value: { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/alice' } },
  buckets: { ok: true, items: [] },
  roles: { ok: true, items: [{ name: 'other', arn: 'arn:aws:iam::123456789012:role/other', trustsMwaa: false }, { name: 'mwaa-exec', arn: 'arn:aws:iam::123456789012:role/mwaa-exec', trustsMwaa: true }] },
  vpcs: { ok: true, items: [{ id: 'vpc-1', cidr: '10.0.0.0/16', isDefault: true }, { id: 'vpc-2', cidr: '10.40.0.0/16', isDefault: false, name: 'airflow' }] },
  subnets: {
    ok: true,
    items: [
      { id: 'subnet-1a', vpcId: 'vpc-1', zone: 'us-east-1a', cidr: '10.0.1.0/24', public: true },
      { id: 'subnet-2a', vpcId: 'vpc-2', zone: 'us-east-1a', cidr: '10.40.1.0/24', public: false },
      { id: 'subnet-2c', vpcId: 'vpc-2', zone: 'us-east-1a', cidr: '10.40.3.0/24', public: false },
      { id: 'subnet-2b', vpcId: 'vpc-2', zone: 'us-east-1b', cidr: '10.40.2.0/24', public: false },
    ],
  },
  securityGroups: { ok: true, items: [{ id: 'sg-1', vpcId: 'vpc-1', name: 'default' }, { id: 'sg-2', vpcId: 'vpc-2', name: 'mwaa' }, { id: 'sg-3', vpcId: 'vpc-2', name: 'default' }] },
};

export const failing = { ok: false as const, error: 'AccessDenied: not allowed' };

export function planFor(home: string, name = 'airflow-mwaa'): Plan {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    tool: { name: 'mwaa-migrate', version: '0' },
    inputs: { home, target: '3.0.6', region: 'us-east-1', bucket: `airflow-${name}`, dagsPrefix: 'dags', files: [], findings: '' },
    blocking: { total: 1, byRule: [{ ruleId: 'IMP001', count: 1 }], listed: [{ ruleId: 'IMP001', file: 'dags/a.py', line: 1, message: 'm' }] },
    preflight: [],
    secrets: null,
    actions: [
      { kind: 'put-object', what: 'dag', key: 'dags/a.py', source: 'dags/a.py', size: 1, md5: 'x', change: 'create' },
      {
        kind: 'create-environment',
        change: 'create',
        input: {
          Name: name, SourceBucketArn: `arn:aws:s3:::airflow-${name}`, DagS3Path: 'dags', ExecutionRoleArn: 'arn:aws:iam::123456789012:role/mwaa-exec',
          NetworkConfiguration: { SubnetIds: ['subnet-2a', 'subnet-2b'], SecurityGroupIds: ['sg-3'] }, AirflowVersion: '3.0.6', EnvironmentClass: 'mw1.small',
          MinWorkers: 1, MaxWorkers: 3, Schedulers: 2, MinWebservers: 2, MaxWebservers: 2,
          LoggingConfiguration: { DagProcessingLogs: { Enabled: true, LogLevel: 'WARNING' }, SchedulerLogs: { Enabled: true, LogLevel: 'WARNING' }, WebserverLogs: { Enabled: true, LogLevel: 'WARNING' }, WorkerLogs: { Enabled: true, LogLevel: 'WARNING' }, TaskLogs: { Enabled: true, LogLevel: 'INFO' } },
          Tags: {}, WebserverAccessMode: 'PRIVATE_ONLY',
        },
      },
    ],
    notes: [],
    firstRun: { pausedAtCreation: true, unpause: [] },
    requirementsDiff: null,
    counts: { create: 2, update: 0, delete: 0, unchanged: 0 },
  } as Plan;
}

export const RESULT: ApplyResult = { environment: 'created', name: 'airflow-mwaa', status: 'AVAILABLE', webserverUrl: 'abc.airflow.amazonaws.com', notUpdatable: [], uploaded: 1, reused: 0 };

export function make(home: string, over: Partial<GuideCore> = {}, withHome = true, options: Partial<GuideOptions> = {}) {
  // The real core without the parts that call AWS: each test fakes those it needs.
  const { preflight: _preflight, secrets: _secrets, ...real } = defaultCore({ env: { HOME: join(home, '..') }, cwd: root, cache: false });
  const core: GuideCore = {
    ...real,
    discover: vi.fn(async () => DISCOVERY),
    bucketStatus: vi.fn(async () => 'free' as const),
    makePlan: vi.fn(async (r) => planFor(r.homePath, r.settings.name)),
    savePlan: vi.fn(),
    saveReport: vi.fn(),
    apply: vi.fn(async (_p, _f, _a, _ms, progress) => {
      progress('objects: 1/1 in place (1 uploaded)');
      progress('environment airflow-mwaa: creation started');
      return RESULT;
    }),
    savedRun: vi.fn(() => null),
    ...over,
  };
  const c = new GuideController(core, { ...(withHome ? { home } : {}), cwd: root, width: 100, height: 40, color: false, pollSeconds: 0.01, ...options });
  const ended = vi.fn();
  c.onEnd = ended;
  return { c, core, ended, v: () => c.getView(), a: c.actions };
}

export async function until(what: () => boolean, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !what(); await sleep(5)) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

/** From a fresh controller to the AWS step with its discovery read. */
export async function toAws(home: string, over: Partial<GuideCore> = {}, options: Partial<GuideOptions> = {}) {
  const t = make(home, over, true, options);
  t.c.start();
  await until(() => t.v().scan.status === 'done');
  t.a.next(); // findings
  t.a.next(); // target
  t.a.next(); // sizing
  t.a.next(); // aws
  await until(() => !t.v().aws.loading && !t.v().aws.fields.some((f) => f.hint === 'checking...'));
  await sleep(300);
  return t;
}


/** Replaces a line input's value as keys would: Ctrl-U, then the text. */
export function retype(edit: (e: LineEdit) => void, text: string): void {
  edit({ kind: 'clear' });
  edit({ kind: 'type', text });
}
