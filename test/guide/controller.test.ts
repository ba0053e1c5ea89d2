import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ApplyResult } from '../../src/aws/apply.js';
import type { Discovery } from '../../src/aws/discover.js';
import { targetVersions } from '../../src/refdata/mwaa.js';
import { defaultCore, type GuideCore } from '../../src/guide/core.js';
import { EXIT_INTERRUPTED, GuideController, migrateCommandLine, suggestBucket, defaultName } from '../../src/guide/controller.js';
import type { Plan } from '../../src/plan/plan.js';
import { HOMES, leakedCanaries } from '../helpers.js';

// The state machine with the real scanner and rules on a copy of the 2.x fixture, and fakes for
// everything that would reach AWS.

const root = mkdtempSync(join(tmpdir(), 'guide-controller-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let homes = 0;
function freshHome(): string {
  const home = join(root, `home${++homes}`, 'airflow');
  cpSync(join(HOMES, 'airflow2'), home, { recursive: true });
  return home;
}

const DISCOVERY: Discovery = {
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

const failing = { ok: false as const, error: 'AccessDenied: not allowed' };

function planFor(home: string, name = 'airflow-mwaa'): Plan {
  return {
    formatVersion: 2,
    tool: { name: 'mwaa-migrate', version: '0' },
    inputs: { home, target: '3.0.6', region: 'us-east-1', bucket: `airflow-${name}`, dagsPrefix: 'dags', files: [], findings: '' },
    blocking: [{ ruleId: 'IMP001', file: 'dags/a.py', line: 1, message: 'm' }],
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
    requirementsDiff: null,
    counts: { create: 2, update: 0, delete: 0, unchanged: 0 },
  } as Plan;
}

const RESULT: ApplyResult = { environment: 'created', name: 'airflow-mwaa', status: 'AVAILABLE', webserverUrl: 'abc.airflow.amazonaws.com', notUpdatable: [], uploaded: 1, reused: 0 };

function make(home: string, over: Partial<GuideCore> = {}, withHome = true) {
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
  const c = new GuideController(core, { ...(withHome ? { home } : {}), cwd: root, width: 100, height: 40, color: false, pollSeconds: 0.01 });
  const ended = vi.fn();
  c.onEnd = ended;
  return { c, core, ended, v: () => c.getView(), a: c.actions };
}

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !what(); await sleep(5)) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

/** From a fresh controller to the AWS step with its discovery read. */
async function toAws(home: string, over: Partial<GuideCore> = {}) {
  const t = make(home, over);
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

describe('the walkthrough controller', () => {
  it('detects candidates, validates and completes typed paths, and scans the home chosen', async () => {
    const home = freshHome();
    const t = make(home, {}, false);
    // $HOME/airflow is offered first (HOME is its parent here).
    expect(t.v().home.candidates.map((c) => c.why)).toContain('~/airflow');
    t.a.setHomeInput(join(root, 'nope'));
    expect(t.v().home.probe?.status).toBe('missing');
    t.a.next();
    expect(t.v().step).toBe('home');
    t.a.setHomeInput(join(home, '..', 'air'));
    t.a.completeHome();
    expect(t.v().home.input).toBe(`${join(home, '..')}/airflow/`);
    expect(t.v().home.probe).toEqual({ status: 'airflow', detail: 'airflow.cfg and dags/ found' });
    t.a.next();
    expect(t.v().step).toBe('scan');
    await until(() => t.v().scan.status === 'done');
    const s = t.v().scan.summary!;
    expect(s.version).toBe('Airflow 2.7.2');
    expect(s.counts).toContainEqual(['DAGs', 9]);
    expect(s.histogram.reduce((n, r) => n + r.total, 0)).toBe(s.findings.total);
  });

  it('orders findings by severity and family, accepts, ignores and re-checks', async () => {
    const home = freshHome();
    const t = make(home);
    t.c.start();
    await until(() => t.v().scan.status === 'done');
    t.a.next();
    const items = t.v().findings.items;
    const ranks = items.map((i) => ['error', 'warning', 'info'].indexOf(i.severity));
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    expect(items.some((i) => i.excerpt?.some((l) => l.hit))).toBe(true);
    const first = items[0]!;
    t.a.acceptFinding();
    expect(t.v().findings.items.length).toBeLessThan(items.length);
    expect(t.v().findings.notice).toMatch(/accepted \(written to \.mwaa-migrate\.yaml\)/);
    t.a.ignoreRule();
    const project = readFileSync(join(home, '.mwaa-migrate.yaml'), 'utf8');
    expect(project).toContain(`rule: ${first.ruleId}`);
    expect(t.v().findings.suppressed).toBeGreaterThan(1);
    t.a.recheck();
    expect(t.v().findings.rechecking).toBe(true);
    await until(() => !t.v().findings.rechecking);
    expect(t.v().findings.notice).toMatch(/^re-checked: \d+ finding/);
    t.a.move(1000);
    expect(t.v().findings.cursor).toBe(t.v().findings.items.length - 1);
  });

  it('lists every offered version with its findings, and choosing one re-checks', async () => {
    const t = make(freshHome());
    t.c.start();
    await until(() => t.v().scan.status === 'done');
    t.a.next();
    t.a.next();
    expect(t.v().target.rows.map((r) => r.version)).toEqual(targetVersions().map((v) => v.version));
    const before = t.v().findings.items.length;
    t.a.move(-100);
    const oldest = t.v().target.rows[0]!;
    t.a.next();
    expect(t.v().step).toBe('sizing');
    expect(t.v().target.chosen).toBe(oldest.version);
    expect(t.v().findings.items.length).toBe(oldest.findings.total);
    expect(t.v().findings.items.length).not.toBe(before);
    expect(t.v().sizing.rows.find((r) => r.role === 'recommended')?.environmentClass).toBe(t.v().sizing.chosen);
    t.a.back();
    expect(t.v().step).toBe('target');
  });

  it('AWS: preselects what MWAA can use, suggests a bucket, and refuses invalid fields', async () => {
    const preflight = vi.fn(async () => [{ name: 'role', status: 'ok' as const, detail: 'MWAA can assume it' }]);
    const t = await toAws(freshHome(), { preflight });
    const value = (k: string) => t.v().aws.fields.find((f) => f.key === k)!;
    expect(t.v().aws.account).toMatch(/^123456789012/);
    expect(value('role').value).toBe('arn:aws:iam::123456789012:role/mwaa-exec');
    expect(value('vpc').value).toBe('vpc-2');
    expect(value('subnets').value).toBe('subnet-2a,subnet-2b');
    expect(value('securityGroups').value).toBe('sg-3');
    expect(value('bucket')).toMatchObject({ value: 'airflow-mwaa-123456789012', hint: 'does not exist: will be created' });
    await until(() => t.v().aws.preflight.status === 'done');
    expect(preflight).toHaveBeenCalledWith(expect.objectContaining({ settings: expect.objectContaining({ subnetIds: ['subnet-2a', 'subnet-2b'] }), environment: expect.objectContaining({ NetworkConfiguration: { SubnetIds: ['subnet-2a', 'subnet-2b'], SecurityGroupIds: expect.any(Array) } }) }));

    // Subnets (listed 2a, 2c in us-east-1a, 2b in us-east-1b): two, in two zones.
    t.a.focusField(6);
    expect(t.v().aws.fields[t.v().aws.focus]!.key).toBe('subnets');
    t.a.toggleOption(); // 2a off: [2b]
    expect(value('subnets').error).toBe('choose exactly two private subnets');
    t.a.cycleOption(1);
    t.a.toggleOption(); // 2c on: [2b, 2c]
    expect(value('subnets').error).toBeUndefined();
    t.a.cycleOption(1);
    t.a.toggleOption(); // 2b off: [2c]
    t.a.cycleOption(-2);
    t.a.toggleOption(); // 2a on: [2c, 2a], one zone
    expect(value('subnets').error).toBe('the two subnets must be in different zones');
    t.a.next();
    expect(t.v().step).toBe('aws');
    expect(t.v().aws.notice).toMatch(/fix the fields/);

    t.a.focusField(-6);
    t.a.setField('9bad');
    expect(value('name').error).toBeDefined();
    t.a.setField('prod');
    expect(value('bucket').value).toBe('airflow-prod-123456789012');
  });

  it('AWS: typed fields when the lists cannot be read; no preflight means "not checked"', async () => {
    const t = await toAws(freshHome(), { discover: vi.fn(async () => ({ ...DISCOVERY, roles: failing, vpcs: failing, subnets: failing, securityGroups: failing })) });
    const fields = t.v().aws.fields;
    expect(fields.filter((f) => ['role', 'subnets', 'securityGroups'].includes(f.key)).map((f) => f.kind)).toEqual(['text', 'text', 'text']);
    expect(fields.find((f) => f.key === 'role')!.hint).toMatch(/cannot list roles \(AccessDenied: not allowed\)/);
    expect(t.v().aws.preflight.status).toBe('absent');
    const type = (key: string, text: string) => {
      t.a.focusField(fields.findIndex((f) => f.key === key) - t.v().aws.focus);
      t.a.setField(text);
    };
    type('role', 'arn:aws:iam::123456789012:role/mwaa-exec');
    type('subnets', 'subnet-0a, subnet-0b');
    type('securityGroups', 'sg-0a');
    expect(t.v().aws.fields.filter((f) => f.error)).toEqual([]);
    t.a.next();
    expect(t.v().step).toBe('connections');
  });

  it('shows connections and variables by name, makes the plan, asks for the name, applies and ends done', async () => {
    const secrets = { preview: vi.fn(async () => ({ lines: ['2 secrets to create'], conflicts: ['airflow/connections/x exists'] })) };
    const t = await toAws(freshHome(), { secrets });
    t.a.next();
    const c = t.v().connections;
    expect(c.connections.map((x) => x.id).sort()).toEqual(['aws_default', 'my_postgres', 'partner_api']);
    expect(c.sources).toEqual([{ label: '.env', connections: 3, variables: 4 }]);
    await until(() => t.v().connections.secrets.status === 'done');
    expect(t.v().connections.conflicts).toContain('airflow/connections/x exists');
    expect(leakedCanaries(JSON.stringify(t.v()))).toEqual([]);

    t.a.next();
    await until(() => t.v().plan.status === 'ready');
    expect(t.core.savePlan).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/\.mwaa-migrate\/plan\.json$/));
    expect(t.v().plan.lines[0]).toMatch(/^mwaa-migrate plan: /);
    t.a.setConfirm('nope');
    t.a.next();
    expect(t.v().plan.error).toMatch(/type the environment name, airflow-mwaa/);
    t.a.setConfirm('airflow-mwaa');
    t.a.next();
    await until(() => t.v().step === 'done');
    // The home's .env holds AIRFLOW_CONN_/AIRFLOW_VAR_ entries: the plan moves them, and the preview saw the same request.
    expect(secrets.preview).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ secrets: expect.objectContaining({ sources: [{ kind: 'env-file', file: expect.stringMatching(/\.env$/) }] }) }), expect.anything());
    expect((t.core.makePlan as ReturnType<typeof vi.fn>).mock.calls[0]![0].settings.secrets).toMatchObject({ connectionsPrefix: 'airflow/connections', onConflict: 'fail' });
    expect(t.v().done).toMatchObject({ url: 'https://abc.airflow.amazonaws.com', status: 'AVAILABLE (created)' });
    expect(t.v().done.command).toMatch(/^mwaa-migrate migrate \S+ --name airflow-mwaa .* --allow-errors$/);
    t.a.next();
    expect(t.ended).toHaveBeenCalledWith({ code: 0, message: '', busy: false });
  });

  it('says what state things are in when left, at each stage', async () => {
    const early = make(freshHome());
    early.c.start();
    await until(() => early.v().scan.status === 'done');
    early.a.quit();
    expect(early.ended).toHaveBeenCalledWith({ code: EXIT_INTERRUPTED, message: 'Stopped: nothing was written to AWS.\n', busy: false });

    let release = () => {};
    const t = await toAws(freshHome(), {
      apply: vi.fn(
        (_p, _f, _a, _ms, progress) =>
          new Promise<ApplyResult>((resolve) => {
            progress('objects: 0/1 in place (0 uploaded)');
            release = () => resolve(RESULT);
          }),
      ),
    });
    t.a.next();
    t.a.next();
    await until(() => t.v().plan.status === 'ready');
    t.a.setConfirm('airflow-mwaa');
    t.a.next();
    expect(t.v().step).toBe('apply');
    t.a.back();
    expect(t.v().step).toBe('apply');
    t.a.quit();
    const outcome = t.ended.mock.calls[0]![0];
    expect(outcome).toMatchObject({ code: EXIT_INTERRUPTED, busy: true });
    expect(outcome.message).toMatch(/^Stopped while applying\. Every step finished so far is recorded in .*plan\.json\.journal\.jsonl/);
    expect(outcome.message).toMatch(/Resume with: mwaa-migrate guide .*airflow/);
    release();
  });

  it('offers to continue a saved run and applies its plan file again', async () => {
    const home = freshHome();
    const saved = { planFile: join(home, '.mwaa-migrate', 'plan.json'), plan: planFor(home, 'etl'), stepsDone: 4 };
    const t = make(home, { savedRun: vi.fn(() => saved) });
    t.c.start();
    expect(t.v().step).toBe('resume');
    expect(t.v().resume).toMatchObject({ name: 'etl', stepsDone: 4 });
    t.a.next();
    await until(() => t.v().step === 'done');
    expect(t.core.apply).toHaveBeenCalledWith(saved.plan, saved.planFile, expect.anything(), 10, expect.any(Function));

    const again = make(home, { savedRun: vi.fn(() => saved) });
    again.c.start();
    again.a.move(1);
    again.a.next();
    expect(again.v().step).toBe('scan');
  });
});

describe('names', () => {
  it('derives a valid environment name and an airflow- bucket', () => {
    expect(defaultName('/x/airflow')).toBe('airflow-mwaa');
    expect(defaultName('/x/2024 prod')).toBe('prod-mwaa');
    expect(suggestBucket('Prod_ETL', '123456789012')).toBe('airflow-prod-etl-123456789012');
    expect(suggestBucket('airflow', '123456789012')).toBe('airflow-123456789012');
  });

  it('writes the equivalent migrate command line', () => {
    const plan = planFor('/srv/af');
    expect(migrateCommandLine(plan, { allowErrors: false, profile: 'prod' })).toBe(
      'mwaa-migrate migrate /srv/af --name airflow-mwaa --bucket airflow-airflow-mwaa --execution-role-arn arn:aws:iam::123456789012:role/mwaa-exec --subnet-ids subnet-2a,subnet-2b --security-group-ids sg-3 --class mw1.small --region us-east-1 --target-version 3.0.6 --profile prod',
    );
  });
});
