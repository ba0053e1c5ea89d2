import { EXIT_CHANGES, EXIT_FINDINGS, EXIT_OK } from '../exit.js';
import { writePlanFile } from '../plan/file.js';
import { hasChanges, refusals, type Plan } from '../plan/plan.js';
import { renderPlanText } from '../plan/render.js';
import { parse } from './args.js';
import { FIX_OPTIONS, PLAN_OPTIONS, planRequest } from './aws-flags.js';
import { printUsage } from './help.js';
import type { CliIO } from './io.js';

// plan: what a move would upload, create or update, with the preflight checks (reads AWS, writes nothing).

/** Writes the plan file, saying on stderr what it holds. */
export function writePlan(plan: Plan, file: string, io: CliIO): void {
  writePlanFile(plan, file);
  const c = plan.counts;
  io.stderr(`mwaa-migrate: wrote ${file} (${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.unchanged} unchanged)\n`);
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { ...PLAN_OPTIONS, ...FIX_OPTIONS }, 'plan');
  if (values.help) return printUsage(io, 'plan');
  const request = planRequest('plan', values, positionals, io.env);
  // The AWS SDK loads once the flags are known to be right.
  const { makePlan } = await import('../migration/plan.js');
  const plan = await makePlan(request);
  if (values.out === undefined) io.stdout(renderPlanText(plan));
  else writePlan(plan, values.out, io);
  const { overridable, hard } = refusals(plan);
  if (overridable.length + hard.length) return EXIT_FINDINGS;
  return hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
}
