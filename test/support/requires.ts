import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// What a test needs beyond Node and npm, and whether this machine has it. A clone on a machine
// with Node alone skips those tests, one line each saying what is missing; CI (CI set) installs
// everything in .ci/run, so there a missing part fails the run instead of going unnoticed.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Debian's places for what is not looked up on PATH; the environment can point elsewhere (or nowhere). */
export const PG_BIN = process.env['PG_BIN'] ?? '/usr/lib/postgresql/15/bin';
export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
export const SHARED_REFERENCE = join(ROOT, '..', 'shared', 'reference');

function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const PREREQUISITES = {
  '../shared/reference': { present: () => existsSync(SHARED_REFERENCE), get: 'the reference folder beside the repository, as CI has it' },
  'PostgreSQL 15': { present: () => existsSync(join(PG_BIN, 'initdb')), get: 'apt-get install postgresql, or PG_BIN=its bin folder' },
  MariaDB: { present: () => onPath('mariadb-install-db') || onPath('mysql_install_db'), get: 'apt-get install mariadb-server' },
  Chromium: { present: () => existsSync(CHROMIUM), get: 'apt-get install chromium, or CHROMIUM=its path' },
  tmux: { present: () => onPath('tmux'), get: 'apt-get install tmux' },
  moto_server: { present: () => onPath('moto_server'), get: "pip install 'moto[server]'" },
  'aws CLI': { present: () => onPath('aws'), get: 'apt-get install awscli' },
  python3: { present: () => onPath('python3'), get: 'apt-get install python3' },
  'python3 with cryptography': {
    present: () => spawnSync('python3', ['-c', 'import cryptography.fernet']).status === 0,
    get: 'apt-get install python3-cryptography',
  },
} satisfies Record<string, { present: () => boolean; get: string }>;

export type Prerequisite = keyof typeof PREREQUISITES;

/**
 * Whether the test file `url` (its import.meta.url) can run what needs `needs`: true when all
 * are here. Otherwise prints one line naming the file and what is missing and answers false,
 * for describe.skipIf / it.skipIf; under CI it throws, so the file fails rather than skips.
 */
export function requires(url: string, ...needs: Prerequisite[]): boolean {
  const missing = needs.filter((n) => !PREREQUISITES[n].present());
  if (missing.length === 0) return true;
  const file = relative(ROOT, fileURLToPath(url));
  const what = `${missing.join(', ')}: not found (${missing.map((n) => PREREQUISITES[n].get).join('; ')})`;
  if (process.env['CI']) throw new Error(`${file} needs ${what}, and with CI set no test may be skipped`);
  // Straight to stderr: one line, where console.warn would add vitest's two-line header.
  process.stderr.write(`${file}: skipping the tests that need ${what}\n`);
  return false;
}
