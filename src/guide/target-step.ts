import { costCells, costNotes, costTitle, sizingHeadline, sizingInputs } from '../sizing/render.js';
import type { GuideContext } from './context.js';
import { refreshSummary, runCheck } from './findings-step.js';

// The target and sizing steps: the Airflow version to move to (the findings checked again for
// it), then the environment class sized for that version in the chosen region.

export function chooseTarget(ctx: GuideContext): void {
  const row = ctx.view.target.rows[ctx.view.target.cursor];
  if (!row) return;
  if (row.version !== ctx.view.target.chosen) {
    ctx.patch('target', { chosen: row.version });
    runCheck(ctx, true);
    refreshSummary(ctx);
  }
  refreshSizing(ctx);
  ctx.go('sizing');
}

/** Sizes again (the target or region changed), keeping the class chosen when it is still offered. */
export function refreshSizing(ctx: GuideContext): void {
  const s = ctx.core.size(ctx.checked!.inventory, ctx.view.target.chosen, ctx.aws.region);
  ctx.sizing = s;
  const rows = s.cost.rows.map((r) => {
    const [environmentClass, role, workers, floor, expected, ceiling] = costCells(r) as [string, string, string, string, string, string];
    return { environmentClass, role, workers, floor, expected, ceiling };
  });
  const chosen = rows.some((r) => r.environmentClass === ctx.view.sizing.chosen) ? ctx.view.sizing.chosen : s.recommendation.environmentClass.value;
  ctx.patch('sizing', {
    headline: sizingHeadline(s),
    reasons: s.recommendation.reasons,
    from: sizingInputs(s),
    title: costTitle(s),
    rows,
    cursor: Math.max(0, rows.findIndex((r) => r.environmentClass === chosen)),
    chosen,
    notes: costNotes(s),
  });
}
