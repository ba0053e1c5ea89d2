import { spawn, spawnSync, type SpawnOptions, type SpawnSyncOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type CliIO } from '../src/cli.js';

// Shared by the end-to-end tests: the real CLI binary, the fixtures, and the canary secrets.

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin', 'mwaa-migrate.js');
export const HOMES = join(ROOT, 'fixtures', 'homes');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with the Node that runs the tests (the project's pinned Node 22). */
export function cli(args: string[], options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(process.execPath, ['--', BIN, ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], NO_COLOR: '1', ...(options.env ?? {}) },
    maxBuffer: 256 * 1024 * 1024,
    ...options,
  });
  return { code: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** The same, without blocking this process: needed when the test process itself serves the CLI's requests (loopback servers). */
export function cliAsync(args: string[], options: SpawnOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', BIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], NO_COLOR: '1', ...(options.env ?? {}) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the CLI in this process (main() with captured output), for tests whose loopback servers
 * answer from here; `log` collects everything printed, for canary checks.
 */
export function inProcessCli(io: () => Partial<CliIO>, log: { printed: string }) {
  return async (args: string[], extra: Partial<CliIO> = {}): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const code = await main(args, { env: {}, isTTY: false, ...io(), ...extra, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    log.printed += stdout + stderr;
    return { code, stdout, stderr };
  };
}

export const canaries: string[] = (JSON.parse(readFileSync(join(ROOT, 'fixtures', 'canaries.json'), 'utf8')) as { canaries: string[] }).canaries;

/** The canaries found in a text (none, when all is well). */
export function leakedCanaries(text: string): string[] {
  return canaries.filter((c) => text.includes(c));
}
