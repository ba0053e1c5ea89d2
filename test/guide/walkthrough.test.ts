import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalPath } from '../../src/aws/journal.js';
import type { Plan } from '../../src/plan/plan.js';
import { BIN, HOMES, leakedCanaries, ROOT } from '../helpers.js';
import { expectOnceEach, fakeAwsEnv } from '../support/moto.js';
import { useLoopbackAws } from '../support/mwaa-server.js';
import { requires } from '../support/requires.js';
import { Terminal } from './tmux.js';

// The walkthrough end to end in a real terminal (tmux), on a copy of fixtures/homes/airflow2,
// against moto (S3, STS, IAM, EC2) and the loopback MWAA server: keystrokes to an AVAILABLE
// environment, and an apply interrupted during the uploads then resumed. The first run's
// screens are the recording docs/walkthrough.md is made from (test/guide/gen-walkthrough.mjs).

// The real CLI binary, built by npm test before vitest runs.
const LAUNCH = [process.execPath, '--', BIN, 'guide'];
export const RECORDING = join(ROOT, 'test', 'output', 'walkthrough.txt');

const ready = requires(import.meta.url, 'moto_server', 'tmux');
const aws = useLoopbackAws();
const root = mkdtempSync(join(tmpdir(), 'guide-e2e-'));
const terminals: Terminal[] = [];
let proxy: Server;
let proxyUrl = '';
/** Object uploads held (never answered) while set: the interrupted apply. */
let holdUploads = false;
const held: ServerResponse[] = [];

/** A home of its own (a copy of the 2.x fixture), so the files the walkthrough writes land outside the repo. */
function makeHome(user: string, name: string): { home: string; airflowHome: string } {
  const home = join(root, user);
  const airflowHome = join(home, name);
  mkdirSync(home, { recursive: true });
  cpSync(join(HOMES, 'airflow2'), airflowHome, { recursive: true });
  return { home, airflowHome };
}

function start(name: string, home: string, args: string[], s3Endpoint: string, extraEnv: Record<string, string> = {}): Terminal {
  const env = {
    ...fakeAwsEnv,
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    TERM: 'xterm-256color',
    NO_COLOR: '1',
    AWS_ENDPOINT_URL: aws.moto.endpoint,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    ...extraEnv,
  };
  const t = new Terminal(name, [...LAUNCH, ...args, '--mwaa-endpoint-url', aws.mwaa.endpoint, '--poll-seconds', '0.3'], env, { cwd: ROOT });
  terminals.push(t);
  return t;
}

/** A loopback proxy in front of moto's S3 that can hold object uploads, to interrupt an apply mid-upload. */
async function startProxy(target: string): Promise<void> {
  proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    const isUpload = req.method === 'PUT' && /^\/[^/?]+\/[^?]+/.test(req.url ?? '');
    if (isUpload && holdUploads) {
      held.push(res);
      return;
    }
    const out = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
}

beforeAll(async () => {
  const base = { region: 'us-east-1', endpoint: aws.moto.endpoint };
  const ec2 = new EC2Client(base);
  const iam = new IAMClient(base);
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'airflow' }] }] }))).Vpc!.VpcId!;
  for (const [cidr, zone] of [['10.40.1.0/24', 'us-east-1a'], ['10.40.2.0/24', 'us-east-1b']] as const) {
    await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: zone }));
  }
  await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'mwaa', Description: 'MWAA', VpcId: vpc }));
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['airflow.amazonaws.com', 'airflow-env.amazonaws.com'] }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: 'mwaa-exec', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  ec2.destroy();
  iam.destroy();
  await startProxy(aws.moto.endpoint);
});

afterAll(async () => {
  for (const t of terminals) t.close();
  for (const res of held) res.destroy();
  await new Promise((resolve) => proxy?.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

/** Every screen and every file the walkthrough wrote, for the canary check. */
function everything(airflowHome: string, t: Terminal): string {
  const dir = join(airflowHome, '.mwaa-migrate');
  const files = existsSync(dir) ? readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')) : [];
  return [...t.frames.map((f) => f.screen), t.screen(), ...files, ...aws.mwaa.requests.map((r) => r.path + r.body)].join('\n');
}

const creates = (name: string) => aws.mwaa.requests.filter((r) => r.operation === 'CreateEnvironment' && r.path === `/environments/${name}`);
const putKeys = (p: Plan) => p.actions.flatMap((a) => (a.kind === 'put-object' ? [a.key] : []));

describe.skipIf(!ready)('guide in a terminal', () => {
  it('walks from the detected home to an AVAILABLE environment', async () => {
    const { home, airflowHome } = makeHome('alice', 'airflow');
    const t = start('full', home, [], aws.moto.endpoint);

    await t.snap('Locate the Airflow home: ~/airflow is detected', /Airflow home: ~\/airflow_[\s\S]*✓ airflow\.cfg and dags\/ found/);
    t.keys('Enter');
    await t.snap('Scan: the version, the counts, the findings by family', /scanned in[\s\S]*Enter review the findings/);
    t.keys('Enter');
    await t.snap('Review findings: the list, and the selected one in detail', /Finding 1 of \d+/);
    t.keys('a');
    await t.snap('Accepting a finding writes .mwaa-migrate.yaml', /accepted \(written to \.mwaa-migrate\.yaml\)/);
    expect(readFileSync(join(airflowHome, '.mwaa-migrate.yaml'), 'utf8')).toMatch(/rule: ARG005/);
    t.keys('Enter');
    await t.snap('Target version: the findings each would give', /Which Airflow version[\s\S]*› 3\.0\.6/);
    t.keys('Enter');
    await t.snap('Sizing: the recommendation and the alternatives', /Recommended: mw1\.small[\s\S]*› mw1\.small/);
    t.keys('Enter');
    await t.snap('AWS: the account, choices read from it, and the preflight run live', /Account: 123456789012[\s\S]*does not exist: will be created[\s\S]*Subnets +subnet-\w+, subnet-\w+[\s\S]*\d+ checks: passed/);
    t.keys('Enter');
    await t.snap('Connections and variables: names and counts, never values', /Connections and variables[\s\S]*Secrets Manager: 3 connection\(s\)[\s\S]*Enter make the plan/);
    t.keys('Enter');
    await t.snap('The plan, confirmed by typing the environment name', /Type airflow-mwaa to confirm/);
    t.type('airflow-mwa');
    t.keys('Enter');
    await t.waitFor(/type the environment name, airflow-mwaa, to go on/);
    t.type('a');
    await t.snap('Confirmed', /to confirm: airflow-mwaa_/);
    t.keys('Enter');
    await t.snap('Apply: uploads, then the wait for MWAA', /Objects:[\s\S]*Environment airflow-mwaa: (CREATING|AVAILABLE)/);
    await t.snap('Done: where it is, what was saved, the one-shot command', /Environment airflow-mwaa: AVAILABLE \(created\)[\s\S]*mwaa-migrate migrate/);
    t.keys('Enter');
    const after = await t.waitFor(/\[exit 0\]/);
    expect(after).toMatch(/^Airflow UI: /m);
    expect(after).toMatch(/Plan: +~\/airflow\/\.mwaa-migrate\/plan\.json/);

    const planFile = join(airflowHome, '.mwaa-migrate', 'plan.json');
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
    expect(creates('airflow-mwaa')).toHaveLength(1);
    await expectOnceEach(aws.s3, 'airflow-mwaa-123456789012', putKeys(plan));
    expect(existsSync(join(airflowHome, '.mwaa-migrate', 'report.md'))).toBe(true);
    expect(leakedCanaries(everything(airflowHome, t))).toEqual([]);

    // The recording, with the temporary folder out of it.
    mkdirSync(join(ROOT, 'test', 'output'), { recursive: true });
    const cast = t.frames.map((f) => `=== ${f.label}\n${f.screen.split(home).join('~')}\n`).join('\n');
    writeFileSync(RECORDING, cast);
  });

  it('puts keys typed in one burst into the field focused when each arrives', async () => {
    const { home } = makeHome('carol', 'typed');
    // EC2 unreachable: the network cannot be listed, so subnets and groups are typed.
    const t = start('burst', home, [join(home, 'typed')], aws.moto.endpoint, { AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' });
    await t.waitFor(/scanned in/);
    for (const wait of [/Finding 1 of/, /Which Airflow version/, /Recommended:/, /Subnets +✗ two private subnet ids/]) {
      t.keys('Enter');
      await t.waitFor(wait, 30_000);
    }
    for (let i = 0; i < 5; i++) t.keys('Down');
    await t.waitFor(/› Subnets/);
    t.keys('subnet-aaa,subnet-bbb', 'Down', 'sg-123');
    const screen = await t.waitFor(/› Security groups +sg-123_/);
    expect(screen).toMatch(/^ {2}Subnets +subnet-aaa,subnet-bbb(  |$)/m);
    t.keys('C-c');
    await t.waitFor(/\[exit 130\]/);
  });

  it('leaves safely during the uploads and continues from the journal', async () => {
    const { home, airflowHome } = makeHome('bob', 'etl');
    const t = start('resume', home, [join(home, 'etl')], proxyUrl);
    await t.waitFor(/scanned in/);
    for (const [key, wait] of [
      ['Enter', /Finding 1 of/],
      ['Enter', /Which Airflow version/],
      ['Enter', /Recommended:/],
      ['Enter', /Account: 123456789012[\s\S]*will be created/],
      ['Enter', /Enter make the plan/],
      ['Enter', /Type etl-mwaa to confirm/],
    ] as const) {
      t.keys(key);
      await t.waitFor(wait);
    }
    holdUploads = true;
    t.type('etl-mwaa');
    t.keys('Enter');
    await t.waitFor(/bucket airflow-etl-mwaa-123456789012: public access blocked/);
    for (const deadline = Date.now() + 10_000; held.length === 0; await new Promise((r) => setTimeout(r, 20))) if (Date.now() > deadline) throw new Error('no upload was held');
    t.keys('C-c');
    const left = await t.waitFor(/\[exit 130\]/);
    expect(left).toMatch(/Stopped while applying\. Every step finished so far is recorded in ~\/etl\/\.mwaa-migrate\/plan\.json\.journal\.jsonl/);
    expect(left).toMatch(/Resume with: mwaa-migrate guide ~\/etl/);
    const planFile = join(airflowHome, '.mwaa-migrate', 'plan.json');
    expect(existsSync(journalPath(planFile))).toBe(true);
    expect(creates('etl-mwaa')).toHaveLength(0);

    // The held uploads never land, as when the network dies with the process.
    holdUploads = false;
    for (const res of held.splice(0)) res.destroy();
    const again = start('resumed', home, [join(home, 'etl')], proxyUrl);
    await again.waitFor(/A migration was started here: environment etl-mwaa[\s\S]*› Continue/);
    again.keys('Enter');
    await again.waitFor(/Environment etl-mwaa: AVAILABLE \(created\)/);
    again.keys('Enter');
    await again.waitFor(/\[exit 0\]/);
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
    await expectOnceEach(aws.s3, 'airflow-etl-mwaa-123456789012', putKeys(plan));
    expect(creates('etl-mwaa')).toHaveLength(1);
    expect(leakedCanaries(everything(airflowHome, again) + t.screen())).toEqual([]);
  });
});
