import type { Finding } from '../check/types.js';
import type { Counts } from '../ui/types.js';
import type { GuideContext } from './context.js';
import { zeroCounts } from './summary.js';

// The target step's rows: each offered version's findings on the same code. A check of a large
// home takes a while (0.3 to 0.6 s on 4,000 files) and a dozen versions are offered, so a check
// (the scan's, a re-check) checks the version chosen alone; the others are counted one at a time
// between keys while the findings are read, and whatever is left when the target step opens (on
// 4,000 files, the findings showed 4.6 s later, and each accepted finding took 4.4 s, when every
// version was checked first). Each version's findings are kept counted by rule and file, so an
// accepted finding or an ignored rule takes its share from every version without a check.

/** A version's findings, counted by rule, then by file. */
export type Tally = Map<string, Map<string, Counts>>;

function tallyOf(findings: Finding[]): Tally {
  const byRule: Tally = new Map();
  for (const f of findings) {
    let byFile = byRule.get(f.ruleId);
    if (!byFile) byRule.set(f.ruleId, (byFile = new Map()));
    let c = byFile.get(f.file);
    if (!c) byFile.set(f.file, (c = zeroCounts()));
    c[f.severity]++;
    c.total++;
  }
  return byRule;
}

function totalOf(tally: Tally): Counts {
  const sum = zeroCounts();
  for (const byFile of tally.values()) {
    for (const c of byFile.values()) {
      sum.error += c.error;
      sum.warning += c.warning;
      sum.info += c.info;
      sum.total += c.total;
    }
  }
  return sum;
}

/** After a check of changed code: the chosen version's tally is that check's, the others are counted again. */
export function recountTargets(ctx: GuideContext): void {
  ctx.targetCounts = new Map([[ctx.view.target.chosen, tallyOf(ctx.checked!.result.findings)]]);
  // One version a turn of the event loop, so that keys are read in between; a later check's recount replaces this one.
  const next = () => countOne(ctx) && ctx.later('target-counts', 0, next);
  ctx.later('target-counts', 0, next);
}

/** What the project file now suppresses (a rule, or a rule in one file) leaves every version counted so far, as it leaves a check. */
export function suppressInCounts(ctx: GuideContext, rule: string, file: string | null): void {
  for (const tally of ctx.targetCounts.values()) {
    if (file === null) tally.delete(rule);
    else tally.get(rule)?.delete(file);
  }
}

/** Counts one version not counted yet (with the project file as it is now); false when every one is. */
function countOne(ctx: GuideContext): boolean {
  const target = ctx.core.targets().find((t) => !ctx.targetCounts.has(t.version));
  if (!target) return false;
  ctx.targetCounts.set(target.version, tallyOf(ctx.core.check(ctx.inventory!, target.version, ctx.fix).result.findings));
  return true;
}

/** Opens the target step with every version counted, the cursor on the chosen one. */
export function showTargets(ctx: GuideContext): void {
  while (countOne(ctx));
  const rows = ctx.core.targets().map((t) => ({
    version: t.version,
    python: t.python,
    status: t.status,
    supported: t.inApiModel,
    findings: totalOf(ctx.targetCounts.get(t.version)!),
    isDefault: t.version === ctx.core.defaultTarget(),
  }));
  const cursor = Math.max(0, rows.findIndex((r) => r.version === ctx.view.target.chosen));
  ctx.patch('target', { rows, cursor });
  ctx.go('target');
}
