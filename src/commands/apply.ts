import { readFileSync } from 'node:fs';
import type { AwsAccess } from '../aws/access.js';
import type { ApplyResult } from '../aws/apply.js';
import { EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, UsageError } from '../exit.js';
import { firstRunLines, type FirstRun } from '../plan/first-run.js';
import { PLAN_FORMAT_VERSION, refusals, type Plan } from '../plan/plan.js';
import { parse, pollSecondsFlag, type Options, type Values } from './args.js';
import { awsAccess } from './aws-flags.js';
import { printUsage } from './help.js';
import type { CliIO } from './io.js';

// apply: carry out a plan (bucket, objects, secrets, environment), resumably. migrate ends here too.

export const APPLY_OPTIONS = {
  'endpoint-url': { type: 'string' },
  'mwaa-endpoint-url': { type: 'string' },
  'no-wait': { type: 'boolean' },
  'poll-seconds': { type: 'string', default: '30' },
  profile: { type: 'string' },
  'allow-errors': { type: 'boolean' },
  'metadata-db-url': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

export interface ApplyFlags {
  aws: AwsAccess;
  metadataDbUrl: string | undefined;
  wait: boolean;
  pollMs: number;
}

export function applyFlags(values: Values<typeof APPLY_OPTIONS>, env: CliIO['env']): ApplyFlags {
  const pollSeconds = pollSecondsFlag(values['poll-seconds']);
  return {
    aws: awsAccess(values, env),
    metadataDbUrl: values['metadata-db-url'],
    wait: !values['no-wait'],
    pollMs: pollSeconds * 1000,
  };
}

function readPlan(file: string): Plan {
  let plan: Plan;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8')) as Plan;
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (plan?.formatVersion !== PLAN_FORMAT_VERSION || !Array.isArray(plan.actions) || typeof plan.inputs?.region !== 'string') {
    throw new UsageError(`${file}: not a plan of format ${PLAN_FORMAT_VERSION} (make one with: mwaa-migrate plan ... --out ${file})`);
  }
  return plan;
}

const NEXT_STEPS = (name: string, secretsMoved: boolean, firstRun: FirstRun) => `Next steps:
  - sign in to the Airflow UI (or: aws mwaa create-web-login-token --name ${name}) and check for DAG import errors;
  - ${secretsMoved ? 'check that the DAGs find their connections and variables in Secrets Manager' : 'move connections and variables: mwaa-migrate secrets AIRFLOW_HOME --from-metadata-db (or --connections-file, --secrets-env-file), then apply a new plan made with the same flags'};
${firstRun.unpause.length ? firstRunLines(firstRun).join('\n') : '  - pause each DAG on the old scheduler before unpausing it here, so no run happens twice.'}
`;

// What a status that ends the wait means, in plain words (MWAA's status descriptions, and the
// causes its users hit most often).
const AFTERMATH: Record<string, string> = {
  CREATE_FAILED:
    'MWAA could not create the environment, and an environment in this state cannot be updated: delete it (aws mwaa delete-environment --name NAME), fix the cause and run migrate again. ' +
    'The usual causes: the private subnets have no route to a NAT gateway nor the VPC endpoints MWAA needs, the execution role cannot be assumed by MWAA or cannot read the bucket, or requirements.txt does not install.',
  UPDATE_FAILED: 'The update failed and MWAA rolled the environment back; it is usable with its previous settings. Fix the cause and run apply again.',
  UNAVAILABLE: 'The environment failed and could not roll back. Contact AWS support or delete and recreate it.',
  PENDING: 'The environment waits for the VPC endpoints you manage (EndpointManagement CUSTOMER); create them for its WebserverVpcEndpointService and DatabaseVpcEndpointService. MWAA gives up after 72 hours.',
};

const failed = (status: string) => status === 'CREATE_FAILED' || status === 'UPDATE_FAILED' || status === 'UNAVAILABLE';

function applySummary(r: ApplyResult, wait: boolean, plan: Plan): string {
  const url = r.webserverUrl ? `https://${r.webserverUrl.replace(/^https?:\/\//, '')}` : '(not reported yet)';
  const did = { created: 'created', updated: 'updated', unchanged: 'already as planned, not changed' }[r.environment];
  const lines = [`Environment ${r.name}: ${r.status} (${did}).`];
  if (r.notUpdatable.length) {
    lines.push('These settings differ and only a new environment can change them:', ...r.notUpdatable.map((d) => `  ${d.setting}: ${d.current} (planned ${d.planned})`));
  }
  const aftermath = AFTERMATH[r.status];
  if (failed(r.status)) return `${[...lines, r.error ?? 'MWAA gave no reason.', aftermath!.replace('NAME', r.name)].join('\n')}\n`;
  if (aftermath) lines.push(aftermath);
  if (!wait && r.status !== 'AVAILABLE') return `${[...lines, 'The change continues in AWS; run apply again (without --no-wait) to wait for it.'].join('\n')}\n`;
  return `${[...lines, `Airflow UI: ${url}`].join('\n')}\n${NEXT_STEPS(r.name, plan.secrets !== null, plan.firstRun)}`;
}

/** Whether a plan may be applied, saying why not (or, with --allow-errors, what is overridden). */
export function allowed(plan: Plan, allowErrors: boolean, io: CliIO): boolean {
  const { overridable, hard } = refusals(plan);
  const refused = [...hard, ...(allowErrors ? [] : overridable)];
  if (refused.length > 0) {
    const hint = allowErrors || overridable.length === 0 ? '' : ` (see the findings with: mwaa-migrate report ${plan.inputs.home}; --allow-errors goes on despite findings and failed checks)`;
    io.stderr(`mwaa-migrate: the plan cannot be applied as it is: ${refused.join('; ')}${hint}. Nothing was changed.\n`);
    return false;
  }
  if (overridable.length) io.stderr(`mwaa-migrate: warning: going on despite ${overridable.join('; ')} (--allow-errors)\n`);
  return true;
}

/** Applies a plan written to file, printing progress and the outcome. */
export async function runApply(plan: Plan, file: string, f: ApplyFlags, io: CliIO): Promise<number> {
  const { applyPlanFile } = await import('../migration/apply.js');
  const result = await applyPlanFile(plan, file, { aws: f.aws, ...(f.metadataDbUrl !== undefined ? { metadataDbUrl: f.metadataDbUrl } : {}), wait: f.wait, pollMs: f.pollMs, progress: (l) => io.stderr(`mwaa-migrate: ${l}\n`) });
  io.stdout(applySummary(result, f.wait, plan));
  return failed(result.status) ? EXIT_FAILED : EXIT_OK;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, APPLY_OPTIONS, 'apply');
  if (values.help) return printUsage(io, 'apply');
  if (positionals.length !== 1) throw new UsageError(`apply takes one PLAN.json, got ${positionals.length}`);
  const flags = applyFlags(values, io.env);
  const file = positionals[0]!;
  const plan = readPlan(file);
  if (!allowed(plan, Boolean(values['allow-errors']), io)) return EXIT_FINDINGS;
  return runApply(plan, file, flags, io);
}
