// Scanner benchmark: cold scans, warm (cached) re-scans and one end-to-end CLI run over a
// generated Airflow home; then start-up times, the README example, and mwaa-migrate side by side
// with ruff (bench/startup-bench.mjs, bench/ruff-bench.mjs). Run after `tsc` has built dist/
// (npm run bench does both).
//
//   node bench/scan-bench.mjs [--files N] [--runs R] [--seed S] [--timeout SECONDS] [--no-upload]
//                             [--only PHASES] [--ruff-files N] [--ruff auto|native|wasm]
//
// PHASES is a comma-separated subset of scan,startup,example,ruff,fix,upload (default: all).
// The upload benchmark (bench/upload-bench.mjs, which also runs alone) comes last unless --no-upload.
// Targets are informational: the exit code is 0 unless a run crashed or timed out.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_FILES, DEFAULT_SEED, formatStats, generateHome } from './gen-home.mjs';
import { cliArgs, failure, fmt, judge, machine, MB, measure, median, NODE_FLAGS, OUT, positiveInt, rel, ROOT, runNode, STATS_HEADERS, table, tail } from './lib.mjs';
import { fixPhase } from './fix-bench.mjs';
import { DEFAULT_RUFF_FILES, ruffPhase } from './ruff-bench.mjs';
import { examplePhase, startupPhase } from './startup-bench.mjs';

const SCAN_ONCE = path.join(ROOT, 'bench', 'scan-once.mjs');

// The goals the scanner is built against; the cold target is stated for 10,000 files.
const TARGET_COLD_MS_PER_10K = 5000;
const TARGET_RSS_MB = 400;
const TARGET_WARM_MS = 1000;
// 2026-01-01T00:00:00Z, the bench's "now" (SOURCE_DATE_EPOCH).
const PINNED_NOW = 1767225600;

const PHASES = ['scan', 'startup', 'example', 'ruff', 'fix', 'upload'];
const RUFF_MODES = ['auto', 'native', 'wasm'];

function usage() {
  return `usage: node bench/scan-bench.mjs [--files N] [--runs R] [--seed S] [--timeout SECONDS] [--no-upload]
                                 [--only ${PHASES.join(',')}] [--ruff-files N] [--ruff ${RUFF_MODES.join('|')}]`;
}

/** The phases to run: --only's list (or all), less upload with --no-upload. Exits on an unknown name. */
function selectPhases(only, noUpload) {
  const picked = only ? only.split(',').map((p) => p.trim()).filter(Boolean) : PHASES;
  const unknown = picked.filter((p) => !PHASES.includes(p));
  if (unknown.length || !picked.length) {
    console.error(`--only takes a comma-separated list of ${PHASES.join(', ')}; got ${only}\n${usage()}`);
    process.exit(2);
  }
  return PHASES.filter((p) => picked.includes(p) && !(p === 'upload' && noUpload));
}

/** One scan-once.mjs run; returns its JSON line plus wall time, or { error }. */
async function scanOnce(home, cacheDir, timeoutMs) {
  // Started as the CLI starts (its Node flags), since it times the CLI's scan and check.
  const args = [...NODE_FLAGS, SCAN_ONCE, home];
  if (cacheDir) args.push('--cache-dir', cacheDir);
  const r = await runNode(args, timeoutMs);
  if (r.code !== 0) return { error: failure(r), stderr: tail(r.stderr) };
  const last = r.stdout.toString('utf8').trim().split('\n').pop();
  try {
    return { ...JSON.parse(last), wallMs: Math.round(r.wallMs) };
  } catch {
    return { error: 'no JSON line on stdout', stderr: tail(r.stderr || r.stdout.toString('utf8')) };
  }
}

function summarise(runs, gen) {
  const ok = runs.filter((r) => !r.error);
  if (!ok.length) return null;
  const ms = ok.map((r) => r.ms);
  // Fall back to what the generator wrote when the summary lacks a field.
  const files = (r) => r.dagFiles ?? gen.dagFiles;
  const bytes = (r) => r.bytes ?? gen.dagBytes;
  return {
    runs: ok.length,
    medianMs: median(ms),
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
    medianWallMs: median(ok.map((r) => r.wallMs)),
    medianCpuMs: median(ok.map((r) => r.cpuMs ?? 0)),
    filesPerSec: median(ok.map((r) => files(r) / (r.ms / 1000))),
    mbPerSec: median(ok.map((r) => bytes(r) / MB / (r.ms / 1000))),
    peakRssMB: Math.max(...ok.map((r) => r.maxRssMB ?? 0)),
    medianCheckMs: median(ok.map((r) => r.checkMs ?? 0)),
    findings: ok[0].findings ?? null,
    dagFiles: ok[0].dagFiles ?? null,
    dags: ok[0].dags ?? null,
    tasks: ok[0].tasks ?? null,
    bytes: ok[0].bytes ?? null,
  };
}

async function phase(label, count, run) {
  const runs = [];
  for (let i = 0; i < count; i++) {
    const r = await run();
    runs.push(r);
    if (r.error) {
      console.log(`  ${label} run ${i + 1}/${count}: FAILED (${r.error})${r.stderr ? `\n${r.stderr.replace(/^/gm, '    | ')}` : ''}`);
      break; // later runs would fail the same way
    }
    console.log(`  ${label} run ${i + 1}/${count}: ${r.ms.toFixed(0)} ms scan + ${r.checkMs?.toFixed(0)} ms rules (${r.findings} findings), ${r.wallMs} ms wall, ${r.cpuMs} ms CPU in the scan, ${r.maxRssMB} MB peak RSS (${r.withRulesRssMB} MB with rules), ${r.dagFiles} DAG files, ${r.dags} DAGs, ${r.tasks} tasks`);
  }
  return runs;
}

async function runCli(home, timeoutMs) {
  const r = await runNode(cliArgs(['scan', home, '--json', '--no-cache']), timeoutMs);
  const res = { wallMs: Math.round(r.wallMs), exitCode: r.code, signal: r.signal, timedOut: r.timedOut, stdoutBytes: r.stdout.length, json: false };
  try {
    const inv = JSON.parse(r.stdout.toString('utf8'));
    res.json = true;
    res.dagFiles = inv?.summary?.dagFiles ?? null;
    res.dags = inv?.summary?.dags ?? null;
    res.tasks = inv?.summary?.tasks ?? null;
  } catch (e) {
    res.jsonError = e.message.slice(0, 200);
  }
  res.ok = r.code === 0 && res.json;
  if (!res.ok) res.stderr = tail(r.stderr);
  return res;
}

/**
 * `report --format json` end to end (no cache), with its peak memory from GNU time: a child of
 * this process would report this process's own peak (Linux carries it over a fork and exec), and
 * this one holds the 200 MB of JSON the cli run printed.
 */
async function runReport(home, timeoutMs) {
  const r = await measure(process.execPath, cliArgs(['report', home, '--format', 'json', '--output', os.devNull, '--no-cache', '--fail-on', 'never']), { timeoutMs });
  return { ok: r.ok, wallMs: Math.round(r.wallMs), maxRssMB: r.rssMB === null ? null : Math.round(r.rssMB), error: r.error, stderr: r.stderr };
}

/** bench/upload-bench.mjs with its own defaults (10,000 files), its output shown as it comes. */
function uploadBench(seed) {
  console.log('');
  const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'upload-bench.mjs'), '--seed', String(seed)], { cwd: ROOT, stdio: 'inherit' });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

/** The scanner phases (cold, warm, cli, report) and their table; returns results, targets and whether a run crashed. */
async function scanPhases({ files, runs, seed, timeoutMs }) {
  const gen = generateHome({ files, seed, log: (m) => console.log(m) });
  console.log(formatStats(gen));
  const home = gen.outDir;
  const cacheDir = path.join(OUT, `cache-${files}`);

  console.log(`\ncold scans (fresh process each, no cache), ${runs} runs`);
  const cold = await phase('cold', runs, () => scanOnce(home, null, timeoutMs));

  console.log(`\nwarm re-scans (cache in ${rel(cacheDir)}), 1 fill + ${runs} runs`);
  rmSync(cacheDir, { recursive: true, force: true });
  const fill = await phase('fill', 1, () => scanOnce(home, cacheDir, timeoutMs));
  const warm = fill.some((r) => r.error) ? [] : await phase('warm', runs, () => scanOnce(home, cacheDir, timeoutMs));

  console.log('\nend-to-end CLI: mwaa-migrate scan HOME --json --no-cache');
  const cli = await runCli(home, timeoutMs);
  console.log(
    cli.ok
      ? `  ${cli.wallMs} ms wall, exit 0, ${(cli.stdoutBytes / MB).toFixed(1)} MB of JSON${cli.dagFiles != null ? `, ${cli.dagFiles} DAG files` : ''}`
      : `  FAILED: exit ${cli.exitCode}${cli.signal ? ` (${cli.signal})` : ''}${cli.timedOut ? ' (timed out)' : ''}, JSON ${cli.json ? 'ok' : `invalid: ${cli.jsonError}`}${cli.stderr ? `\n${cli.stderr.replace(/^/gm, '    | ')}` : ''}`,
  );

  console.log('\nend-to-end report: mwaa-migrate report HOME --format json --no-cache');
  const report = await runReport(home, timeoutMs);
  console.log(report.ok ? `  ${report.wallMs} ms wall, ${report.maxRssMB ?? '-'} MB peak RSS` : `  FAILED: ${report.error}\n${report.stderr ?? ''}`);
  return scanSummary({ files, gen, home, cacheDir, cold, fill, warm, cli, report });
}

/** The scanner phases' table, targets and results. */
function scanSummary({ files, gen, home, cacheDir, cold, fill, warm, cli, report }) {
  const sCold = summarise(cold, gen);
  const sFill = summarise(fill, gen);
  const sWarm = summarise(warm, gen);
  const row = (name, s) =>
    s
      ? [name, s.runs, fmt(s.medianMs), fmt(s.minMs), fmt(s.maxMs), fmt(s.medianCpuMs), fmt(s.medianWallMs), fmt(s.filesPerSec), fmt(s.mbPerSec, 1), fmt(s.peakRssMB)]
      : [name, 0, '-', '-', '-', '-', '-', '-', '-', '-'];
  console.log(`\nresults (${files} DAG files, ${(gen.dagBytes / MB).toFixed(1)} MB; ms = scanHome() time, CPU = its CPU over all threads, wall = process incl. startup)`);
  console.log(
    table(
      [row('cold', sCold), row('warm fill', sFill), row('warm', sWarm), ['cli --no-cache', 1, '-', '-', '-', '-', cli.ok ? cli.wallMs : 'FAILED', '-', '-', '-']],
      ['phase', 'runs', 'median ms', 'min ms', 'max ms', 'CPU ms', 'wall ms', 'files/s', 'MB/s', 'peak RSS MB'],
    ),
  );

  const scanned = sCold?.dagFiles ?? sWarm?.dagFiles;
  if (scanned != null && scanned !== files) {
    console.log(`note: the scanner counted ${scanned} DAG files; the generator wrote ${files} (+${gen.helperFiles} helper modules, ${gen.ignoredFiles} .airflowignore'd)`);
  }

  const coldTargetMs = (TARGET_COLD_MS_PER_10K * files) / 10000;
  const rssValues = [sCold, sFill, sWarm].filter(Boolean).map((s) => s.peakRssMB);
  const targets = [
    {
      name: files === 10000 ? 'cold scan of 10,000 files < 5 s (median)' : `cold scan < ${fmt(coldTargetMs)} ms (5 s per 10,000 files, median)`,
      value: sCold?.medianMs ?? null,
      limit: coldTargetMs,
      unit: 'ms',
    },
    { name: `peak RSS < ${TARGET_RSS_MB} MB (max over all scans)`, value: rssValues.length ? Math.max(...rssValues) : null, limit: TARGET_RSS_MB, unit: 'MB' },
    { name: 'warm re-scan < 1 s (median)', value: sWarm?.medianMs ?? null, limit: TARGET_WARM_MS, unit: 'ms' },
    { name: `report --format json end to end, peak RSS <= ${TARGET_RSS_MB} MB`, value: report.ok ? report.maxRssMB : null, limit: TARGET_RSS_MB, unit: 'MB', le: true },
    // The rules add little to a scan: (scan + rules) / scan over the cold runs.
    {
      name: `scan + rules < 1.3x scan alone (cold medians: scan ${fmt(sCold?.medianMs)} ms, rules ${fmt(sCold?.medianCheckMs)} ms)`,
      value: sCold ? (sCold.medianMs + sCold.medianCheckMs) / sCold.medianMs : null,
      limit: 1.3,
      unit: 'x',
      digits: 3,
    },
  ];

  return {
    results: {
      home: { path: rel(home), ...Object.fromEntries(Object.entries(gen).filter(([k]) => k !== 'outDir')) },
      cold: { summary: sCold, runs: cold },
      warm: { cacheDir: rel(cacheDir), fill: fill[0] ?? null, summary: sWarm, runs: warm },
      cli,
      report,
    },
    targets,
    crashed: [...cold, ...fill, ...warm].some((r) => r.error) || !cli.ok || !report.ok,
  };
}

/** Start-up, README example and ruff: each phase's runs, then one table of them all. */
async function commandPhases(phases, opts) {
  const done = {};
  if (phases.includes('startup')) done.startup = await startupPhase(opts);
  if (phases.includes('example')) done.example = await examplePhase(opts);
  if (phases.includes('ruff')) done.ruff = await ruffPhase(opts);
  if (phases.includes('fix')) done.fix = await fixPhase({ files: opts.scanFiles, seed: opts.seed, timeoutMs: opts.timeoutMs });
  const all = Object.values(done);
  const rows = all.flatMap((p) => p.rows);
  if (rows.length) {
    console.log(`\nresults (median of ${opts.runs} runs per command; wall = whole process, CPU = user + sys, peak RSS = median of the runs' peaks)`);
    console.log(table(rows, STATS_HEADERS));
  }
  for (const n of all.flatMap((p) => p.notes ?? [])) console.log(n);
  return {
    results: Object.fromEntries(Object.entries(done).map(([k, p]) => [k, p.results])),
    targets: all.flatMap((p) => p.targets),
    crashed: all.some((p) => p.crashed),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: String(DEFAULT_FILES) },
      runs: { type: 'string', default: '5' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      timeout: { type: 'string', default: '600' },
      'no-upload': { type: 'boolean', default: false },
      only: { type: 'string' },
      'ruff-files': { type: 'string', default: String(DEFAULT_RUFF_FILES) },
      ruff: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage());
    return 0;
  }
  const files = positiveInt('files', values.files, usage());
  const runs = positiveInt('runs', values.runs, usage());
  const timeoutMs = positiveInt('timeout', values.timeout, usage()) * 1000;
  const ruffFiles = positiveInt('ruff-files', values['ruff-files'], usage());
  if (!RUFF_MODES.includes(values.ruff)) {
    console.error(`--ruff must be one of ${RUFF_MODES.join(', ')}; got ${values.ruff}\n${usage()}`);
    return 2;
  }
  const phases = selectPhases(values.only, values['no-upload']);
  // Every child sees one "now" (unless the caller pinned another): findings that count catchup runs
  // up to today would otherwise change from one bench run to the next.
  process.env.SOURCE_DATE_EPOCH ||= String(PINNED_NOW);

  if (!existsSync(path.join(ROOT, 'dist', 'home', 'scan.js'))) {
    console.error('build first: npm run build (dist/home/scan.js is missing)');
    return 1;
  }

  const { line: machineLine, ...machineInfo } = machine();
  console.log(machineLine);
  console.log(`phases: ${phases.join(', ')}`);

  const scan = phases.includes('scan') ? await scanPhases({ files, runs, seed: values.seed, timeoutMs }) : { results: {}, targets: [], crashed: false };
  const other = await commandPhases(phases, { runs, timeoutMs, files: ruffFiles, scanFiles: files, seed: values.seed, ruffMode: values.ruff });
  const targets = [...scan.targets, ...other.targets];
  if (targets.length) {
    console.log('\ntargets (informational)');
    judge(targets);
  }

  const crashed = scan.crashed || other.crashed;
  const results = {
    date: new Date().toISOString(),
    machine: machineInfo,
    options: { files, runs, seed: String(values.seed), phases, ruffFiles, ruff: values.ruff },
    ...scan.results,
    ...other.results,
    targets,
    ok: !crashed,
  };
  mkdirSync(OUT, { recursive: true });
  const resultsFile = path.join(OUT, 'results.json');
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${rel(resultsFile)}`);
  if (crashed) console.error('bench: at least one run failed (see above)');
  const upload = phases.includes('upload') ? await uploadBench(values.seed) : 0;
  return crashed || upload !== 0 ? 1 : 0;
}

process.exitCode = await main();
