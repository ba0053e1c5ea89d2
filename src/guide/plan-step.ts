import type { PlanRequest } from '../migration/plan.js';
import { refusals } from '../plan/plan.js';
import { renderPlanText } from '../plan/render.js';
import { oneLine, type GuideContext } from './context.js';
import { planFileOf, reportFileOf, tildify } from './core.js';
import { planSettings } from './settings.js';

// The plan step: the plan made from everything chosen, saved with the report next to the home,
// and shown for the person to confirm by typing the environment's name.

export function makePlan(ctx: GuideContext): void {
  const settings = planSettings(ctx);
  const home = ctx.inventory!.home;
  ctx.planFile = planFileOf(home);
  const request: PlanRequest = { settings, homePath: home, airflowVersion: undefined, envFile: ctx.envFile, cache: true, aws: ctx.accessAws, preflight: true };
  ctx.patch('plan', { status: 'making', lines: [], scroll: 0, error: undefined, name: settings.name, bucket: settings.bucket, account: ctx.discovery?.identity.ok ? ctx.discovery.identity.value.account : 'unknown', confirm: '' });
  ctx.go('plan');
  ctx.track(ctx.core.makePlan(request)).then(
    (plan) => {
      if (ctx.view.step !== 'plan') return;
      try {
        ctx.core.savePlan(plan, ctx.planFile);
        // The report is of the home's files as they are: the fixes are not written there.
        const asIs = ctx.fix ? ctx.core.check(ctx.inventory!, settings.target).result : ctx.checked!.result;
        ctx.core.saveReport(ctx.inventory!, asIs, ctx.sizing!, tildify(home), reportFileOf(home));
      } catch (e) {
        return ctx.patch('plan', { status: 'error', error: oneLine(e) });
      }
      ctx.plan = plan;
      // The home as ~/... on screen, as everywhere else in the walkthrough.
      const shown = renderPlanText({ ...plan, inputs: { ...plan.inputs, home: tildify(plan.inputs.home) } });
      ctx.patch('plan', { status: 'ready', lines: shown.trimEnd().split('\n'), overrides: refusals(plan).overridable });
    },
    (e: unknown) => ctx.view.step === 'plan' && ctx.patch('plan', { status: 'error', error: oneLine(e) }),
  );
}
