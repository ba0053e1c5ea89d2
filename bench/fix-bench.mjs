// The fix phase: how many findings of fixable rules `fix --unsafe-fixes` resolves, per rule family,
// on the fixture homes (1.10, 2.x, 3.x) and the generated bench home, and what `fix --out` costs
// there. Before and after are counted by `report --format json` on the home and on the fixed
// copy, so the count is of what a person would see, not of what fix says it did.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { generateHome } from './gen-home.mjs';
import { cliArgs, fmt, measure, OUT, ROOT, runNode, table, tail } from './lib.mjs';

const FIXTURES = ['airflow1', 'airflow2', 'airflow3'].map((name) => ({ name, home: path.join(ROOT, 'fixtures', 'homes', name) }));

/** The rules with a fix, by id, from the built catalogue. */
async function fixableRules() {
  const { loadCatalog } = await import(new URL('../dist/check/catalog.js', import.meta.url).href);
  return loadCatalog().rules.filter((r) => r.fixable).map((r) => r.id);
}

/** Findings of the fixable rules in a home, by family (one `report` process). */
async function countByFamily(home, rules, timeoutMs) {
  const r = await runNode(cliArgs(['report', home, '--format', 'json', '--no-cache', '--fail-on', 'never', '--select', rules.join(',')]), timeoutMs);
  if (r.code !== 0) throw new Error(`report ${home} exited ${r.code}: ${tail(r.stderr)}`);
  const counts = {};
  for (const f of JSON.parse(r.stdout.toString('utf8')).findings) counts[f.family] = (counts[f.family] ?? 0) + 1;
  return counts;
}

/**
 * `fix HOME --out OUT --unsafe-fixes` once, with its wall time, peak RSS (from GNU time: a child
 * of this process would report this process's own peak, which Linux carries over) and summary line.
 */
async function fixOnce(home, out, timeoutMs) {
  rmSync(out, { recursive: true, force: true });
  const r = await measure(process.execPath, cliArgs(['fix', home, '--out', out, '--unsafe-fixes', '--no-cache']), { timeoutMs, keepStderr: true });
  const summary = r.ok && /^mwaa-migrate: (\d+) fix(?:es)? in (\d+) files?/m.exec(r.stderr);
  if (!summary) throw new Error(`fix ${home} failed: ${r.error ?? r.stderr}`);
  return { wallMs: Math.round(r.wallMs), maxRssMB: r.rssMB === null ? null : Math.round(r.rssMB), fixes: Number(summary[1]), files: Number(summary[2]) };
}

export async function fixPhase({ files, seed, timeoutMs }) {
  console.log(`\nfix --unsafe-fixes --out on the fixture homes and the ${files}-file bench home (target: the newest MWAA version)`);
  const rules = await fixableRules();
  const homes = [...FIXTURES, { name: `bench-${files}`, home: generateHome({ files, seed }).outDir }];
  const rows = [];
  const results = {};
  let crashed = false;
  for (const { name, home } of homes) {
    try {
      const out = path.join(OUT, `fixed-${name}`);
      const before = await countByFamily(home, rules, timeoutMs);
      const run = await fixOnce(home, out, timeoutMs);
      const after = await countByFamily(out, rules, timeoutMs);
      console.log(`  ${name}: ${run.fixes} fixes in ${run.files} files, ${run.wallMs} ms wall, ${run.maxRssMB} MB peak RSS`);
      for (const family of Object.keys(before).sort()) rows.push([name, family, String(before[family]), String(after[family] ?? 0), String(before[family] - (after[family] ?? 0))]);
      results[name] = { ...run, before, after };
    } catch (e) {
      crashed = true;
      console.log(`  ${name}: FAILED ${e.message}`);
    }
  }
  console.log(`\nfindings of fixable rules (${rules.length} rules) before and after, by family`);
  console.log(table(rows, ['home', 'family', 'before', 'after', 'resolved']));
  const bench = results[`bench-${files}`];
  if (bench) console.log(`fix on the ${files}-file home: ${fmt(bench.wallMs / 1000, 1)} s wall, ${bench.maxRssMB} MB peak RSS`);
  return { rows: [], results, targets: [], crashed };
}
