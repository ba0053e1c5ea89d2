import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../src/cli.js';
import { targetVersions } from '../../src/refdata/mwaa.js';
import { runCli } from '../golden/cases.mjs';

// `report` as a CI step sees it: exit codes per --fail-on, usage errors, --output, and the text
// format on a terminal (colour, width) and in a pipe.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HOME = 'fixtures/homes/airflow1';

describe('--fail-on', async () => {
  const json = await runCli(['report', HOME, '--format', 'json', '--no-cache']);
  const counts = JSON.parse(json.stdout).counts.bySeverity as Record<'error' | 'warning' | 'info', number>;
  const levels = ['error', 'warning', 'info', 'never'] as const;
  const runs = await Promise.all(levels.map((level) => runCli(['report', HOME, '--no-cache', '--fail-on', level])));
  const atOrAbove = { error: counts.error, warning: counts.error + counts.warning, info: counts.error + counts.warning + counts.info, never: 0 };

  it('the fixture has findings of every severity, so each level is tested for real', () => {
    expect(counts.error && counts.warning && counts.info).toBeGreaterThan(0);
  });
  it.each(levels.map((level, i) => [level, i] as const))('exits 1 only when findings reach %s', (level, i) => {
    expect(runs[i]!.stderr).toBe('');
    expect(runs[i]!.code).toBe(atOrAbove[level] ? 1 : 0);
  });
  it('defaults to error', () => {
    expect(json.code).toBe(counts.error ? 1 : 0);
  });
  it('exits 0 when the selected rules find nothing at the threshold', async () => {
    const info = await runCli(['report', HOME, '--no-cache', '--select', 'MWAA005', '--fail-on', 'warning']);
    expect(info.stdout).toContain('MWAA005');
    expect(info.code).toBe(0);
  });
});

describe('usage errors exit 2 with one line on stderr and nothing on stdout', () => {
  const offered = targetVersions().map((v) => v.version);
  it.each([
    [['--format', 'pdf'], /--format pdf: not one of text, json, markdown, sarif, html/],
    [['--fail-on', 'fatal'], /--fail-on fatal: not one of error, warning, info, never/],
    [['--target-version', '2.5.1'], new RegExp(`--target-version 2.5.1: MWAA does not offer it; choose one of ${offered.join(', ')}`)],
    [['--select', 'NOPE'], /--select NOPE: no rule has this id or prefix/],
    [['--ignore', 'IMP001,XYZ9'], /--ignore XYZ9: no rule has this id or prefix/],
    [['--airflow-version', 'banana'], /--airflow-version banana: not an Airflow version/],
    [['--frobnicate'], /unknown option --frobnicate \(see mwaa-migrate report --help\)/],
    [['--env-file', 'no/such/.env'], /--env-file no\/such\/.env: /],
    [['--project-file', 'no/such.yaml'], /project file no\/such.yaml: /],
  ])('%j', async (args, message) => {
    const run = await runCli(['report', HOME, '--no-cache', ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('a home that does not exist', async () => {
    const run = await runCli(['report', 'fixtures/homes/nowhere', '--no-cache']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Airflow home .*nowhere/);
  });
});

it('--output writes the report to the file, not stdout, and says so on stderr', async () => {
  const file = join(tmp, 'report.sarif');
  const [written, printed] = await Promise.all([
    runCli(['report', HOME, '--no-cache', '--format', 'sarif', '--output', file]),
    runCli(['report', HOME, '--no-cache', '--format', 'sarif']),
  ]);
  expect(written.stdout).toBe('');
  expect(written.stderr).toMatch(/^mwaa-migrate: wrote .*report\.sarif \(\d+ errors?, \d+ warnings?, \d+ info\)\n$/);
  expect(written.code).toBe(printed.code);
  expect(readFileSync(file, 'utf8')).toBe(printed.stdout);
  const bad = await runCli(['report', HOME, '--no-cache', '--output', join(tmp, 'missing', 'dir', 'r.txt')]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--output .*r\.txt: ENOENT/);
});

it('--help documents report', async () => {
  const run = await runCli(['report', '--help']);
  expect(run.code).toBe(0);
  for (const flag of ['--target-version', '--format', '--output', '--fail-on', '--select', '--ignore', '--env-file', '--project-file', '--airflow-version', '--no-cache', '--timestamp']) {
    expect(run.stdout).toContain(flag);
  }
});

describe('text on a terminal', () => {
  const capture = async (io: Partial<CliIO>) => {
    let out = '';
    const code = await main(['report', HOME, '--no-cache'], { stdout: (s) => (out += s), stderr: () => {}, env: {}, isTTY: true, ...io });
    return { code, out };
  };
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

  it('is coloured and fits the terminal width', async () => {
    const { out } = await capture({ columns: 72 });
    expect(out).toContain('\x1b[31m');
    for (const line of visible(out).split('\n')) expect(line.length, line).toBeLessThanOrEqual(72);
  });
  it('has no colour with NO_COLOR, nor when piped, where it is 100 columns wide', async () => {
    const noColor = await capture({ env: { NO_COLOR: '1' }, columns: 72 });
    expect(noColor.out).not.toContain('\x1b[');
    const piped = await capture({ isTTY: false, columns: 72 });
    expect(piped.out).not.toContain('\x1b[');
    const lines = piped.out.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeGreaterThan(72);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
  });
});
