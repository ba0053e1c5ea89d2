import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ApplyResult } from '../../src/aws/apply.js';
import { targetVersions } from '../../src/refdata/mwaa.js';
import { migrateCommandLine } from '../../src/guide/command.js';
import { defaultCore } from '../../src/guide/core.js';
import { countsOf } from '../../src/guide/summary.js';
import { EXIT_INTERRUPTED, suggestBucket, defaultName } from '../../src/guide/controller.js';
import type { Plan } from '../../src/plan/plan.js';
import { leakedCanaries } from '../helpers.js';
import { DISCOVERY, failing, freshHome, make, planFor, RESULT, retype, root, toAws, until } from './harness.js';

// The state machine with the real scanner and rules on a copy of the 2.x fixture, and fakes for
// everything that would reach AWS (./harness.ts).

describe('the walkthrough controller', () => {
  it('detects candidates, validates and completes typed paths, and scans the home chosen', async () => {
    const home = freshHome();
    const t = make(home, {}, false);
    // $HOME/airflow is offered first (HOME is its parent here).
    expect(t.v().home.candidates.map((c) => c.why)).toContain('~/airflow');
    retype(t.a.editHome, join(root, 'nope'));
    expect(t.v().home.probe?.status).toBe('missing');
    t.a.next();
    expect(t.v().step).toBe('home');
    retype(t.a.editHome, join(home, '..', 'air'));
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
    const check = vi.fn(defaultCore({ env: { HOME: join(home, '..') }, cwd: root, cache: false }).check);
    const t = make(home, { check });
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
    // Accepting and ignoring check nothing again (the chosen version's check: the scan's, and one of each other version at most).
    expect(check.mock.calls.filter((c) => c[1] === t.v().target.chosen)).toHaveLength(1);
    const { items: shown, total, suppressed } = t.v().findings;
    t.a.recheck();
    expect(t.v().findings.rechecking).toBe(true);
    await until(() => !t.v().findings.rechecking);
    expect(t.v().findings.notice).toMatch(/^re-checked: \d+ finding/);
    // What they showed is what a check with the project file gives.
    expect(t.v().findings).toMatchObject({ items: shown, total, suppressed });
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

  it('checks only the chosen version; the others are counted between keys, or when the target step opens', async () => {
    const home = freshHome();
    const real = defaultCore({ env: { HOME: join(home, '..') }, cwd: root, cache: false });
    const check = vi.fn(real.check);
    const t = make(home, { check });
    const versions = targetVersions().map((v) => v.version);
    const checked = () => check.mock.calls.map((c) => c[1]);
    t.c.start();
    await until(() => t.v().scan.status === 'done');
    const chosen = t.v().target.chosen;
    expect(checked()[0]).toBe(chosen);
    const inventory = check.mock.calls[0]![0];
    // Left alone, the walkthrough counts every other version, each once.
    await until(() => check.mock.calls.length === versions.length);
    expect([...checked()].sort()).toEqual([...versions].sort());

    t.a.next(); // findings
    check.mockClear();
    t.a.acceptFinding();
    t.a.ignoreRule();
    t.a.next(); // target
    expect(t.v().step).toBe('target');
    // Nothing checked: the accepted finding and the ignored rule leave every version's count as a check of it now would.
    expect(checked()).toEqual([]);
    for (const row of t.v().target.rows) expect(row.findings).toEqual(countsOf(real.check(inventory, row.version).result.findings));

    // After a re-check, what was not counted between keys is counted when the step opens: each version once.
    t.a.back();
    check.mockClear();
    t.a.recheck();
    await until(() => !t.v().findings.rechecking);
    t.a.next();
    expect(t.v().step).toBe('target');
    expect([...checked()].sort()).toEqual([...versions].sort());

    // Another version: its check alone, the counts stand.
    check.mockClear();
    t.a.move(-100);
    t.a.next();
    expect(t.v().step).toBe('sizing');
    expect(checked()).toEqual([versions[0]]);
  });

  it('checks the files for the chosen version as the scan reads them: what a check after the scan gives, and only once', async () => {
    const home = freshHome();
    const core = defaultCore({ env: { HOME: join(home, '..') }, cwd: root, cache: false });
    const target = core.defaultTarget();
    const inventory = await core.scan(home, undefined, () => {}, target);
    const during = core.check(inventory, target);
    const after = defaultCore({ env: { HOME: join(home, '..') }, cwd: root, cache: false }).check(inventory, target);
    expect(during.result).toEqual(after.result);
    // The next check reads the project file as it is then.
    core.suppress(home, { kind: 'rule', rule: during.result.findings[0]!.ruleId });
    expect(core.check(inventory, target).result.suppressed.length).toBeGreaterThan(during.result.suppressed.length);
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
    retype(t.a.editField, '9bad');
    expect(value('name').error).toBeDefined();
    retype(t.a.editField, 'prod');
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
      retype(t.a.editField, text);
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
    retype(t.a.editConfirm, 'nope');
    t.a.next();
    expect(t.v().plan.error).toMatch(/type the environment name, airflow-mwaa/);
    retype(t.a.editConfirm, 'airflow-mwaa');
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
    retype(t.a.editConfirm, 'airflow-mwaa');
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

describe('what the walkthrough keeps and reproduces', () => {
  it('restores the AWS choices, the version and the size from the plan a stopped run saved', async () => {
    const home = freshHome();
    const other = targetVersions().find((v) => v.version !== '3.0.6' && v.inApiModel)!.version;
    const saved = planFor(home, 'etl-prod');
    const env = (saved.actions[1] as Extract<Plan['actions'][number], { kind: 'create-environment' }>).input;
    Object.assign(env, { ExecutionRoleArn: 'arn:aws:iam::123456789012:role/other', NetworkConfiguration: { SubnetIds: ['subnet-2c', 'subnet-2b'], SecurityGroupIds: ['sg-2'] }, EnvironmentClass: 'mw1.medium' });
    Object.assign(saved.inputs, { bucket: 'airflow-kept-bucket', region: 'us-west-2', target: other });
    mkdirSync(join(home, '.mwaa-migrate'));
    writeFileSync(join(home, '.mwaa-migrate', 'plan.json'), JSON.stringify(saved));
    const t = await toAws(home);
    const value = (key: string) => t.v().aws.fields.find((f) => f.key === key)!.value;
    expect(['name', 'bucket', 'region', 'role', 'vpc', 'subnets', 'securityGroups'].map(value)).toEqual(['etl-prod', 'airflow-kept-bucket', 'us-west-2', 'arn:aws:iam::123456789012:role/other', 'vpc-2', 'subnet-2c,subnet-2b', 'sg-2']);
    expect([t.v().target.chosen, t.v().sizing.chosen]).toEqual([other, 'mw1.medium']);
    // A --region given now wins over the plan's.
    const flagged = await toAws(home, {}, { region: 'eu-west-1' });
    expect(flagged.v().aws.fields.find((f) => f.key === 'region')!.value).toBe('eu-west-1');
  });

  it('filters the findings by severity, rule, file and family, and jumps file by file', async () => {
    const t = make(freshHome());
    t.c.start();
    await until(() => t.v().scan.status === 'done');
    t.a.next();
    const f = () => t.v().findings;
    const all = f().total;
    expect(f().items).toHaveLength(all);
    t.a.filterFindings('severity');
    expect(f().filter.severity).toBe('error');
    expect(f().items.length).toBeGreaterThan(0);
    expect(f().items.every((i) => i.severity === 'error')).toBe(true);
    t.a.move(2);
    const rule = f().items[f().cursor]!.ruleId;
    t.a.filterFindings('rule');
    expect(f().items.every((i) => i.ruleId === rule && i.severity === 'error')).toBe(true);
    expect(f().items[f().cursor]!.ruleId).toBe(rule);
    t.a.filterFindings('clear');
    expect([f().items.length, f().filter]).toEqual([all, { severity: null, family: null, rule: null, file: null }]);
    const file = (i: number) => f().items[i]!.location.replace(/:\d+$/, '');
    const from = file(f().cursor);
    t.a.jumpFile(1);
    expect(file(f().cursor)).not.toBe(from);
    expect(file(f().cursor - 1)).toBe(from);
    const here = file(f().cursor);
    t.a.filterFindings('file');
    expect(f().items.every((i) => i.location.startsWith(`${here}:`) || i.location === here)).toBe(true);
    t.a.filterFindings('file');
    t.a.filterFindings('family');
    expect(new Set(f().items.map((i) => i.family)).size).toBe(1);
    t.a.move(-f().items.length);
    t.a.jumpFile(-1);
    expect(f().cursor).toBe(0);
  });

  it("Done's command has the run's endpoints and profile, and --allow-errors only when the plan confirmed needed it", async () => {
    const flags = { endpointUrl: 'http://127.0.0.1:5000', mwaaEndpointUrl: 'http://127.0.0.1:5001', profile: 'prod' };
    const home = freshHome();
    const done = async (blocking: boolean) => {
      const t = await toAws(home, { makePlan: vi.fn(async (r) => ({ ...planFor(r.homePath, r.settings.name), ...(blocking ? {} : { blocking: { total: 0, byRule: [], listed: [] } }) })) }, flags);
      t.a.next();
      t.a.next();
      await until(() => t.v().plan.status === 'ready');
      expect(t.v().plan.overrides).toEqual(blocking ? ['1 error finding(s) in the home'] : []);
      retype(t.a.editConfirm, 'airflow-mwaa');
      t.a.next();
      await until(() => t.v().step === 'done');
      return t.v().done.command;
    };
    const clean = await done(false);
    expect(clean).toMatch(/ --region us-east-1 .*--profile prod --endpoint-url http:\/\/127\.0\.0\.1:5000 --mwaa-endpoint-url http:\/\/127\.0\.0\.1:5001$/);
    expect(await done(true)).toBe(`${clean} --allow-errors`);
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
    expect(migrateCommandLine(plan, { allowErrors: true, endpointUrl: 'http://localhost:4566', mwaaEndpointUrl: "http://h/x y" })).toMatch(/--endpoint-url http:\/\/localhost:4566 --mwaa-endpoint-url 'http:\/\/h\/x y' --allow-errors$/);
  });
});
