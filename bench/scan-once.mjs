// One scan in a fresh process, printed as one JSON line on stdout.
//
//   node bench/scan-once.mjs HOME [--cache-dir DIR]
//
// scan-bench.mjs spawns this once per measured run so every run starts cold: no JIT warm-up,
// no loaded modules, no caches left in the heap by an earlier run. The OS page cache is not
// cleared, so "cold" means a cold process, not a cold disk.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'cache-dir': { type: 'string' } },
});
const home = positionals[0];
if (!home) {
  console.error('usage: node bench/scan-once.mjs HOME [--cache-dir DIR]');
  process.exit(2);
}
const cacheDir = values['cache-dir'];

const scanUrl = new URL('../dist/home/scan.js', import.meta.url);
if (!existsSync(fileURLToPath(scanUrl))) {
  console.error('build first: npm run build (dist/home/scan.js is missing)');
  process.exit(2);
}
const { scanHome } = await import(scanUrl.href);
if (typeof scanHome !== 'function') {
  console.error('dist/home/scan.js does not export scanHome; rebuild with npm run build');
  process.exit(2);
}

// Scanned as the CLI's commands scan: keeping the context reads and method calls the rules look at.
const { loadCatalog } = await import(new URL('../dist/check/catalog.js', import.meta.url).href);
const { analysisInterest } = await import(new URL('../dist/check/interest.js', import.meta.url).href);
const catalog = loadCatalog();
const interest = analysisInterest(catalog);

const cpu = () => {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1000;
};
const t0 = performance.now();
const cpu0 = cpu();
// As the scan command scans for its text: a re-scan leaves the cached analyses unparsed until
// read (the check below reads them all, so checkMs includes parsing them on a warm run).
const inv = await scanHome(home, { cacheDir, cache: !!cacheDir, interest, deferAnalyses: true });
const ms = performance.now() - t0;
// CPU of every thread (the workers share this process): on a machine whose speed drifts, the
// CPU beside the wall time tells a slower machine from a scan that waited.
const cpuMs = cpu() - cpu0;
// Peak memory of the scan alone, before the rules add their findings to the heap.
const scanRssKiB = process.resourceUsage().maxRSS;
// The rules check runs on the finished inventory; timed apart so the report can compare the two.
const { check } = await import(new URL('../dist/check/engine.js', import.meta.url).href);
// The date rules count catchup runs up to (SOURCE_DATE_EPOCH, which the bench pins): the same count every day.
const { clock } = await import(new URL('../dist/clock.js', import.meta.url).href);
const t1 = performance.now();
const result = check(inv, catalog, { now: clock(process.env) });
const checkMs = performance.now() - t1;
const s = inv?.summary ?? {};
const line = JSON.stringify({
  ms: Math.round(ms * 10) / 10,
  cpuMs: Math.round(cpuMs),
  checkMs: Math.round(checkMs * 10) / 10,
  findings: result.findings.length,
  dagFiles: s.dagFiles,
  dags: s.dags,
  tasks: s.tasks,
  bytes: s.bytes,
  problems: s.problems,
  // maxRSS is in KiB and covers worker threads, which share this process.
  maxRssMB: Math.round((scanRssKiB / 1024) * 10) / 10,
  withRulesRssMB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
});
// Exit explicitly once the line is flushed: an idle worker pool kept alive by the scanner must
// not stall the benchmark (the end-to-end CLI run in scan-bench.mjs still catches real hangs).
process.stdout.write(`${line}\n`, () => process.exit(0));
