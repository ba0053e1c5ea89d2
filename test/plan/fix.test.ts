import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import type { Action, Plan } from '../../src/plan/plan.js';
import { cli, cliAsync, HOMES, leakedCanaries } from '../helpers.js';
import { fakeAwsEnv, objectVersions } from '../support/moto.js';
import { FIXED_PLUGIN, PLUGIN_ENTRY, pluginsZipHome } from '../support/plugins-zip.js';
import { useLoopbackAws } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';

// plan --fix and migrate --fix on the fixture homes, against moto's S3 and the loopback MWAA: the
// objects are the bytes `fix --out` writes, the providers the fixed imports need are added to
// requirements.txt, apply uploads exactly the planned bytes, and a second run changes nothing.

const ready = requires(import.meta.url, 'moto_server');
const aws = useLoopbackAws();
const out = mkdtempSync(join(tmpdir(), 'plan-fix-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const TARGET = '3.0.6';
const awsFlags = () => ['--endpoint-url', aws.moto.endpoint, '--mwaa-endpoint-url', aws.mwaa.endpoint];
const planArgs = (home: string, bucket: string, ...extra: string[]) => [
  home, '--no-cache', '--target-version', TARGET, '--name', bucket, '--bucket', bucket,
  '--execution-role-arn', 'arn:aws:iam::123456789012:role/mwaa-exec', '--subnet-ids', 'subnet-0a1b,subnet-2c3d',
  '--security-group-ids', 'sg-0a1b', '--region', 'us-east-1', ...awsFlags(), '--no-preflight', ...extra,
];

/** Everything the CLI printed and wrote, for the canary check. */
let printed = '';
async function run(args: string[]) {
  const r = await cliAsync(args, { env: { ...fakeAwsEnv } });
  printed += r.stdout + r.stderr;
  return r;
}

async function planJson(home: string, bucket: string, ...extra: string[]): Promise<{ plan: Plan; text: string; file: string }> {
  const file = join(out, `${bucket}-${Math.random().toString(36).slice(2)}.json`);
  const r = await run(['plan', ...planArgs(home, bucket, ...extra), '--out', file]);
  expect(r.stderr).toMatch(/wrote/);
  const text = readFileSync(file, 'utf8');
  printed += text;
  return { plan: JSON.parse(text) as Plan, text, file };
}

type Put = Extract<Action, { kind: 'put-object' }>;
const puts = (plan: Plan) => plan.actions.filter((a): a is Put => a.kind === 'put-object');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)).map((f) => `${n}/${f}`) : [n]));
}

/** `fix --out` of the home: the fixed copy of its dags/ and plugins/ folders, and the files it changed. */
function fixOut(home: string, ...extra: string[]): { dir: string; changed: string[]; left: { unsafe: number; byHand: number } } {
  const dir = join(out, `fixed-${Math.random().toString(36).slice(2)}`);
  const r = cli(['fix', home, '--target-version', TARGET, '--no-cache', '--out', dir, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const changed = ['dags', 'plugins'].flatMap((top) => (existsSync(join(dir, top)) ? files(join(dir, top)).map((f) => `${top}/${f}`) : []))
    .filter((f) => !readFileSync(join(dir, f)).equals(readFileSync(join(home, f))));
  // What fix says it left, from its own summary.
  const count = (re: RegExp) => Number(re.exec(r.stderr)?.[1] ?? 0);
  return { dir, changed, left: { unsafe: count(/^(\d+) more fix(?:es)? may shift/m), byHand: count(/^(\d+) findings? of fixable rules left/m) } };
}

/** A copy of airflow1 with a DAG whose fixed import needs a provider MWAA's image lacks (http). */
function httpHome(name: string, { requirements = true } = {}): string {
  const home = join(out, name);
  cpSync(join(HOMES, 'airflow1'), home, { recursive: true });
  writeFileSync(join(home, 'dags', 'http_ping.py'), HTTP_DAG);
  if (!requirements) for (const f of ['requirements.txt', 'extra-requirements.txt']) rmSync(join(home, f));
  return home;
}

const HTTP_DAG = `from datetime import datetime
from airflow import DAG
from airflow.operators.http_operator import SimpleHttpOperator

import airflow.contrib.operators.ssh_operator

with DAG("http_ping", start_date=datetime(2024, 1, 1), schedule_interval=None) as dag:
    SimpleHttpOperator(task_id="ping", endpoint="health")
    airflow.contrib.operators.ssh_operator.SSHOperator(task_id="ssh", command="true")
`;

describe.skipIf(!ready)('plan --fix', () => {
  // Where these homes' fixes point, MWAA's image for 3.x has the providers, but for Slack.
  it.each([
    ['airflow1', ['apache-airflow-providers-slack']],
    ['airflow2', []],
  ])('%s: uploads the files as fix --out writes them, each with its MD5 and a summary of its fixes; adds %j', async (name, providers) => {
    const home = join(HOMES, name);
    const { dir, changed, left } = fixOut(home);
    expect(changed.length).toBeGreaterThan(0);
    const { plan, text } = await planJson(home, `fix-${name}`, '--fix');
    expect(plan.inputs.fix).toEqual({ unsafe: false });
    // What the plan leaves is what fix leaves, and it says so.
    expect(plan.fixesLeft).toEqual(left);
    const fixedDags = puts(plan).filter((a) => a.what === 'dag' && a.fixes);
    // Every DAG file fix changed goes fixed, and only those: the MD5 is of fix's bytes.
    expect(fixedDags.map((a) => a.source).sort()).toEqual(changed.filter((f) => f.startsWith('dags/')).sort());
    for (const a of fixedDags) {
      expect([a.key, a.md5]).toEqual([a.key, md5(readFileSync(join(dir, a.source)))]);
      expect(a.fixes!.count).toBeGreaterThan(0);
      expect(a.fixes!.rules.every((id) => /^[A-Z]+\d{3}$/.test(id))).toBe(true);
    }
    for (const a of puts(plan).filter((a) => a.what === 'dag' && !a.fixes)) expect(a.md5).toBe(md5(readFileSync(join(home, a.source))));
    const plugins = puts(plan).find((a) => a.what === 'plugins');
    expect(plugins?.fixes?.files ?? []).toEqual(changed.filter((f) => f.startsWith('plugins/')));
    // The input fingerprints stay the home's: apply checks the home, then makes the fixes again.
    const home2 = (await planJson(home, `fix-${name}`)).plan;
    expect(plan.inputs.files).toEqual(home2.inputs.files);
    const fixes = [...fixedDags, ...(plugins?.fixes ? [plugins] : [])].reduce((n, a) => n + a.fixes!.count, 0);
    const shown = (await run(['plan', ...planArgs(home, `fix-${name}`, '--fix')])).stdout;
    expect(shown).toContain(`Fixed code (--fix, safe fixes): ${fixes} fixes in ${fixedDags.length + (plugins?.fixes ? 1 : 0)} objects`);
    expect(shown).toMatch(/^ {2}airflow\.cfg is not touched/m);
    if (left.unsafe) expect(shown).toContain(`${left.unsafe} fix${left.unsafe === 1 ? '' : 'es'} that may shift the meaning (plan with --unsafe-fixes to take them)`);
    expect(shown).toMatch(new RegExp(`^  ${fixedDags[0]!.key}: \\d+ fix(es)? \\(`, 'm'));
    // No code in the plan: keys, hashes and summaries only.
    for (const path of changed) {
      const old = new Set(readFileSync(join(home, path), 'utf8').split('\n'));
      for (const line of readFileSync(join(dir, path), 'utf8').split('\n')) if (!old.has(line) && line.trim()) expect(text).not.toContain(line.trim());
    }
    const added = (p: Plan) => [...(p.requirementsDiff ?? '').matchAll(/^\+(apache-airflow-providers-\S+)$/gm)].map((m) => m[1]);
    expect(added(plan)).toEqual([...added(home2), ...providers]);
  });

  it('adds the providers the fixed imports need to requirements.txt, unpinned, each with its reason', async () => {
    const home = httpHome('http-home');
    const { plan } = await planJson(home, 'fix-providers', '--fix');
    const unfixed = (await planJson(home, 'fix-providers')).plan;
    expect(plan.requirementsDiff).toMatch(/^\+apache-airflow-providers-http$/m);
    expect(unfixed.requirementsDiff).not.toMatch(/providers-http/);
    expect(plan.notes).toContain('requirements.txt: apache-airflow-providers-http added: the fixed imports of dags/http_ping.py need it');
    // The plan checks the code and requirements it uploads. Unfixed, REQ012 finds three providers
    // missing (slack, http, ssh); the fixes' imports bring the slack and http ones into
    // requirements.txt, so one finding is left: ssh's, for a plain `import module` the fixes leave alone.
    const req012 = (p: Plan) => p.blocking.byRule.find((r) => r.ruleId === 'REQ012')?.count ?? 0;
    expect(req012(unfixed)).toBe(3);
    expect(plan.requirementsDiff).toMatch(/^\+apache-airflow-providers-slack$/m);
    expect(req012(plan)).toBe(1);
    expect(plan.requirementsDiff).not.toMatch(/providers-ssh/);
    expect(plan.blocking.total).toBeLessThan(unfixed.blocking.total);
  });

  it('creates requirements.txt when the home has none but the fixed code needs a provider', async () => {
    const home = httpHome('no-requirements', { requirements: false });
    const { plan } = await planJson(home, 'fix-noreq', '--fix');
    expect(puts(plan).find((a) => a.what === 'requirements')).toMatchObject({ key: 'requirements.txt', source: '(generated)', change: 'create' });
    expect(plan.requirementsDiff).toMatch(/\n\+--constraint "https:\/\/raw\.githubusercontent\.com\/apache\/airflow\/constraints-3\.0\.6\/constraints-3\.\d+\.txt"\n(\+apache-airflow-providers-[a-z-]+\n)+$/);
    expect(plan.requirementsDiff).toMatch(/^\+apache-airflow-providers-http$/m);
    expect(puts((await planJson(home, 'fix-noreq')).plan).some((a) => a.what === 'requirements')).toBe(false);
  });

  it('without --fix the plan is as before: the home\'s bytes, no fix fields, no fix section', async () => {
    const home = join(HOMES, 'airflow2');
    const { plan, text } = await planJson(home, 'fix-none');
    expect(text).not.toMatch(/"fix(es)?"/);
    for (const a of puts(plan).filter((a) => a.what === 'dag')) expect(a.md5).toBe(md5(readFileSync(join(home, a.source))));
    expect((await run(['plan', ...planArgs(home, 'fix-none')])).stdout).not.toMatch(/Fixed code/);
  });

  it('--unsafe-fixes goes with --fix: alone it is a usage error, in one line', async () => {
    const r = await run(['plan', ...planArgs(join(HOMES, 'airflow2'), 'fix-unsafe', '--unsafe-fixes')]);
    expect([r.code, r.stderr]).toEqual([2, 'mwaa-migrate: --unsafe-fixes goes with --fix\n']);
    expect((await run(['migrate', ...planArgs(join(HOMES, 'airflow2'), 'fix-unsafe', '--unsafe-fixes'), '--yes'])).stderr).toBe('mwaa-migrate: --unsafe-fixes goes with --fix\n');
    const { plan } = await planJson(join(HOMES, 'airflow2'), 'fix-unsafe', '--fix', '--unsafe-fixes');
    expect(plan.inputs.fix).toEqual({ unsafe: true });
    expect((await run(['plan', ...planArgs(join(HOMES, 'airflow2'), 'fix-unsafe', '--fix', '--unsafe-fixes')])).stdout).toMatch(/^Fixed code \(--fix, safe and unsafe fixes\)/m);
  });

  it('apply uploads exactly the planned fixed bytes; plan --fix and migrate --fix again change nothing, with no PUT', async () => {
    const home = httpHome('applied-home');
    const bucket = 'fix-applied';
    const { dir } = fixOut(home);
    const { plan, file } = await planJson(home, bucket, '--fix');
    const applied = await run(['apply', file, ...awsFlags(), '--poll-seconds', '0.01', '--allow-errors']);
    expect(applied.code, applied.stderr).toBe(0);
    const object = async (key: string) => (await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();
    for (const a of puts(plan).filter((a) => a.what === 'dag' && a.fixes)) expect(Buffer.from(await object(a.key)).equals(readFileSync(join(dir, a.source)))).toBe(true);
    const zip = unzipSync(await object('plugins.zip'));
    for (const path of puts(plan).find((a) => a.what === 'plugins')!.fixes!.files!) {
      expect(Buffer.from(zip[relative('plugins', path)]!).equals(readFileSync(join(dir, path)))).toBe(true);
    }
    expect(new TextDecoder().decode(await object('requirements.txt'))).toMatch(/^apache-airflow-providers-http$/m);

    const again = await planJson(home, bucket, '--fix');
    expect(again.plan.counts).toMatchObject({ create: 0, update: 0, delete: 0 });
    const before = await objectVersions(aws.s3, bucket);
    const migrated = await run(['migrate', ...planArgs(home, bucket, '--fix'), '--yes', '--allow-errors', '--poll-seconds', '0.01', '--out', join(out, 'fix-migrate.json')]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/^Plan: 0 to create, 0 to update, 0 to delete/m);
    expect(migrated.stderr).toMatch(/\(0 uploaded\)/);
    expect(await objectVersions(aws.s3, bucket)).toEqual(before);
  });

  it('apply refuses fixes that come out other than planned, before any upload', async () => {
    const home = join(out, 'drifting');
    cpSync(join(HOMES, 'airflow2'), home, { recursive: true });
    const { file } = await planJson(home, 'fix-drift', '--fix');
    // Not a file of the artifacts, but the check reads it: the fixes it silences change the bytes.
    writeFileSync(join(home, '.mwaa-migrate.yaml'), 'ignore:\n  rules: [IMP001, IMP003, IMP004, IMP005, IMP006, IMP007]\n');
    const r = await run(['apply', file, ...awsFlags(), '--poll-seconds', '0.01', '--allow-errors']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mwaa-migrate: plan is stale: the objects to upload differ \(dags\/.*\); make a new plan$/m);
    expect(await objectVersions(aws.s3, 'fix-drift').catch(() => new Map())).toEqual(new Map());
  });

  it('a home with plugins.zip and no plugins folder: uploads it made again as fix --out writes it, with its MD5 and summary', async () => {
    const home = join(out, 'plugins-zip-home');
    const original = pluginsZipHome(home);
    const bucket = 'fix-plugins-zip';
    const { dir } = fixOut(home);
    const fixedZip = readFileSync(join(dir, 'plugins.zip'));
    const { plan, file } = await planJson(home, bucket, '--fix');
    const plugins = puts(plan).find((a) => a.what === 'plugins')!;
    expect(plugins).toMatchObject({ key: 'plugins.zip', source: 'plugins.zip', size: fixedZip.length, md5: md5(fixedZip), fixes: { count: 2, files: [PLUGIN_ENTRY] } });
    expect(plugins.fixes!.rules).toEqual([expect.stringMatching(/^IMP\d{3}$/)]);
    expect(plan.notes).toContain('plugins.zip: plugins.zip uploaded with its fixed files (no plugins folder to build it from)');
    // The input fingerprint stays the home's zip; without --fix the zip goes as it is.
    expect(plan.inputs.files).toContainEqual({ path: 'plugins.zip', sha256: createHash('sha256').update(original).digest('hex') });
    expect(puts((await planJson(home, bucket)).plan).find((a) => a.what === 'plugins')!.md5).toBe(md5(original));
    expect((await run(['plan', ...planArgs(home, bucket, '--fix')])).stdout).toMatch(/^ {2}plugins\.zip: 2 fixes \(IMP\d{3}\) in echo_plugin\.py$/m);

    // apply makes the fixes again and uploads the same bytes; a second plan changes nothing.
    const applied = await run(['apply', file, ...awsFlags(), '--poll-seconds', '0.01', '--allow-errors']);
    expect(applied.code, applied.stderr).toBe(0);
    const uploaded = (await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'plugins.zip' }))).Body!.transformToByteArray();
    expect(Buffer.from(await uploaded).equals(fixedZip)).toBe(true);
    expect(new TextDecoder().decode(unzipSync(fixedZip)[PLUGIN_ENTRY])).toBe(FIXED_PLUGIN);
    expect((await planJson(home, bucket, '--fix')).plan.counts).toMatchObject({ create: 0, update: 0, delete: 0 });
  });

  it('never lets a secret out', () => {
    expect(printed.length).toBeGreaterThan(1000);
    expect(leakedCanaries(printed)).toEqual([]);
  });
});
