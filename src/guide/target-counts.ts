import type { GuideContext } from './context.js';
import { countsOf } from './summary.js';

// The target step's rows: each offered version's findings on the same code. A check of a large
// home takes a while (0.3 to 0.6 s on 4,000 files) and a dozen versions are offered, so a check
// (the scan's, a re-check, an accepted finding) checks the version chosen alone; the others are
// counted one at a time between keys while the findings are read, and whatever is left when the
// target step opens (on 4,000 files, the findings showed 4.6 s later, and each accepted finding
// took 4.4 s, when every version was checked first).

/** After a check of changed code or suppressions: the chosen version's count is that check's, the others are counted again. */
export function recountTargets(ctx: GuideContext): void {
  ctx.targetCounts = new Map([[ctx.view.target.chosen, countsOf(ctx.checked!.result.findings)]]);
  // One version a turn of the event loop, so that keys are read in between; a later check's recount replaces this one.
  const next = () => countOne(ctx) && ctx.later('target-counts', 0, next);
  ctx.later('target-counts', 0, next);
}

/** Counts one version not counted yet; false when every one is. */
function countOne(ctx: GuideContext): boolean {
  const target = ctx.core.targets().find((t) => !ctx.targetCounts.has(t.version));
  if (!target) return false;
  ctx.targetCounts.set(target.version, countsOf(ctx.core.check(ctx.inventory!, target.version, ctx.fix).result.findings));
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
    findings: ctx.targetCounts.get(t.version)!,
    isDefault: t.version === ctx.core.defaultTarget(),
  }));
  const cursor = Math.max(0, rows.findIndex((r) => r.version === ctx.view.target.chosen));
  ctx.patch('target', { rows, cursor });
  ctx.go('target');
}
