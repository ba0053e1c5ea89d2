import { refusals } from '../plan/plan.js';
import type { GuideActions, StepId } from '../ui/types.js';
import { applyEdit, STEPS } from '../ui/types.js';
import { startApply } from './apply-step.js';
import { awsValid } from './aws-fields.js';
import { awsActions, enterAws, rediscover } from './aws-step.js';
import { enterConnections } from './connections-step.js';
import type { GuideContext } from './context.js';
import { findingsActions, takeFixes } from './findings-step.js';
import { scrolled } from './fixes.js';
import { chooseHome, homeActions, restore, startScan } from './home-step.js';
import { quit } from './leaving.js';
import { makePlan } from './plan-step.js';
import { showTargets } from './target-counts.js';
import { chooseTarget, refreshSizing } from './target-step.js';

// The actions the screens call, one per key: moving between the steps (Enter, Esc, q, r), the
// list cursors and scrolling here, and each step's own keys from its module.

export function guideActions(ctx: GuideContext): GuideActions {
  return {
    next: () => next(ctx),
    back: () => back(ctx),
    quit: () => quit(ctx),
    move: (delta) => move(ctx, delta),
    editConfirm: (edit) => ctx.patch('plan', { confirm: applyEdit(ctx.view.plan.confirm, edit), error: undefined }),
    scroll: (delta) => {
      const pane = ctx.view.findings.fixPane;
      if (ctx.view.step === 'findings') return pane && ctx.patch('findings', { fixPane: scrolled(pane, delta) });
      ctx.patch('plan', { scroll: Math.max(0, Math.min(ctx.view.plan.lines.length - 1, ctx.view.plan.scroll + delta)) });
    },
    retry: () => retry(ctx),
    ...homeActions(ctx),
    ...findingsActions(ctx),
    ...awsActions(ctx),
  };
}

/** Enter: the current step's choice taken, and on to the next step once it allows. */
function next(ctx: GuideContext): void {
  const v = ctx.view;
  switch (v.step) {
    case 'resume': {
      if (v.resume!.cursor === 0) {
        ctx.overridden = refusals(ctx.plan!).overridable;
        return startApply(ctx);
      }
      restore(ctx, ctx.plan);
      ctx.plan = null;
      ctx.set({ resume: null });
      return startScan(ctx);
    }
    case 'home': {
      const status = v.home.probe?.status;
      if (status === 'missing' || status === 'not-a-folder' || !v.home.input.trim()) return;
      return chooseHome(ctx);
    }
    case 'scan':
      return v.scan.status === 'done' ? ctx.go('findings') : undefined;
    case 'findings':
      return v.findings.fixPane ? takeFixes(ctx) : showTargets(ctx);
    case 'target':
      return chooseTarget(ctx);
    case 'sizing': {
      const row = v.sizing.rows[v.sizing.cursor];
      if (row) ctx.patch('sizing', { chosen: row.environmentClass });
      if (ctx.aws.region && ctx.sizing && ctx.sizing.region !== ctx.aws.region) refreshSizing(ctx);
      return enterAws(ctx);
    }
    case 'aws':
      if (!awsValid(ctx)) return ctx.patch('aws', { notice: 'fix the fields marked ✗ first' });
      ctx.patch('aws', { notice: undefined });
      return enterConnections(ctx);
    case 'connections':
      return makePlan(ctx);
    case 'plan':
      if (v.plan.status !== 'ready') return;
      if (v.plan.confirm.trim() !== v.plan.name) return ctx.patch('plan', { error: `type the environment name, ${v.plan.name}, to go on` });
      ctx.overridden = v.plan.overrides;
      return startApply(ctx);
    case 'apply':
      return undefined;
    case 'done':
      return ctx.end(v.apply.status === 'failed' ? 1 : 0, '');
  }
}

/** Esc: the step before, except where going back would undo what AWS already has. */
function back(ctx: GuideContext): void {
  const order: StepId[] = STEPS.map((s) => s.id);
  const step = ctx.view.step;
  if (step === 'resume' || step === 'home' || step === 'apply' || step === 'done') return;
  if (step === 'scan') ++ctx.generation.scan;
  // Esc on the fixes' pane closes it, leaving everything as it was.
  if (step === 'findings' && ctx.view.findings.fixPane) return ctx.patch('findings', { fixPane: undefined });
  const previous = order[order.indexOf(step) - 1]!;
  if (previous === 'target') return showTargets(ctx);
  ctx.go(previous);
}

function move(ctx: GuideContext, delta: number): void {
  const v = ctx.view;
  const clamp = (i: number, n: number) => Math.max(0, Math.min(n - 1, i));
  if (v.step === 'findings') ctx.patch('findings', { cursor: clamp(v.findings.cursor + delta, v.findings.items.length), notice: undefined });
  else if (v.step === 'target') ctx.patch('target', { cursor: clamp(v.target.cursor + delta, v.target.rows.length) });
  else if (v.step === 'sizing') {
    const cursor = clamp(v.sizing.cursor + delta, v.sizing.rows.length);
    ctx.patch('sizing', { cursor, chosen: v.sizing.rows[cursor]?.environmentClass ?? v.sizing.chosen });
  } else if (v.step === 'resume' && v.resume) ctx.set({ resume: { ...v.resume, cursor: clamp(v.resume.cursor + delta, 2) } });
}

/** r: the step's failed work again, or the account read again. */
function retry(ctx: GuideContext): void {
  const step = ctx.view.step;
  if (step === 'scan' && ctx.view.scan.status === 'error') startScan(ctx);
  else if (step === 'plan' && ctx.view.plan.status === 'error') makePlan(ctx);
  else if (step === 'apply' && ctx.view.apply.status === 'error') startApply(ctx);
  else if (step === 'aws') rediscover(ctx);
}
