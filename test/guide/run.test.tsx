import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { addSuppression } from '../../src/check/project-write.js';
import { loadProject } from '../../src/check/project.js';
import { listProfilesWithRegions } from '../../src/aws/discover.js';
import { completePath, defaultCore, probeHome } from '../../src/guide/core.js';
import { NO_TERMINAL, runGuide } from '../../src/guide/run.js';

// runGuide's terminal rule and its way out, and the small pieces under the walkthrough: the
// project file writer, profile discovery, home probing and path completion.

const root = mkdtempSync(join(tmpdir(), 'guide-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tty(isTTY: boolean) {
  const stdin = Object.assign(new PassThrough(), { isTTY, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin });
  let written = '';
  const stdout = Object.assign(new PassThrough(), { isTTY, columns: 100, rows: 40 });
  stdout.on('data', (d: Buffer) => (written += d.toString()));
  const stderr = Object.assign(new PassThrough(), { isTTY });
  let errors = '';
  stderr.on('data', (d: Buffer) => (errors += d.toString()));
  return { stdin, stdout, stderr, out: () => written, err: () => errors };
}

describe('runGuide', () => {
  it('without a terminal, or with CI set, exits 2 naming report and migrate', async () => {
    for (const [isTTY, env] of [[false, {}], [true, { CI: 'true' }]] as const) {
      const t = tty(isTTY);
      const code = await runGuide({ env, stdin: t.stdin as never, stdout: t.stdout as never, stderr: t.stderr as never });
      expect(code).toBe(2);
      expect(t.err()).toBe(NO_TERMINAL);
      expect(t.err()).toMatch(/mwaa-migrate report[\s\S]*mwaa-migrate migrate/);
    }
  });

  it('on a terminal, Ctrl-C leaves with 130 and says nothing was written', async () => {
    const t = tty(true);
    const exit = vi.fn();
    const running = runGuide({ env: { HOME: root }, cwd: root, stdin: t.stdin as never, stdout: t.stdout as never, stderr: t.stderr as never, exit });
    // The first frame comes once Ink has rendered; on a loaded machine that can take a while.
    for (const deadline = Date.now() + 10_000; !/step 1 of 10: Home/.test(t.out()) && Date.now() < deadline; ) await sleep(20);
    expect(t.out()).toMatch(/step 1 of 10: Home/);
    t.stdin.write('\x03');
    expect(await running).toBe(130);
    expect(t.out()).toMatch(/Stopped: nothing was written to AWS\.\n$/);
    expect(exit).not.toHaveBeenCalled();
  });
});

describe('the project file writer', () => {
  it('creates the file, adds rules and findings once each, keeps comments, and loadProject reads it', () => {
    const home = join(root, 'proj');
    mkdirSync(home);
    addSuppression(home, { kind: 'finding', rule: 'IMP001', path: 'dags/a.py', reason: 'later' });
    addSuppression(home, { kind: 'rule', rule: 'CODE004' });
    addSuppression(home, { kind: 'rule', rule: 'CODE004' });
    expect(loadProject(home).ignore).toEqual({ rules: ['CODE004'], paths: [], findings: [{ rule: 'IMP001', path: 'dags/a.py', reason: 'later' }] });
    writeFileSync(join(home, '.mwaa-migrate.yaml'), '# ours\nignore:\n  paths: ["dags/legacy/**"] # old\n');
    addSuppression(home, { kind: 'rule', rule: 'IMP002' });
    const project = loadProject(home);
    expect(project.ignore.paths).toEqual(['dags/legacy/**']);
    expect(project.ignore.rules).toEqual(['IMP002']);
    writeFileSync(join(home, '.mwaa-migrate.yaml'), 'ignore: [');
    expect(() => addSuppression(home, { kind: 'rule', rule: 'X' })).toThrow(/not valid YAML/);
  });
});

describe('pieces', () => {
  it('lists profiles with their regions from the shared files', () => {
    const config = join(root, 'config');
    const credentials = join(root, 'credentials');
    writeFileSync(config, '[default]\nregion = eu-west-1\n[profile prod]\nregion = us-east-2\n[profile dev]\n');
    writeFileSync(credentials, '[ci]\naws_access_key_id = x\n');
    expect(listProfilesWithRegions({ AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials })).toEqual([
      { name: 'ci' },
      { name: 'default', region: 'eu-west-1' },
      { name: 'dev' },
      { name: 'prod', region: 'us-east-2' },
    ]);
  });

  it('probes a home and completes folder names', () => {
    const home = join(root, 'h', 'airflow');
    mkdirSync(join(home, 'dags'), { recursive: true });
    mkdirSync(join(root, 'h', 'airflow-old'));
    mkdirSync(join(root, 'h', '.hidden'));
    expect(probeHome(home)).toEqual({ status: 'airflow', detail: 'dags/ found' });
    expect(probeHome(join(root, 'h')).status).toBe('folder');
    expect(probeHome(join(root, 'nope')).status).toBe('missing');
    expect(completePath('h/air', root)).toEqual(['h/airflow/', 'h/airflow-old/']);
    expect(completePath('h/', root)).toEqual(['h/airflow/', 'h/airflow-old/']);
    expect(completePath('h/.h', root)).toEqual(['h/.hidden/']);
    expect(defaultCore({ env: { HOME: join(root, 'h') }, cwd: root, cache: false }).homeCandidates()).toEqual([{ path: home, why: '~/airflow' }]);
  });
});
