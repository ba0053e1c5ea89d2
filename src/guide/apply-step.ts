import type { ApplyResult } from '../aws/apply.js';
import type { Plan } from '../plan/plan.js';
import { migrateCommandLine } from './command.js';
import { oneLine, type GuideContext } from './context.js';
import { reportFileOf, tildify } from './core.js';

// The apply and done steps: the confirmed (or saved) plan applied with its progress shown as it
// comes, then the environment's address, the command that repeats the migration, and what to do next.

/** Statuses that end the wait badly (as the apply command counts them). */
const FAILED = new Set(['CREATE_FAILED', 'UPDATE_FAILED', 'UNAVAILABLE']);
const MAX_LINES = 8;

export function startApply(ctx: GuideContext): void {
  const plan = ctx.plan!;
  const name = ctx.view.resume?.name ?? ctx.view.plan.name;
  const home = plan.inputs.home;
  ctx.applyStarted = ctx.core.now();
  ctx.envCreated = false;
  ctx.patch('apply', {
    status: 'running',
    lines: [],
    objects: { done: 0, total: plan.actions.filter((a) => a.kind === 'put-object').length },
    environment: name,
    envStatus: undefined,
    elapsedMs: 0,
    error: undefined,
    resumeHint: `Ctrl-C is safe: run mwaa-migrate guide ${tildify(home)} again to continue`,
  });
  ctx.go('apply');
  clearInterval(ctx.ticker ?? undefined);
  ctx.ticker = setInterval(() => ctx.patch('apply', { elapsedMs: ctx.core.now() - ctx.applyStarted }), 1000);
  const progress = (line: string) => {
    const objects = /^objects: (\d+)\/(\d+)/.exec(line);
    const status = new RegExp(`^environment ${name}: ([A-Z_]+)`).exec(line);
    if (/creation started|update started|already created|: [A-Z_]+ \(/.test(line)) ctx.envCreated = true;
    ctx.patch('apply', {
      lines: [...ctx.view.apply.lines, line].slice(-MAX_LINES),
      ...(objects ? { objects: { done: Number(objects[1]), total: Number(objects[2]) } } : {}),
      ...(status ? { envStatus: status[1], status: 'waiting' as const } : {}),
      ...(ctx.envCreated ? { resumeHint: `Leaving is safe: creation goes on in AWS. Check later with mwaa-migrate guide ${tildify(home)}` } : {}),
    });
  };
  const pollMs = (ctx.options.pollSeconds ?? 30) * 1000;
  // The plan carries the secrets: apply writes them before the environment, like the apply command.
  ctx.track(ctx.core.apply(plan, ctx.planFile, ctx.accessAws, pollMs, progress)).then(
    (r) => finish(ctx, plan, r),
    (e: unknown) => {
      clearInterval(ctx.ticker ?? undefined);
      ctx.patch('apply', { status: 'error', error: oneLine(e) });
    },
  );
}

function finish(ctx: GuideContext, plan: Plan, r: ApplyResult): void {
  clearInterval(ctx.ticker ?? undefined);
  const url = r.webserverUrl ? `https://${r.webserverUrl.replace(/^https?:\/\//, '')}` : '(not reported yet)';
  const home = plan.inputs.home;
  const failed = FAILED.has(r.status);
  ctx.patch('apply', { status: failed ? 'failed' : 'done', envStatus: r.status, elapsedMs: ctx.core.now() - ctx.applyStarted, ...(failed ? { error: r.error ?? 'MWAA gave no reason' } : {}) });
  ctx.set({
    done: {
      name: r.name,
      status: `${r.status} (${{ created: 'created', updated: 'updated', unchanged: 'already as planned, not changed' }[r.environment]})`,
      url,
      reportPath: tildify(reportFileOf(home)),
      planPath: tildify(ctx.planFile),
      command: migrateCommandLine(plan, {
        envFile: ctx.envFile,
        profile: ctx.aws.profile || undefined,
        endpointUrl: ctx.options.endpointUrl,
        mwaaEndpointUrl: ctx.options.mwaaEndpointUrl,
        allowErrors: ctx.overridden.length > 0,
      }),
      nextSteps: [
        `sign in to the Airflow UI (or: aws mwaa create-web-login-token --name ${r.name}) and check for DAG import errors`,
        plan.secrets
          ? 'check that the DAGs find their connections and variables in Secrets Manager'
          : 'move connections and variables: mwaa-migrate secrets with --from-metadata-db or --connections-file, then apply a new plan made with the same flags',
        'pause each DAG on the old scheduler before unpausing it here, so no run happens twice',
        // Uploaded fixed, left as they were in the home: the next change there would start from the old code.
        ...(plan.inputs.fix ? [`the home still has the original files: mwaa-migrate fix ${tildify(home)} --write makes the same fixes there`] : []),
      ],
      ...(failed ? { error: r.error ?? 'MWAA gave no reason' } : {}),
    },
  });
  ctx.go('done');
}
