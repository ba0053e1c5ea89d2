import { desiredEnvironment, type Plan } from '../plan/plan.js';
import { tildify } from './core.js';

// Done's "next time, in one command": `migrate` with the flags that make the same plan as the
// walkthrough did and reach the same AWS (profile, region, endpoints).

export interface RunFlags {
  envFile?: string;
  profile?: string;
  endpointUrl?: string;
  mwaaEndpointUrl?: string;
  /** The person confirmed a plan with error findings or failed checks: migrate must be told to go on too. */
  allowErrors: boolean;
}

const q = (s: string) => (/^[\w@%+=:,./~-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The one-shot command that does what the walkthrough did, for next time. */
export function migrateCommandLine(plan: Plan, run: RunFlags): string {
  const i = desiredEnvironment(plan);
  const parts = ['mwaa-migrate migrate', q(tildify(plan.inputs.home))];
  if (i) {
    parts.push('--name', q(i.Name), '--bucket', q(plan.inputs.bucket), '--execution-role-arn', q(i.ExecutionRoleArn));
    parts.push('--subnet-ids', q(i.NetworkConfiguration.SubnetIds.join(',')), '--security-group-ids', q(i.NetworkConfiguration.SecurityGroupIds.join(',')));
    parts.push('--class', q(i.EnvironmentClass));
    if (i.WebserverAccessMode !== 'PRIVATE_ONLY') parts.push('--webserver-access', i.WebserverAccessMode);
  }
  parts.push('--region', q(plan.inputs.region), '--target-version', q(plan.inputs.target));
  if (plan.inputs.dagsPrefix !== 'dags') parts.push('--dags-prefix', q(plan.inputs.dagsPrefix));
  // The plan uploads fixed copies: migrate makes the same fixes with these.
  if (plan.inputs.fix) parts.push('--fix', ...(plan.inputs.fix.unsafe ? ['--unsafe-fixes'] : []));
  if (run.envFile) parts.push('--env-file', q(tildify(run.envFile)));
  for (const src of plan.secrets?.sources ?? []) if (src.kind === 'env-file') parts.push('--secrets-env-file', q(tildify(src.file)));
  if (run.profile) parts.push('--profile', q(run.profile));
  if (run.endpointUrl) parts.push('--endpoint-url', q(run.endpointUrl));
  if (run.mwaaEndpointUrl) parts.push('--mwaa-endpoint-url', q(run.mwaaEndpointUrl));
  if (run.allowErrors) parts.push('--allow-errors');
  return parts.join(' ');
}
