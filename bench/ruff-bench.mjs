// mwaa-migrate side by side with ruff's Airflow 3 rules on a generated home (called from
// scan-bench.mjs). Per round, one run of each, taking turns going first:
//
//   node --v8-pool-size=0 -- bin/mwaa-migrate.js report HOME --format json --no-cache --fail-on never > /dev/null
//   ruff check --select AIR3 --preview --no-cache --isolated --exit-zero --output-format json HOME/dags > /dev/null
//
// Native ruff when it is on PATH (a pyenv shim is resolved to the binary behind it, so bash and
// pyenv do not count against ruff); otherwise ruff's WebAssembly build (bench/ruff-wasm-once.mjs,
// the devDependency @astral-sh/ruff-wasm-nodejs); otherwise the comparison is skipped.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, openSync, readSync, closeSync } from 'node:fs';
import path from 'node:path';
import { formatStats, generateHome } from './gen-home.mjs';
import { cliArgs, fmt, measure, rel, ROOT, runLine, stats, statsRow } from './lib.mjs';

export const DEFAULT_RUFF_FILES = 4000;
export const TARGET_RUFF_RATIO = 2;
const RUFF_ARGS = ['check', '--select', 'AIR3', '--preview', '--no-cache', '--isolated', '--exit-zero', '--output-format', 'json'];

const firstBytes = (file) => {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    readSync(fd, b, 0, 2, 0);
    return b.toString('latin1');
  } finally {
    closeSync(fd);
  }
};

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** A command's trimmed stdout, or null if it fails. */
const output = (file, args = ['--version']) => {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }).trim();
  } catch {
    return null;
  }
};

/** How ruff runs here: { kind: 'native'|'wasm'|null, command, args, label, note }. `mode`: auto, native or wasm. */
export function findRuff(mode = 'auto') {
  if (mode !== 'wasm') {
    let bin = onPath('ruff');
    let note = '';
    if (bin && firstBytes(bin) === '#!') {
      // A script (pyenv shim, pipx wrapper): run the binary behind it when pyenv can say which.
      const real = output('pyenv', ['which', 'ruff']);
      if (real && existsSync(real) && firstBytes(real) !== '#!') [note, bin] = [` (${bin} is a script; using ${real})`, real];
    }
    const v = bin && output(bin);
    if (v) return { kind: 'native', command: bin, label: v, note };
  }
  const wasmPkg = path.join(ROOT, 'node_modules', '@astral-sh', 'ruff-wasm-nodejs', 'package.json');
  if (mode !== 'native' && existsSync(wasmPkg)) {
    const v = output(process.execPath, ['-p', `require(${JSON.stringify(wasmPkg)}).version`]);
    const why = mode === 'wasm' ? '--ruff wasm' : 'no native ruff on PATH';
    return { kind: 'wasm', command: process.execPath, label: `ruff-wasm-nodejs ${v ?? '?'}`, note: ` (${why}: WebAssembly build, one file at a time in one Node process)` };
  }
  return { kind: null, note: mode === 'native' ? 'no native ruff on PATH' : 'neither ruff on PATH nor @astral-sh/ruff-wasm-nodejs in node_modules' };
}

/** The ruff phase: generates (or reuses) a home of `files` DAG files, then R rounds of ours and ruff. */
export async function ruffPhase({ runs, timeoutMs, files, seed, ruffMode }) {
  const ruff = findRuff(ruffMode);
  console.log(`\nmwaa-migrate report vs ruff AIR3, ${files} DAG files, ${runs} runs each`);
  if (!ruff.kind) {
    console.log(`  skipped: ${ruff.note}`);
    return { rows: [], targets: [{ name: `mwaa-migrate report wall <= ${TARGET_RUFF_RATIO}x ruff (skipped: ${ruff.note})`, value: null }], results: { skipped: ruff.note }, crashed: false };
  }
  console.log(`  ruff: ${ruff.label}${ruff.note}`);
  const gen = generateHome({ files, seed, log: (m) => console.log(`  ${m}`) });
  console.log(formatStats(gen).replace(/^/gm, '  '));
  const home = gen.outDir;
  const dags = path.join(home, 'dags');
  const ours = { label: 'mwaa-migrate report', command: process.execPath, args: cliArgs(['report', home, '--format', 'json', '--no-cache', '--fail-on', 'never']), runs: [] };
  const theirs = {
    label: ruff.kind === 'native' ? 'ruff check' : 'ruff (wasm)',
    command: ruff.command,
    args: ruff.kind === 'native' ? [...RUFF_ARGS, dags] : [path.join(ROOT, 'bench', 'ruff-wasm-once.mjs'), dags],
    runs: [],
  };
  for (let i = 1; i <= runs; i++) {
    // Odd rounds mwaa-migrate first, even rounds ruff first.
    for (const t of i % 2 ? [ours, theirs] : [theirs, ours]) {
      if (t.runs.some((r) => !r.ok)) continue; // a failed command would fail the same way again
      const r = await measure(t.command, t.args, { timeoutMs });
      t.runs.push(r);
      console.log(runLine(t.label, i, runs, r));
    }
  }
  const s = { ours: stats(ours.runs), ruff: stats(theirs.runs) };
  const ratio = (k) => (s.ours?.[k] != null && s.ruff?.[k] ? s.ours[k] / s.ruff[k] : null);
  const wallRatio = ratio('medianWallMs');
  const cpuRatio = ratio('medianCpuS');
  const ruffName = ruff.kind === 'native' ? 'ruff' : 'ruff (WebAssembly)';
  return {
    rows: [statsRow(`${ours.label} (${files} files)`, s.ours), statsRow(`${theirs.label} (${files} files)`, s.ruff)],
    notes: [`ours/${ruffName}: wall ${fmt(wallRatio, 2)}x, CPU ${fmt(cpuRatio, 2)}x (medians)`],
    targets: [
      { name: `mwaa-migrate report wall <= ${TARGET_RUFF_RATIO}x ${ruffName} wall (ratio of medians, ${files} files)`, value: wallRatio, limit: TARGET_RUFF_RATIO, unit: 'x', digits: 2, le: true },
    ],
    results: {
      ruff: { kind: ruff.kind, version: ruff.label, command: [ruff.command, ...theirs.args.map((a) => (a === dags ? rel(dags) : a))] },
      home: { path: rel(home), ...Object.fromEntries(Object.entries(gen).filter(([k]) => k !== 'outDir')) },
      summary: { ...s, wallRatio, cpuRatio },
      runs: { ours: ours.runs, ruff: theirs.runs },
    },
    crashed: [...ours.runs, ...theirs.runs].some((r) => !r.ok),
  };
}
