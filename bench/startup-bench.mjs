// Start-up and README-example phases of the scanner benchmark (called from scan-bench.mjs).
//
// startup: `node -e 0` (the floor), `mwaa-migrate --version` and `--help`.
// example: the README's example, `report fixtures/homes/airflow2 --env-file ... --fail-on never`,
//          with the scan cache off (--no-cache) and on (a warm cache under bench/out, reached
//          through XDG_CACHE_HOME so the user's own cache is never touched).
// Each command runs R times in a fresh process, its stdout sent to /dev/null.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { cliArgs, measure, OUT, rel, repeat, ROOT, runLine, stats, statsRow } from './lib.mjs';

const EXAMPLE_HOME = 'fixtures/homes/airflow2';
const EXAMPLE_ARGS = ['report', EXAMPLE_HOME, '--env-file', `${EXAMPLE_HOME}/.env`, '--fail-on', 'never'];
const CACHE_BASE = path.join(OUT, 'xdg-cache-example');

export const TARGET_STARTUP_MS = 150;
export const TARGET_EXAMPLE_MS = 600;

/** The environment of every CLI run here: XDG_CACHE_HOME points into bench/out. */
const benchEnv = () => ({ ...process.env, XDG_CACHE_HOME: CACHE_BASE });

export async function startupPhase({ runs, timeoutMs }) {
  console.log(`\nstart-up (fresh process each, stdout to /dev/null), ${runs} runs each`);
  const opts = { timeoutMs, env: benchEnv() };
  const floor = await repeat('node -e 0', runs, process.execPath, ['-e', '0'], opts);
  const version = await repeat('--version', runs, process.execPath, cliArgs(['--version']), opts);
  const help = await repeat('--help', runs, process.execPath, cliArgs(['--help']), opts);
  const s = { floor: stats(floor), version: stats(version), help: stats(help) };
  return {
    rows: [statsRow('node -e 0 (floor)', s.floor), statsRow('mwaa-migrate --version', s.version), statsRow('mwaa-migrate --help', s.help)],
    targets: [
      { name: `--version <= ${TARGET_STARTUP_MS} ms (median wall; floor node -e 0: ${fmtMs(s.floor)})`, value: s.version?.medianWallMs ?? null, limit: TARGET_STARTUP_MS, unit: 'ms', le: true },
      { name: `--help <= ${TARGET_STARTUP_MS} ms (median wall)`, value: s.help?.medianWallMs ?? null, limit: TARGET_STARTUP_MS, unit: 'ms', le: true },
    ],
    results: { summary: s, runs: { floor, version, help } },
    crashed: [floor, version, help].some((rs) => rs.some((r) => !r.ok)),
  };
}

export async function examplePhase({ runs, timeoutMs }) {
  const opts = { timeoutMs, env: benchEnv() };
  console.log(`\nREADME example: mwaa-migrate ${EXAMPLE_ARGS.join(' ')}, ${runs} runs each`);
  // A fresh bench-owned cache folder: one run fills it (the scan cache, the rule catalogue, Node's
  // compiled code), then the two take turns, so that the machine's drift falls on both alike and
  // they differ by the scan cache alone.
  rmSync(CACHE_BASE, { recursive: true, force: true });
  const fill = await repeat('example cache fill', 1, process.execPath, cliArgs(EXAMPLE_ARGS), opts);
  const noCache = [];
  const warm = [];
  for (let i = 1; i <= runs && fill[0].ok; i++) {
    for (const [label, args, into] of [
      ['example --no-cache', [...EXAMPLE_ARGS, '--no-cache'], noCache],
      ['example warm cache', EXAMPLE_ARGS, warm],
    ]) {
      const r = await measure(process.execPath, cliArgs(args), opts);
      into.push(r);
      console.log(runLine(label, i, runs, r));
    }
  }
  const s = { noCache: stats(noCache), warm: stats(warm) };
  return {
    rows: [statsRow('example --no-cache', s.noCache), statsRow('example, warm cache', s.warm)],
    targets: [
      { name: `README example, --no-cache <= ${TARGET_EXAMPLE_MS} ms (median wall)`, value: s.noCache?.medianWallMs ?? null, limit: TARGET_EXAMPLE_MS, unit: 'ms', le: true },
      { name: `README example, warm cache <= ${TARGET_EXAMPLE_MS} ms (median wall)`, value: s.warm?.medianWallMs ?? null, limit: TARGET_EXAMPLE_MS, unit: 'ms', le: true },
    ],
    results: { command: ['mwaa-migrate', ...EXAMPLE_ARGS], xdgCacheHome: rel(CACHE_BASE), summary: s, runs: { noCache, fill: fill[0], warm } },
    crashed: [noCache, fill, warm].some((rs) => rs.some((r) => !r.ok)),
  };
}

const fmtMs = (s) => (s ? `${s.medianWallMs.toFixed(0)} ms` : 'no data');
