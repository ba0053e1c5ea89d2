import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, mwaaClient } from '../../src/aws/mwaa-client.js';
import { RULES_DIR } from '../../src/check/catalog.js';
import type { Plan } from '../../src/plan/plan.js';
import { pausedOption } from '../../src/plan/first-run.js';
import { versionRoute } from '../../src/plan/version-route.js';
import { cliAsync } from '../helpers.js';
import { fakeAwsEnv, seedBucket, useFakeAwsEnv } from '../support/moto.js';
import { useLoopbackAws, validCreateInput } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';

// plan against an existing environment (the loopback MWAA): which Airflow version changes it
// makes in place and which it refuses with the route; and the first run of a fresh environment:
// DAGs paused at creation, and the order to unpause them in.

useFakeAwsEnv();
const ready = requires(import.meta.url, 'moto_server');
const aws = useLoopbackAws();
const HOME = join(RULES_DIR, 'fixtures', 'CODE023', 'fail');
const BUCKET = 'route-bucket';
const EPOCH = '1767225600'; // 2026-01-01
const dir = mkdtempSync(join(tmpdir(), 'first-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan = (name: string, target: string, ...extra: string[]) =>
  cliAsync(
    [
      'plan', HOME, '--no-cache', '--target-version', target, '--name', name, '--bucket', BUCKET,
      '--execution-role-arn', 'arn:aws:iam::123456789012:role/mwaa-exec', '--subnet-ids', 'subnet-0a1b,subnet-2c3d',
      '--security-group-ids', 'sg-0a1b', '--region', 'us-east-1', '--endpoint-url', aws.moto.endpoint,
      '--mwaa-endpoint-url', aws.mwaa.endpoint, '--no-preflight', ...extra,
    ],
    { env: { ...fakeAwsEnv, SOURCE_DATE_EPOCH: EPOCH } },
  );

describe.skipIf(!ready)('version routes', () => {
  it('knows what UpdateEnvironment does in place', () => {
    expect(versionRoute('2.11.0', '2.11.0')).toEqual({ kind: 'same' });
    expect(versionRoute('2.9.2', '2.11.0').kind).toBe('in-place');
    expect(versionRoute('2.11.0', '2.10.3').kind).toBe('in-place');
    expect(versionRoute('2.11.0', '3.0.6').kind).toBe('in-place');
    expect(versionRoute('3.0.6', '2.11.0').kind).toBe('in-place');
    expect(versionRoute('3.2.1', '3.0.6').kind).toBe('in-place');
    expect(versionRoute('2.10.3', '3.0.6')).toMatchObject({ kind: 'refused', route: expect.stringMatching(/upgrade it to 2\.11\.\d+ first .*or plan a new environment/) });
    expect(versionRoute('3.0.6', '2.10.3')).toMatchObject({ kind: 'refused', route: expect.stringMatching(/^target 2\.11\.\d+, or plan a new environment/) });
    expect(versionRoute('1.10.12', '2.7.2').kind).toBe('refused');
  });
});

describe.skipIf(!ready)('plan against an existing environment', () => {
  beforeAll(async () => {
    await seedBucket(aws.moto.endpoint, BUCKET, [['dags/old.py', 'from airflow import DAG\n']]);
    const client = mwaaClient({ region: 'us-east-1', endpoint: aws.mwaa.endpoint });
    await client.send(createEnvironment(validCreateInput('on-2-10', BUCKET, { AirflowVersion: '2.10.3' })));
    await client.send(createEnvironment(validCreateInput('on-2-11', BUCKET, { AirflowVersion: '2.11.0' })));
    client.destroy();
  });

  it('refuses 2.10.3 -> 3.0.6 with the route, in one line and exit 2', async () => {
    const r = await plan('on-2-10', '3.0.6');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/environment on-2-10 cannot be updated to Airflow 3\.0\.6: MWAA upgrades to Airflow 3 in place only from 2\.11\.x, and this environment runs 2\.10\.3; upgrade it to 2\.11\.\d+ first/);
  });

  it('plans 2.11.0 -> 3.0.6 as an in-place update, with the order to unpause the DAGs in', async () => {
    const r = await plan('on-2-11', '3.0.6');
    expect(r.code).toBe(1); // days_ago and schedule_interval are gone in Airflow 3: blocking findings, the plan still shown
    expect(r.stdout).toMatch(/~ environment on-2-11: exists \(\w+\); update\n {4}AirflowVersion: 2\.11\.0 -> 3\.0\.6\n/);
    expect(r.stdout).toMatch(/AirflowVersion 2\.11\.0 -> 3\.0\.6: an in-place major upgrade/);
    // Airflow 3 turns catchup off by default: partner_sync has nothing to catch up there.
    expect(r.stdout).toMatch(/After apply:\n.*created paused.*\n {4}1\. 1 DAG\(s\) with nothing to catch up: partner_sync\n/);
    expect(r.stdout).toMatch(/daily_orders \(dags\/daily_orders\.py:8\): 2,192 runs\n/);
    // Fewest runs first; the one that cannot be counted last.
    expect(r.stdout.indexOf('daily_orders (')).toBeLessThan(r.stdout.indexOf('hourly_clicks ('));
    expect(r.stdout.indexOf('hourly_clicks (')).toBeLessThan(r.stdout.indexOf('rolling_window ('));
  });
});

describe.skipIf(!ready)('the first run of a new environment', () => {
  it('sends core.dags_are_paused_at_creation only when the carried options or the default say otherwise', () => {
    expect(pausedOption({}, '2.11.0', false)).toEqual({});
    expect(pausedOption({ 'core.dags_are_paused_at_creation': 'False' }, '2.11.0', false)).toEqual({ 'core.dags_are_paused_at_creation': 'True' });
    expect(pausedOption({}, '3.0.6', true)).toEqual({ 'core.dags_are_paused_at_creation': 'False' });
    expect(pausedOption({ 'core.dags_are_paused_at_creation': 'false' }, '3.0.6', true)).toEqual({});
  });

  const options = async (...extra: string[]) => {
    const file = join(dir, `new-${extra.join('')}.json`);
    const r = await plan('fresh-env', '2.11.0', '--out', file, ...extra);
    expect(r.stderr).toMatch(/wrote/);
    const p = JSON.parse(readFileSync(file, 'utf8')) as Plan;
    const env = p.actions.find((a) => a.kind === 'create-environment');
    return { p, options: env?.kind === 'create-environment' ? env.input.AirflowConfigurationOptions ?? {} : {} };
  };

  it('creates the DAGs paused (Airflow\'s default, sent only when needed), or unpaused when told', async () => {
    const paused = await options();
    expect(paused.options['core.dags_are_paused_at_creation']).toBeUndefined();
    expect(paused.p.firstRun.pausedAtCreation).toBe(true);
    // On 2.11 catchup is on by default: partner_sync backfills too, days_ago(30) every 6 hours.
    expect(paused.p.firstRun.unpause.map((s) => [s.dag, s.backfill?.runs])).toEqual([
      ['partner_sync', 120],
      ['daily_orders', 2192],
      ['hourly_clicks', 17543],
      ['rolling_window', null],
    ]);
    const unpaused = await options('--unpaused');
    expect(unpaused.options['core.dags_are_paused_at_creation']).toBe('False');
    expect(unpaused.p.firstRun.pausedAtCreation).toBe(false);
  });
});
