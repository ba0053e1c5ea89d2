import { environmentInput } from '../plan/plan.js';
import { awsValid } from './aws-fields.js';
import { oneLine, type GuideContext } from './context.js';
import { planSettings } from './settings.js';

// The AWS step's preflight: once every field is valid, AWS is asked (after a pause, so typing
// does not fire a request per key) whether the environment could be created as chosen.

export function schedulePreflight(ctx: GuideContext): void {
  const run = ctx.core.preflight?.bind(ctx.core);
  if (!run || !ctx.inventory || !ctx.sizing) return;
  const generation = ++ctx.generation.preflight;
  if (!awsValid(ctx)) {
    if (ctx.view.aws.preflight.status !== 'waiting') ctx.patch('aws', { preflight: { status: 'waiting', checks: [] } });
    return;
  }
  ctx.later('preflight', 400, () => {
    ctx.patch('aws', { preflight: { status: 'running', checks: ctx.view.aws.preflight.checks } });
    const settings = planSettings(ctx);
    const { checked, sizing } = ctx;
    if (!checked || !sizing) return;
    // Without the built artifacts yet: the plan checks the request with its object paths again.
    const environment = environmentInput(checked.inventory, sizing, settings, { plugins: null, requirements: null, startup: null });
    ctx.track(run({ settings, aws: ctx.accessAws, environment })).then(
      (checks) => generation === ctx.generation.preflight && ctx.patch('aws', { preflight: { status: 'done', checks } }),
      (e: unknown) => generation === ctx.generation.preflight && ctx.patch('aws', { preflight: { status: 'done', checks: [{ name: 'preflight', status: 'fail', detail: oneLine(e) }] } }),
    );
  });
}
