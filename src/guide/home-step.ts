import { basename } from 'node:path';
import type { ScanProgress } from '../home/scan.js';
import { desiredEnvironment, type Plan } from '../plan/plan.js';
import type { GuideActions } from '../ui/types.js';
import { applyEdit } from '../ui/types.js';
import { oneLine, type GuideContext } from './context.js';
import { tildify, type SavedRun } from './core.js';
import { runCheck } from './findings-step.js';
import { scanSummary } from './summary.js';

// The first steps: choosing AIRFLOW_HOME (typed, completed or detected), offering to continue a
// run saved there, and scanning it.

/** Offers the run saved in the home, or scans it with the choices of a plan saved there. */
export function chooseHome(ctx: GuideContext): void {
  const saved = ctx.core.savedRun(ctx.homePath);
  if (saved) return offerResume(ctx, saved);
  restore(ctx, ctx.core.savedPlan(ctx.homePath));
  startScan(ctx);
}

/**
 * The choices a plan saved here by an earlier run made, back in place of the defaults (a
 * restart after Ctrl-C). Flags given now win over the plan's region; discovery keeps what the
 * account still has (see preselect).
 */
export function restore(ctx: GuideContext, plan: Plan | null): void {
  const env = plan && desiredEnvironment(plan);
  if (!plan || !env) return;
  const a = ctx.aws;
  const { SubnetIds, SecurityGroupIds } = env.NetworkConfiguration;
  Object.assign(a, { name: env.Name, bucket: plan.inputs.bucket, bucketTyped: true, role: env.ExecutionRoleArn, subnets: SubnetIds, securityGroups: SecurityGroupIds, subnetsText: SubnetIds.join(','), securityGroupsText: SecurityGroupIds.join(',') });
  if (!ctx.options.region) a.region = plan.inputs.region;
  ctx.fix = plan.inputs.fix;
  if (ctx.core.targets().some((t) => t.version === plan.inputs.target)) ctx.patch('target', { chosen: plan.inputs.target });
  ctx.patch('sizing', { chosen: env.EnvironmentClass });
}

function offerResume(ctx: GuideContext, saved: SavedRun): void {
  ctx.plan = saved.plan;
  ctx.planFile = saved.planFile;
  ctx.envFile = ctx.core.envFileOf(saved.plan.inputs.home);
  ctx.set({
    step: 'resume',
    resume: {
      name: desiredEnvironment(saved.plan)?.Name ?? '(unknown)',
      bucket: saved.plan.inputs.bucket,
      region: saved.plan.inputs.region,
      planFile: tildify(saved.planFile),
      stepsDone: saved.stepsDone,
      cursor: 0,
    },
  });
}

export function startScan(ctx: GuideContext): void {
  const home = ctx.homePath;
  const generation = ++ctx.generation.scan;
  const envFile = (ctx.envFile = ctx.core.envFileOf(home));
  const started = ctx.core.now();
  ctx.patch('scan', { status: 'running', phase: 'config', filesFound: 0, filesRead: 0, dags: 0, elapsedMs: 0, error: undefined, summary: undefined });
  ctx.go('scan');
  const onProgress = (p: ScanProgress) => {
    if (generation === ctx.generation.scan) ctx.patch('scan', { ...p, elapsedMs: ctx.core.now() - started });
  };
  ctx.track(ctx.core.scan(home, envFile, onProgress, ctx.view.target.chosen)).then(
    (inventory) => {
      if (generation !== ctx.generation.scan) return;
      ctx.inventory = inventory;
      ctx.aws.name ||= defaultName(home);
      runCheck(ctx);
      ctx.patch('scan', { status: 'done', phase: 'done', elapsedMs: ctx.core.now() - started, summary: scanSummary(ctx.checked!, ctx.envFile, ctx.view.target.chosen) });
    },
    (e: unknown) => generation === ctx.generation.scan && ctx.patch('scan', { status: 'error', error: oneLine(e) }),
  );
}

/** "airflow2-mwaa" from ".../airflow2": a valid MWAA name from the home's folder name. */
export function defaultName(home: string): string {
  const base = basename(home).replace(/[^0-9a-zA-Z_-]+/g, '-').replace(/^[^a-zA-Z]+/, '');
  return `${base || 'airflow'}-mwaa`.slice(0, 80);
}

/** The keys of the home input: typing, Tab completion, and cycling through the detected homes. */
export function homeActions(ctx: GuideContext): Pick<GuideActions, 'editHome' | 'completeHome' | 'cycleHome'> {
  return {
    editHome: (edit) => {
      const input = applyEdit(ctx.view.home.input, edit);
      ctx.patch('home', { input, probe: input.trim() ? ctx.core.probeHome(input) : null, completions: [] });
    },
    completeHome: () => {
      const typed = ctx.view.home.input;
      const options = ctx.core.completePath(typed);
      if (options.length === 0) return ctx.patch('home', { completions: [] });
      const common = options.reduce((p, o) => {
        let i = 0;
        while (i < p.length && p[i] === o[i]) i++;
        return p.slice(0, i);
      });
      const input = common.length > typed.length ? common : typed;
      ctx.patch('home', { input, probe: ctx.core.probeHome(input), completions: options.length > 1 ? options : [] });
    },
    cycleHome: (delta) => {
      const c = ctx.view.home.candidates;
      if (c.length === 0) return;
      const at = c.findIndex((x) => x.path === ctx.view.home.input);
      const next = c[(at + delta + c.length * 2) % c.length] ?? c[0]!;
      ctx.patch('home', { input: next.path, probe: next.probe, completions: [] });
    },
  };
}
