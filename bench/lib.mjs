// Helpers shared by the benchmarks: child processes, statistics and the printed tables.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUT = path.join(ROOT, 'bench', 'out');
export const MB = 1024 * 1024;

export const rel = (p) => path.relative(ROOT, p) || '.';

export const CLI = path.join(ROOT, 'bin', 'mwaa-migrate.js');
/** The Node flags the CLI's own first line gives node (`#!/usr/bin/env -S node FLAGS --`): every run here starts as a user's does. */
export const NODE_FLAGS = (() => {
  const words = readFileSync(CLI, 'utf8').split('\n', 1)[0].split(/\s+/);
  return words.slice(words.indexOf('node') + 1).filter((w) => w !== '--');
})();
/** Node's arguments for a CLI command. */
export const cliArgs = (args) => [...NODE_FLAGS, '--', CLI, ...args];

/** The value of a --name flag as a positive integer; exits with the usage text otherwise. */
export function positiveInt(name, text, usage) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer, got ${text}\n${usage}`);
    process.exit(2);
  }
  return n;
}

let clockTicks;

/**
 * CPU seconds (user + sys) of every child this process has waited for, from Linux's cutime and
 * cstime; null elsewhere. They include a child's own waited-for children (a shim, a wrapper).
 */
function childrenCpuS() {
  try {
    // Before the read: getconf is a child too.
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces: cutime and cstime are the 16th and 17th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / clockTicks;
  } catch {
    return null;
  }
}

/**
 * Spawn a command from the repo root; resolves with its output, exit status, wall time and CPU
 * seconds (null off Linux). The CPU seconds are the command's own only while no other child of
 * this process ends meanwhile: the benchmarks run one command at a time.
 */
export function run(command, args, { timeoutMs, env, stdout = 'pipe', group = false } = {}) {
  return new Promise((resolve) => {
    const cpu0 = childrenCpuS();
    const t0 = performance.now();
    // group: the child leads a process group of its own, so a timeout also kills what it started.
    const child = spawn(command, args, { cwd: ROOT, env: env ?? process.env, stdio: ['ignore', stdout, 'pipe'], detached: group });
    const out = [];
    const err = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (group) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.stdout?.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', (e) => err.push(Buffer.from(String(e))));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      const cpu1 = childrenCpuS();
      resolve({ code, signal, timedOut, wallMs, cpuS: cpu0 == null || cpu1 == null ? null : cpu1 - cpu0, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** `node ...args` with this process's Node (the pinned one when started through npm). */
export const runNode = (args, timeoutMs, env) => run(process.execPath, args, { timeoutMs, env });

export function tail(text, lines = 8) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function failure(r) {
  if (r.timedOut) return `timed out after ${(r.wallMs / 1000).toFixed(0)} s`;
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
}

export const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function table(rows, headers) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

export const fmt = (n, d = 0) => (n == null || Number.isNaN(n) ? '-' : n.toFixed(d));

/** The machine a result was measured on, and the line the benchmarks print about it. */
export function machine() {
  const cpus = os.cpus();
  const m = {
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
    totalMemMB: Math.round(os.totalmem() / MB),
  };
  return { ...m, line: `node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), ${m.platform}, ${m.totalMemMB} MB RAM` };
}

let gnuTime;

/** True when /usr/bin/time is GNU time (it takes -f and -o). */
function hasGnuTime() {
  gnuTime ??= spawnSync('/usr/bin/time', ['-f', '%M', '-o', os.devNull, 'true']).status === 0;
  return gnuTime;
}

/**
 * One command with its stdout sent to /dev/null: wall time (measured here, so it includes the
 * ~1 ms exec of /usr/bin/time), CPU seconds (user + sys) and peak RSS of the command and the
 * children it waits for, from GNU time's `%U %S %M`. Without GNU time, CPU comes from the
 * bench's own children's CPU (Linux) and the RSS is null. Returns { ok, wallMs, cpuS, rssMB, ... },
 * with the whole stderr of a successful run when asked (`keepStderr`).
 */
export async function measure(command, args, { timeoutMs, env, keepStderr = false } = {}) {
  if (!hasGnuTime()) {
    const r = await run(command, args, { timeoutMs, env, stdout: 'ignore', group: true });
    return { ok: r.code === 0, wallMs: r.wallMs, cpuS: r.cpuS, rssMB: null, error: r.code === 0 ? undefined : failure(r), stderr: tail(r.stderr) };
  }
  mkdirSync(OUT, { recursive: true });
  const timeFile = path.join(OUT, `.time-${process.pid}.txt`);
  rmSync(timeFile, { force: true });
  const r = await run('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, command, ...args], { timeoutMs, env, stdout: 'ignore', group: true });
  let cpuS = null;
  let rssMB = null;
  try {
    // With -o, "Command exited with non-zero status N" may come first: the numbers are the last line.
    const [u, s, m] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
    if ([u, s, m].every(Number.isFinite)) [cpuS, rssMB] = [u + s, m / 1024];
  } catch {
    // No time file: the run was killed; the error says why.
  }
  rmSync(timeFile, { force: true });
  const ok = r.code === 0 && !r.timedOut;
  return { ok, wallMs: r.wallMs, cpuS, rssMB, error: ok ? undefined : failure(r), stderr: ok ? (keepStderr ? r.stderr.toString('utf8') : undefined) : tail(r.stderr) };
}

/** Median, min and max wall, median CPU seconds and median peak RSS of the successful runs; null if none. */
export function stats(runs) {
  const ok = runs.filter((r) => r.ok);
  if (!ok.length) return null;
  const wall = ok.map((r) => r.wallMs);
  const med = (k) => (ok.every((r) => r[k] != null) ? median(ok.map((r) => r[k])) : null);
  return { runs: ok.length, medianWallMs: median(wall), minWallMs: Math.min(...wall), maxWallMs: Math.max(...wall), medianCpuS: med('cpuS'), medianRssMB: med('rssMB') };
}

/** A row of the measured-commands table for `stats()` output (null: every run failed). */
export const statsRow = (name, s) =>
  s ? [name, s.runs, fmt(s.medianWallMs), fmt(s.minWallMs), fmt(s.maxWallMs), fmt(s.medianCpuS, 2), fmt(s.medianRssMB)] : [name, 0, 'FAILED', '-', '-', '-', '-'];
export const STATS_HEADERS = ['command', 'runs', 'median wall ms', 'min ms', 'max ms', 'CPU s', 'peak RSS MB'];

/** A one-line progress note for a measured run. */
export function runLine(label, i, count, r) {
  if (!r.ok) return `  ${label} run ${i}/${count}: FAILED (${r.error})${r.stderr ? `\n${r.stderr.replace(/^/gm, '    | ')}` : ''}`;
  return `  ${label} run ${i}/${count}: ${fmt(r.wallMs)} ms wall, ${fmt(r.cpuS, 2)} s CPU, ${fmt(r.rssMB)} MB peak RSS`;
}

/** `count` measured runs of one command; stops at the first failure. */
export async function repeat(label, count, command, args, opts) {
  const runs = [];
  for (let i = 1; i <= count; i++) {
    const r = await measure(command, args, opts);
    runs.push(r);
    console.log(runLine(label, i, count, r));
    if (!r.ok) break;
  }
  return runs;
}

/** Marks each target PASS or MISS (n/a without data) and prints them. `le`: the limit itself passes. */
export function judge(targets) {
  for (const t of targets) {
    t.status = t.value == null ? 'n/a' : (t.le ? t.value <= t.limit : t.value < t.limit) ? 'PASS' : 'MISS';
    console.log(`  ${t.status.padEnd(4)}  ${t.name}: ${t.value == null ? 'no data' : `${fmt(t.value, t.digits ?? 0)} ${t.unit}`}`);
  }
  return targets;
}
