// Helpers shared by the benchmarks: child processes, statistics and the printed tables.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUT = path.join(ROOT, 'bench', 'out');
export const MB = 1024 * 1024;

export const rel = (p) => path.relative(ROOT, p) || '.';

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
export function run(command, args, { timeoutMs, env } = {}) {
  return new Promise((resolve) => {
    const cpu0 = childrenCpuS();
    const t0 = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b) => out.push(b));
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
