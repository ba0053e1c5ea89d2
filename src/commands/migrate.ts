import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { endpointFor } from '../aws/access.js';
import { EXIT_CHANGES, EXIT_DECLINED, EXIT_FINDINGS, EXIT_OK, UsageError } from '../exit.js';
import type { PlanRequest } from '../migration/plan.js';
import { hasChanges, type Plan } from '../plan/plan.js';
import { renderPlanText } from '../plan/render.js';
import { parse, type Options } from './args.js';
import { APPLY_OPTIONS, allowed, applyFlags, runApply } from './apply.js';
import { FIX_OPTIONS, PLAN_OPTIONS, planRequest } from './aws-flags.js';
import { printUsage } from './help.js';
import { canAsk, type CliIO } from './io.js';
import { writePlan } from './plan.js';

// migrate: all in one: check, plan, confirm, apply and wait.

const MIGRATE_OPTIONS = {
  ...PLAN_OPTIONS,
  ...FIX_OPTIONS,
  ...APPLY_OPTIONS,
  out: { type: 'string' },
  yes: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'no-env-secrets': { type: 'boolean' },
} satisfies Options;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, MIGRATE_OPTIONS, 'migrate');
  if (values.help) return printUsage(io, 'migrate');
  // The --env-file's connections and variables move too, as in the walkthrough, unless told not to.
  const request = { ...planRequest('migrate', values, positionals, io.env), envFileSecrets: !values['no-env-secrets'] };
  const flags = applyFlags(values, io.env);
  // Refused before the scan: a run nobody can confirm should not first keep someone waiting.
  if (!values.yes && !values['dry-run'] && !canAsk(io)) throw new UsageError('migrate changes AWS and cannot ask for confirmation here (no terminal, or CI is set): pass --yes');

  // The AWS SDK loads once the flags are known to be right.
  const { makePlan } = await import('../migration/plan.js');
  const plan = await makePlan(request);
  if (!allowed(plan, Boolean(values['allow-errors']), io)) {
    io.stdout(renderPlanText(plan));
    return EXIT_FINDINGS;
  }
  const out = values.out ?? defaultPlanFile(request);
  writePlan(plan, out, io);
  io.stdout(renderPlanText(plan));
  await showAccount(request, io);
  if (values['dry-run']) return hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  if (!values.yes && !(await confirmed(plan, request, io))) {
    io.stderr('mwaa-migrate: not confirmed; nothing was changed in AWS\n');
    return EXIT_DECLINED;
  }
  return runApply(plan, out, flags, io);
}

/**
 * The plan (and so its journal and lock) per environment, in the home: two homes, or two
 * environments of one home, never share a file, whatever folder migrate runs from.
 */
function defaultPlanFile(request: PlanRequest): string {
  const dir = join(resolve(request.homePath), '.mwaa-migrate');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create ${dir} for the plan (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass --out FILE`);
  }
  return join(dir, `${request.settings.name}.plan.json`);
}

/** Says on stderr which AWS account and region the change would go to. */
async function showAccount(request: PlanRequest, io: CliIO): Promise<void> {
  const { region } = request.settings;
  const { callerIdentity } = await import('../aws/identity.js');
  let who;
  try {
    who = await callerIdentity({ region, endpoint: endpointFor(request.aws, 'STS'), profile: request.aws.profile });
  } catch (e) {
    throw new UsageError(`reading the AWS identity (sts:GetCallerIdentity): ${(e as Error).name}: ${(e as Error).message}`);
  }
  io.stderr(`mwaa-migrate: AWS account ${who.account} (${who.arn}), region ${region}\n`);
}

/** Asks to type the environment's name. */
async function confirmed(plan: Plan, request: PlanRequest, io: CliIO): Promise<boolean> {
  const { name, bucket } = request.settings;
  const verb = plan.actions.some((a) => a.kind === 'create-environment') ? 'create' : 'update';
  const answer = await io.readLine!(`Type the environment name (${name}) to ${verb} it and write to s3://${bucket}${plan.secrets ? ' and Secrets Manager' : ''}: `);
  return answer.trim() === name;
}
