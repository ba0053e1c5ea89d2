// Upload benchmark: `mwaa-migrate plan` + `apply` (the DAG upload) against `aws s3 sync`, over a
// generated Airflow home. Two S3 stores, both on loopback:
//   - moto: moto_server (an S3 emulator, versioned buckets) behind a proxy that counts requests;
//   - sink: an S3 in this process that only hashes and counts, so the tools' own cost shows
//     without moto's Python.
// Run after `tsc` has built dist/ (npm run bench does both, after the scanner benchmark).
//
//   node bench/upload-bench.mjs [--files N] [--runs R] [--moto-runs M] [--seed S] [--timeout SECONDS]
//
// Every command runs in a process of its own: mwaa-migrate through bench/cli-once.mjs (which
// reports its peak RSS), aws as itself. Each run gets fresh versioned buckets; after the first
// upload, the unchanged home is synced, planned and applied again, which must PUT nothing.
// Each command's CPU seconds (user + sys, the process and its children) are read from Linux's
// accounting of this process's waited-for children. The exit code is 0 unless a run failed or a
// re-run uploaded something; the other targets are informational.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FAKE_AWS_ENV, RequestCounts, startCountingProxy, startMoto, startMwaaStub, startS3Sink } from './aws-stubs.mjs';
import { DEFAULT_FILES, DEFAULT_SEED, formatStats, generateHome } from './gen-home.mjs';
import { failure, fmt, machine, MB, median, NODE_FLAGS, OUT, positiveInt, rel, ROOT, run, runNode, table, tail } from './lib.mjs';

const CLI_ONCE = path.join(ROOT, 'bench', 'cli-once.mjs');
const WORK = path.join(OUT, 'upload');
const DAGS_PREFIX = 'dags';
const ENV_NAME = 'bench-env';
// The goal for applying an unchanged plan again (the upload step's cost when nothing changed).
const TARGET_APPLY_RERUN_MS = 2000;
// The goal for a cold apply next to a cold `aws s3 sync` on the sink, where the client is the limit.
const TARGET_SINK_SPEEDUP = 2;
// A moto run at 10,000 files takes about 1.5 min (moto's ~350 PUTs/s caps both tools twice), so
// fewer of them keep the whole benchmark near 7 min.
const DEFAULT_MOTO_RUNS = 2;

const USAGE = 'usage: node bench/upload-bench.mjs [--files N] [--runs R] [--moto-runs M] [--seed S] [--timeout SECONDS]';

/** One `mwaa-migrate ...` in its own process; exit codes other than `okCodes` count as failures. */
async function mwaaMigrate(args, okCodes, { timeoutMs, env }) {
  const r = await runNode([...NODE_FLAGS, CLI_ONCE, ...args], timeoutMs, env);
  let last = null;
  try {
    last = JSON.parse(r.stdout.toString('utf8').trim().split('\n').at(-1));
  } catch {
    // reported below
  }
  if (r.code !== 0 || !last || !okCodes.includes(last.exitCode)) {
    return { ok: false, wallMs: Math.round(r.wallMs), error: last ? `mwaa-migrate exit code ${last.exitCode}` : failure(r), stderr: tail(r.stderr) };
  }
  return { ok: true, wallMs: Math.round(r.wallMs), cpuS: r.cpuS, ms: last.ms, maxRssMB: last.maxRssMB };
}

async function awsSync(dagsDir, bucket, endpoint, { timeoutMs, env }) {
  const r = await run('aws', ['s3', 'sync', dagsDir, `s3://${bucket}/${DAGS_PREFIX}`, '--endpoint-url', endpoint, '--only-show-errors', '--no-progress'], { timeoutMs, env });
  return r.code === 0 ? { ok: true, wallMs: Math.round(r.wallMs), cpuS: r.cpuS } : { ok: false, wallMs: Math.round(r.wallMs), error: `aws ${failure(r)}`, stderr: tail(r.stderr) };
}

/** Runs one command with the store's request counts zeroed first; adds what it sent. */
async function counted(store, command) {
  store.counts.reset();
  const r = await command();
  return { ...r, requests: store.counts.snapshot() };
}

/** Objects that differ from the bucket in a written plan: the re-run's must list none. */
function pendingPuts(planFile) {
  const plan = JSON.parse(readFileSync(planFile, 'utf8'));
  return plan.actions.filter((a) => a.kind === 'put-object' && a.change !== 'unchanged').length;
}

/** One run against one store: sync, first and again; plan + apply, first and again. */
async function oneRun(store, n, ctx) {
  const dir = path.join(WORK, `${store.name}-${n}`);
  mkdirSync(dir, { recursive: true });
  await store.reset();
  ctx.mwaa.reset();
  const out = {};
  const log = (label, r) => {
    const parts = r.ok
      ? [`${r.wallMs} ms wall`, r.cpuS != null && `${fmt(r.cpuS, 2)} CPU s`, r.ms != null && `${r.ms} ms in the command`, r.maxRssMB != null && `${r.maxRssMB} MB peak RSS`, `requests ${JSON.stringify(r.requests)}`]
      : [`FAILED (${r.error})`];
    console.log(`  ${store.name} run ${n}: ${label}: ${parts.filter(Boolean).join(', ')}${!r.ok && r.stderr ? `\n${r.stderr.replace(/^/gm, '    | ')}` : ''}`);
    return r;
  };

  const syncSteps = async () => {
    const bucket = `sync-${n}`;
    await store.createBucket(bucket);
    const sync = () => counted(store, () => awsSync(ctx.dagsDir, bucket, store.endpoint, ctx));
    out.syncFirst = log('aws s3 sync, first', await sync());
    if (!out.syncFirst.ok) return;
    const before = await store.versionCount(bucket);
    out.syncRerun = log('aws s3 sync, re-run', await sync());
    out.syncVersions = { before, after: await store.versionCount(bucket) };
  };

  const mwaaMigrateSteps = async () => {
    const bucket = `mm-${n}`;
    await store.createBucket(bucket);
    // A cold scan cache for the first plan; the re-run's plan finds it warm, as a user's would.
    rmSync(ctx.env.XDG_CACHE_HOME, { recursive: true, force: true });
    const plan = (file) =>
      counted(store, () =>
        mwaaMigrate(
          ['plan', ctx.home, '--name', ENV_NAME, '--bucket', bucket, '--execution-role-arn', 'arn:aws:iam::123456789012:role/x', '--subnet-ids', 'subnet-0a,subnet-0b', '--security-group-ids', 'sg-0a', '--region', FAKE_AWS_ENV.AWS_REGION, '--endpoint-url', store.endpoint, '--mwaa-endpoint-url', ctx.mwaa.endpoint, '--out', file],
          [0, 1, 3], // nothing to do, blocking findings (the generated DAGs have some), changes pending
          ctx,
        ),
      );
    // --allow-errors: the generated DAGs have blocking findings, and the upload is what is measured.
    const apply = (file) => counted(store, () => mwaaMigrate(['apply', file, '--endpoint-url', store.endpoint, '--mwaa-endpoint-url', ctx.mwaa.endpoint, '--no-wait', '--allow-errors'], [0], ctx));

    // The re-run writes a new plan file: a plan has its own journal, and a new plan starts none.
    const [first, again] = [path.join(dir, 'plan.json'), path.join(dir, 'plan-rerun.json')];
    out.planFirst = log('mwaa-migrate plan, first', await plan(first));
    if (!out.planFirst.ok) return;
    out.objects = JSON.parse(readFileSync(first, 'utf8')).actions.filter((a) => a.kind === 'put-object');
    out.applyFirst = log('mwaa-migrate apply, first', await apply(first));
    if (!out.applyFirst.ok) return;
    const before = await store.versionCount(bucket);
    out.planRerun = log('mwaa-migrate plan, re-run', await plan(again));
    if (!out.planRerun.ok) return;
    out.rerunPendingPuts = pendingPuts(again);
    out.applyRerun = log('mwaa-migrate apply, re-run', await apply(again));
    out.versions = { before, after: await store.versionCount(bucket) };
  };

  // Who goes first alternates between runs, so neither tool always meets a store that already
  // holds the other's objects.
  const steps = ctx.aws ? [syncSteps, mwaaMigrateSteps] : [mwaaMigrateSteps];
  if (n % 2 === 0) steps.reverse();
  for (const step of steps) await step();
  return out;
}

/** plan and apply of one run as one step, as a user runs them. */
function planAndApply(p, a) {
  if (!p?.ok || !a?.ok) return p?.ok ? a : p;
  const requests = { ...p.requests };
  for (const [op, n] of Object.entries(a.requests)) requests[op] = (requests[op] ?? 0) + n;
  return { ok: true, wallMs: p.wallMs + a.wallMs, cpuS: p.cpuS == null || a.cpuS == null ? null : p.cpuS + a.cpuS, ms: p.ms + a.ms, maxRssMB: Math.max(p.maxRssMB, a.maxRssMB), requests };
}

function summarise(runs, objects, bytes) {
  const ok = runs.filter((r) => r?.ok);
  if (!ok.length) return null;
  const wall = ok.map((r) => r.wallMs);
  const maxOf = (f) => Math.max(...ok.map(f));
  const req = (r, op) => r.requests[op] ?? 0;
  const total = (r) => Object.values(r.requests).reduce((s, n) => s + n, 0);
  const medianWallMs = median(wall);
  const medianCpuS = ok.some((r) => r.cpuS == null) ? null : median(ok.map((r) => r.cpuS));
  return {
    runs: ok.length,
    medianWallMs,
    minWallMs: Math.min(...wall),
    maxWallMs: Math.max(...wall),
    medianMs: ok[0].ms == null ? null : median(ok.map((r) => r.ms)),
    objects,
    bytes,
    // At the median wall time: aws has no other clock, and a user waits for the whole process.
    filesPerSec: objects / (medianWallMs / 1000),
    mbPerSec: bytes / MB / (medianWallMs / 1000),
    medianCpuS,
    cpuSPer1000Files: medianCpuS == null ? null : (medianCpuS / objects) * 1000,
    // The most any run sent, so a single stray PUT shows.
    putObject: maxOf((r) => req(r, 'PutObject')),
    headObject: maxOf((r) => req(r, 'HeadObject')),
    otherRequests: maxOf((r) => total(r) - req(r, 'PutObject') - req(r, 'HeadObject')),
    peakRssMB: ok[0].maxRssMB == null ? null : maxOf((r) => r.maxRssMB),
  };
}

/** Files and bytes under a folder: what `aws s3 sync` uploads from it. */
function folderStats(dir) {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return { objects: files.length, bytes: files.reduce((s, e) => s + statSync(path.join(e.parentPath, e.name)).size, 0) };
}

async function main() {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: String(DEFAULT_FILES) },
      runs: { type: 'string', default: '3' },
      'moto-runs': { type: 'string', default: String(DEFAULT_MOTO_RUNS) },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      timeout: { type: 'string', default: '300' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const files = positiveInt('files', values.files, USAGE);
  const runs = positiveInt('runs', values.runs, USAGE);
  const motoRuns = Math.min(runs, positiveInt('moto-runs', values['moto-runs'], USAGE));
  const timeoutMs = positiveInt('timeout', values.timeout, USAGE) * 1000;
  if (!existsSync(path.join(ROOT, 'dist', 'cli.js'))) {
    console.error('build first: npm run build (dist/cli.js is missing)');
    return 1;
  }

  const { line: machineLine, ...machineInfo } = machine();
  console.log(`upload benchmark: ${machineLine}`);
  const gen = generateHome({ files, seed: values.seed, log: (m) => console.log(m) });
  console.log(formatStats(gen));
  rmSync(WORK, { recursive: true, force: true });
  const dagsDir = path.join(gen.outDir, 'dags');
  const ctx = {
    home: gen.outDir,
    dagsDir,
    timeoutMs,
    env: { ...process.env, ...FAKE_AWS_ENV, XDG_CACHE_HOME: path.join(WORK, 'cache') },
    aws: (await run('aws', ['--version'], { timeoutMs: 30_000 })).code === 0,
    mwaa: await startMwaaStub(),
  };
  if (!ctx.aws) console.log('aws CLI not found on PATH: the aws s3 sync rows are skipped');

  const stores = [];
  const stopping = [ctx.mwaa.stop];
  try {
    const motoCounts = new RequestCounts();
    const moto = await startMoto();
    if (moto.error) console.log(`moto_server: ${moto.error}; the moto rows are skipped`);
    else {
      stopping.push(moto.stop);
      const proxy = await startCountingProxy(moto.endpoint, motoCounts);
      stopping.push(proxy.close);
      stores.push({ ...moto, name: 'moto', runs: motoRuns, endpoint: proxy.endpoint, counts: motoCounts, counter: 'a counting proxy in front of moto' });
    }
    const sinkCounts = new RequestCounts();
    const sink = await startS3Sink(sinkCounts);
    stopping.push(sink.stop);
    stores.push({ ...sink, name: 'sink', runs, counts: sinkCounts, counter: 'the sink itself' });

    const results = {};
    for (const store of stores) {
      const fewer = store.runs < runs ? ` (fewer than --runs ${runs}, to keep the benchmark short: --moto-runs)` : '';
      console.log(`\n${store.name}: ${store.runs} runs${fewer}, each on fresh versioned buckets`);
      results[store.name] = [];
      for (let n = 1; n <= store.runs; n++) results[store.name].push(await oneRun(store, n, ctx));
    }
    return report({ results, stores, gen, dagsDir, files, runs, motoRuns, seed: values.seed, machineInfo, aws: ctx.aws });
  } finally {
    for (const stop of stopping.reverse()) await stop();
  }
}

function report({ results, stores, gen, dagsDir, files, runs, motoRuns, seed, machineInfo, aws }) {
  const synced = folderStats(dagsDir);
  const rows = [];
  const summaries = {};
  const checks = [];
  for (const { name, counter, runs } of stores) {
    const rs = results[name];
    const objects = rs.find((r) => r.objects)?.objects ?? [];
    const uploaded = { objects: objects.length, bytes: objects.reduce((s, a) => s + a.size, 0) };
    const phases = [
      ...(aws ? [['aws s3 sync, first', 'syncFirst', synced], ['aws s3 sync, re-run', 'syncRerun', synced]] : []),
      ['mwaa-migrate plan, first', 'planFirst', uploaded],
      ['mwaa-migrate apply, first', 'applyFirst', uploaded],
      ['mwaa-migrate plan + apply, first', (r) => planAndApply(r.planFirst, r.applyFirst), uploaded],
      ['mwaa-migrate plan, re-run', 'planRerun', uploaded],
      ['mwaa-migrate apply, re-run', 'applyRerun', uploaded],
      ['mwaa-migrate plan + apply, re-run', (r) => planAndApply(r.planRerun, r.applyRerun), uploaded],
    ];
    summaries[name] = {};
    for (const [label, pick, size] of phases) {
      const s = summarise(rs.map(typeof pick === 'function' ? pick : (r) => r[pick]), size.objects, size.bytes);
      summaries[name][label] = s;
      rows.push(
        s
          ? [`${name}  ${label}`, s.runs, fmt(s.medianWallMs), fmt(s.minWallMs), fmt(s.maxWallMs), fmt(s.medianMs), fmt(s.medianCpuS, 1), fmt(s.cpuSPer1000Files, 2), s.objects, fmt(s.filesPerSec), fmt(s.mbPerSec, 2), s.putObject, s.headObject, s.otherRequests, fmt(s.peakRssMB)]
          : [`${name}  ${label}`, 0, ...Array(13).fill('-')],
      );
    }

    const reruns = rs.filter((r) => r.applyRerun?.ok);
    const puts = reruns.map((r) => (r.planRerun.requests.PutObject ?? 0) + (r.applyRerun.requests.PutObject ?? 0));
    const added = reruns.map((r) => r.versions.after - r.versions.before);
    checks.push({
      store: name,
      tool: 'mwaa-migrate',
      name: `${name}: unchanged mwaa-migrate re-run (plan + apply) PUTs no object`,
      ok: reruns.length === runs && puts.every((n) => n === 0) && added.every((n) => n === 0),
      detail: `PutObject per run ${JSON.stringify(puts)} (counted by ${counter}); object versions added per run ${JSON.stringify(added)}; objects the re-run plans listed to upload ${JSON.stringify(reruns.map((r) => r.rerunPendingPuts))}`,
    });
    if (aws) {
      const syncs = rs.filter((r) => r.syncRerun?.ok);
      checks.push({
        store: name,
        tool: 'aws',
        name: `${name}: unchanged aws s3 sync re-run PUTs no object`,
        ok: syncs.length === runs && syncs.every((r) => !r.syncRerun.requests.PutObject && r.syncVersions.after === r.syncVersions.before),
        detail: `PutObject per run ${JSON.stringify(syncs.map((r) => r.syncRerun.requests.PutObject ?? 0))}; object versions added per run ${JSON.stringify(syncs.map((r) => r.syncVersions.after - r.syncVersions.before))}`,
      });
    }
  }

  const runsNote = motoRuns < runs ? `median of ${runs} runs, ${motoRuns} on moto` : `median of ${runs} runs`;
  console.log(`\nresults (${files} DAG files; ${runsNote}; ms = process wall time incl. Node or Python startup; cmd ms = inside the mwaa-migrate command;`);
  console.log(' CPU s = user + sys of the command\'s process (mwaa-migrate or aws), CPU s/1k = per 1,000 objects; files/s and MB/s at the median wall time;');
  console.log(' requests = the most any run sent; peak RSS = the mwaa-migrate process)');
  console.log(
    table(rows, ['store  phase', 'runs', 'median ms', 'min ms', 'max ms', 'cmd ms', 'CPU s', 'CPU s/1k', 'objects', 'files/s', 'MB/s', 'PUT obj', 'HEAD obj', 'other req', 'peak RSS MB']),
  );
  console.log(`objects: aws s3 sync uploads every file under dags/ (${synced.objects}); mwaa-migrate the DAG folder less .airflowignore'd files, plus plugins.zip and requirements.txt`);

  // met: true, false, or null when a row has no data (a store or aws missing, a failed run).
  const targets = [];
  const wall = (store, label) => summaries[store]?.[label]?.medianWallMs ?? null;
  const cold = (store) => ({ sync: wall(store, 'aws s3 sync, first'), apply: wall(store, 'mwaa-migrate apply, first') });
  const both = ({ sync, apply }) => sync != null && apply != null;
  const moto = cold('moto');
  targets.push({
    name: 'moto: cold mwaa-migrate apply no slower than cold aws s3 sync (median wall)',
    met: both(moto) ? moto.apply <= moto.sync : null,
    detail: `apply ${fmt(moto.apply)} ms, aws s3 sync ${fmt(moto.sync)} ms`,
  });
  const sink = cold('sink');
  targets.push({
    name: `sink: cold aws s3 sync / cold mwaa-migrate apply >= ${TARGET_SINK_SPEEDUP} (median wall)`,
    met: both(sink) ? sink.sync / sink.apply >= TARGET_SINK_SPEEDUP : null,
    detail: `${both(sink) ? fmt(sink.sync / sink.apply, 2) : '-'}x (aws s3 sync ${fmt(sink.sync)} ms, apply ${fmt(sink.apply)} ms)`,
  });
  for (const { name } of stores) {
    const rerun = wall(name, 'mwaa-migrate apply, re-run');
    targets.push({ name: `${name}: apply of an unchanged plan < ${TARGET_APPLY_RERUN_MS / 1000} s (median wall)`, met: rerun == null ? null : rerun < TARGET_APPLY_RERUN_MS, detail: `${fmt(rerun)} ms` });
    const puts = checks.find((c) => c.store === name && c.tool === 'mwaa-migrate');
    targets.push({ name: `${name}: unchanged re-run (plan + apply) sends no PUT`, met: puts.ok, detail: 'see the check above' });
  }
  console.log('\nchecks');
  for (const c of checks) console.log(`  ${c.ok ? 'OK  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
  console.log('targets (informational but for the PUTs, which are checks too)');
  for (const t of targets) console.log(`  ${t.met == null ? 'n/a ' : t.met ? 'MET ' : 'MISS'}  ${t.name}: ${t.met == null ? 'no data' : t.detail}`);

  const crashed = Object.values(results).some((rs) => rs.some((r) => Object.values(r).some((m) => m?.ok === false)));
  const ok = !crashed && checks.every((c) => c.ok);
  const file = path.join(OUT, 'upload-results.json');
  const home = { path: rel(gen.outDir), ...Object.fromEntries(Object.entries(gen).filter(([k]) => k !== 'outDir')) };
  const runsOut = Object.fromEntries(Object.entries(results).map(([k, rs]) => [k, rs.map(({ objects, ...r }) => r)]));
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine: machineInfo, options: { files, runs, motoRuns, seed: String(seed) }, home, summaries, checks, targets, runs: runsOut, ok }, null, 2)}\n`);
  console.log(`\nwrote ${rel(file)}`);
  if (!ok) console.error(`upload bench: ${crashed ? 'at least one run failed' : 'a re-run uploaded objects'} (see above)`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
