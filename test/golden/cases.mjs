// The golden reports: which homes, with which flags, in which files. Shared by generate.mjs and
// test/report/golden.test.ts so that the two can never disagree.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GOLDEN_DIR = join(ROOT, 'test', 'golden');

// Homes are given relative to the repository, as a user would, so the reports name no machine path.
export const CASES = [
  { home: 'airflow1', args: [] },
  { home: 'airflow2', args: ['--env-file', 'fixtures/homes/airflow2/.env'] },
  { home: 'airflow3', args: [] },
];

/** Format -> file extension. */
export const FORMATS = { text: 'txt', json: 'json', markdown: 'md', sarif: 'sarif', html: 'html' };

export const goldenArgs = (c, format) => ['report', `fixtures/homes/${c.home}`, '--format', format, '--no-cache', ...c.args];
export const goldenFile = (c, format) => join(GOLDEN_DIR, c.home, `report.${FORMATS[format]}`);

// "Now" for the golden reports (2026-01-01): the runs catchup DAGs would backfill count up to it.
export const GOLDEN_EPOCH = '1767225600';

/** Runs the built CLI as the tests do: the project's Node, a bare environment, no colour, a fixed clock. */
export function runCli(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', join(ROOT, 'bin', 'mwaa-migrate.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', SOURCE_DATE_EPOCH: GOLDEN_EPOCH, ...env },
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
