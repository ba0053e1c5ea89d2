import { relative } from 'node:path';
import { findingOrder } from '../check/engine.js';
import { SEVERITIES, type Finding } from '../check/types.js';
import { locationLabel } from '../report/model.js';
import type { FindingItem, GuideActions } from '../ui/types.js';
import { oneLine, type GuideContext } from './context.js';
import { applyFilter, fileJump, toggleFilter } from './findings.js';
import { fixedCounts, fixPane, nothingToFix, SAFE_FIXES, switchedNotice } from './fixes.js';
import { scanSummary } from './summary.js';
import { recountTargets, suppressInCounts } from './target-counts.js';
import { compareNames } from '../collate.js';

// The findings step: checking the scanned home, the list and its filter, accepting a finding or
// ignoring a rule, re-checking after edits, and the safe fixes' pane. Each check also has the
// target step's rows, the findings per Airflow version, counted again (see target-counts.ts).

const sevRank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);

/**
 * Checks (again) with the chosen target and the project file as it is now, keeping the cursor on
 * the same finding. `otherTarget`: only the target changed, so the other versions' counts stand.
 */
export function runCheck(ctx: GuideContext, otherTarget = false): void {
  const inv = ctx.inventory!;
  const before = ctx.view.findings.items[ctx.view.findings.cursor];
  const checked = (ctx.checked = ctx.core.check(inv, ctx.view.target.chosen, ctx.fix));
  const sources = ctx.core.excerpts(checked);
  // A finding's lines are quoted when it is shown, not for every finding listed (135,000 on 10,000
  // files, whose quotes took a quarter of a second and the memory of all their lines).
  const places = new WeakMap<object, Finding>();
  const quoted = {
    get excerpt(): FindingItem['excerpt'] {
      const f = places.get(this)!;
      return sources.excerpt(f.file, f.line)?.map((l) => ({ ...l, hit: l.line === f.line }));
    },
  };
  ctx.allFindings = [...checked.result.findings]
    .sort((a, b) => sevRank(a.severity) - sevRank(b.severity) || compareNames(a.family, b.family) || compareNames(a.file, b.file) || a.line - b.line || compareNames(a.ruleId, b.ruleId))
    .map((f) => {
      const why = ctx.core.ruleWhy(f.ruleId);
      const item: FindingItem = Object.assign(Object.create(quoted) as typeof quoted, {
        ruleId: f.ruleId,
        family: f.family,
        severity: f.severity,
        title: f.title,
        location: locationLabel(f),
        message: f.message,
        fix: f.fix,
        docs: f.docs,
        ...(why ? { why } : {}),
      });
      places.set(item, f);
      return item;
    });
  showFindings(ctx, before);
  ctx.patch('findings', { suppressed: checked.result.suppressed.length, rechecking: false, fixed: fixedCounts(checked.fixed) });
  if (!otherTarget) recountTargets(ctx);
}

/** The scan step's summary brought up to date with the last check. */
export function refreshSummary(ctx: GuideContext): void {
  ctx.patch('scan', { summary: scanSummary(ctx.checked!, ctx.envFile, ctx.view.target.chosen) });
}

/** The findings the filter lets through, the cursor kept on the same finding when it still shows. */
function showFindings(ctx: GuideContext, keep: FindingItem | undefined, filter = ctx.view.findings.filter): void {
  const items = applyFilter(ctx.allFindings, filter);
  const same = keep ? items.findIndex((i) => i.ruleId === keep.ruleId && i.location === keep.location) : -1;
  const cursor = same >= 0 ? same : Math.min(ctx.view.findings.cursor, Math.max(0, items.length - 1));
  ctx.patch('findings', { items, total: ctx.allFindings.length, filter, cursor });
}

function suppress(ctx: GuideContext, kind: 'finding' | 'rule'): void {
  const item = ctx.view.findings.items[ctx.view.findings.cursor];
  const inv = ctx.inventory;
  if (!item || !inv) return;
  const finding = ctx.checked!.result.findings.find((f) => f.ruleId === item.ruleId && locationLabel(f) === item.location)!;
  try {
    const file = ctx.core.suppress(
      inv.home,
      kind === 'rule' ? { kind: 'rule', rule: item.ruleId } : { kind: 'finding', rule: item.ruleId, path: finding.file, reason: 'accepted in mwaa-migrate guide' },
    );
    ctx.suppressions++;
    hide(ctx, item.ruleId, kind === 'rule' ? null : finding.file);
    const where = relative(inv.home, file) || file;
    ctx.patch('findings', {
      projectFile: where,
      notice: kind === 'rule' ? `${item.ruleId} ignored everywhere (written to ${where})` : `${item.ruleId} in ${finding.file || 'the installation'} accepted (written to ${where})`,
    });
  } catch (e) {
    ctx.patch('findings', { notice: oneLine(e) });
  }
}

/**
 * What a check gives once the project file suppresses a rule (`file` null) or a rule in one file:
 * its findings there move to the suppressed ones, and off every version's count. Not a check
 * again: on 10,000 files one took 2 s a key.
 */
function hide(ctx: GuideContext, rule: string, file: string | null): void {
  const checked = ctx.checked!;
  const hidden = (f: { ruleId: string; file: string }) => f.ruleId === rule && (file === null || f.file === file);
  const moved = checked.result.findings.filter(hidden);
  const labels = new Set(moved.map(locationLabel));
  const suppressed = [...checked.result.suppressed, ...moved.map((f) => ({ ...f, suppressedBy: 'project-file' as const }))].sort(findingOrder);
  ctx.checked = { ...checked, result: { ...checked.result, findings: checked.result.findings.filter((f) => !hidden(f)), suppressed } };
  const before = ctx.view.findings.items[ctx.view.findings.cursor];
  ctx.allFindings = ctx.allFindings.filter((i) => !(i.ruleId === rule && labels.has(i.location)));
  showFindings(ctx, before);
  ctx.patch('findings', { suppressed: suppressed.length });
  suppressInCounts(ctx, rule, file);
}

/** Scans again (files may have been edited) and re-checks. */
function recheck(ctx: GuideContext): void {
  if (!ctx.inventory || ctx.view.findings.rechecking) return;
  const home = ctx.inventory.home;
  ctx.patch('findings', { rechecking: true, notice: undefined });
  ctx.track(ctx.core.scan(home, ctx.envFile, () => {}, ctx.view.target.chosen)).then(
    (inventory) => {
      ctx.inventory = inventory;
      runCheck(ctx);
      ctx.patch('findings', { notice: `re-checked: ${ctx.view.findings.items.length} finding(s)` });
      refreshSummary(ctx);
    },
    (e: unknown) => ctx.patch('findings', { rechecking: false, notice: `re-check failed: ${oneLine(e)}` }),
  );
}

/** x in the findings step: the safe fixes' diff to take, or (on the fixed copy) to go back from. */
function openFixes(ctx: GuideContext): void {
  if (!ctx.inventory || ctx.view.step !== 'findings') return;
  try {
    const preview = ctx.core.previewFixes(ctx.inventory, ctx.view.target.chosen);
    const pane = fixPane(preview, Boolean(ctx.fix));
    ctx.patch('findings', pane ? { fixPane: pane, notice: undefined } : { notice: nothingToFix(preview) });
  } catch (e) {
    ctx.patch('findings', { notice: `could not make the fixes: ${oneLine(e)}` });
  }
}

/** Enter on the fixes' pane: the fixed copy from now on (or the home's files again), the findings re-checked. */
export function takeFixes(ctx: GuideContext): void {
  ctx.fix = ctx.view.findings.fixPane?.kind === 'take' ? SAFE_FIXES : undefined;
  ctx.patch('findings', { fixPane: undefined });
  runCheck(ctx);
  ctx.patch('findings', { notice: switchedNotice(ctx.view.findings.fixed, ctx.view.findings.total) });
  refreshSummary(ctx);
}

/** The keys of the findings list. */
export function findingsActions(ctx: GuideContext): Pick<GuideActions, 'filterFindings' | 'jumpFile' | 'acceptFinding' | 'ignoreRule' | 'recheck' | 'fixes'> {
  return {
    filterFindings: (kind) => {
      const f = ctx.view.findings;
      const selected = f.items[f.cursor];
      showFindings(ctx, selected, toggleFilter(f.filter, kind, selected));
      ctx.patch('findings', { notice: undefined });
    },
    jumpFile: (delta) => ctx.patch('findings', { cursor: fileJump(ctx.view.findings.items, ctx.view.findings.cursor, delta), notice: undefined }),
    acceptFinding: () => suppress(ctx, 'finding'),
    ignoreRule: () => suppress(ctx, 'rule'),
    recheck: () => recheck(ctx),
    fixes: () => openFixes(ctx),
  };
}
