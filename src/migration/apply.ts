import { UsageError } from '../exit.js';
import type { Plan } from '../plan/plan.js';
import { applyPlan, type ApplyResult } from '../aws/apply.js';
import { Journal, journalPath, runIdentity } from '../aws/journal.js';
import { s3Client } from '../aws/s3-state.js';
import { mwaaClient } from '../aws/mwaa-client.js';
import { profileCredentials } from '../aws/identity.js';
import { awsFailure, awsIdentity, checkProfile, endpointFor, type AwsAccess } from '../aws/access.js';
import { acquireLock } from '../aws/lock.js';

// Carrying out a plan written to file, for the apply and migrate commands and the walkthrough.
// Apart from planning (plan.ts), so that an apply loads no rules, sizing or fixes it does not
// need, and the Secrets Manager client only for a plan that moves secrets.

export interface ApplyRun {
  aws: AwsAccess;
  /** --metadata-db-url again, when the plan's secrets come from a database named on the command line. */
  metadataDbUrl?: string;
  wait: boolean;
  pollMs: number;
  progress: (line: string) => void;
}

/** Applies a plan written to file (its journal sits next to it). AWS errors become one-line UsageErrors. */
export async function applyPlanFile(plan: Plan, file: string, run: ApplyRun): Promise<ApplyResult> {
  const region = plan.inputs.region;
  checkProfile(run.aws);
  const release = acquireLock(`${file}.lock`, file);
  const credentials = profileCredentials(run.aws.profile);
  // More attempts than the SDK's default 3: a long apply should ride out throttling and blips.
  const s3 = s3Client({ region, endpoint: endpointFor(run.aws, 'S3'), maxAttempts: 6, credentials });
  const mwaa = mwaaClient({ region, endpoint: endpointFor(run.aws, 'MWAA'), maxAttempts: 6, credentials });
  const closing: { destroy(): void }[] = [s3, mwaa];
  try {
    // The values are read again from their sources now: the plan holds only their fingerprints.
    let secrets: Parameters<typeof applyPlan>[0]['secrets'];
    if (plan.secrets) {
      const [{ secretsManagerClient }, { readSecrets }] = await Promise.all([import('../aws/secrets-manager.js'), import('../secrets/step.js')]);
      const client = secretsManagerClient({ region, endpoint: endpointFor(run.aws, 'SECRETS_MANAGER'), maxAttempts: 6, credentials });
      closing.push(client);
      const current = (await readSecrets(plan.secrets, plan.inputs.target, { home: plan.inputs.home, envFile: plan.inputs.envFile, env: run.aws.env, metadataDbUrl: run.metadataDbUrl })).secrets;
      secrets = { client, part: plan.secrets, current };
    }
    const journal = new Journal(journalPath(file), runIdentity({ plan: plan.inputs, ...awsIdentity(run.aws, ['S3', 'MWAA', 'SECRETS_MANAGER']) }));
    if (journal.setAside) run.progress(`the journal beside ${file} was left by another plan or AWS endpoint: kept as ${journal.setAside}, not trusted`);
    return await applyPlan({ plan, journal, s3, mwaa, ...(secrets ? { secrets } : {}), wait: run.wait, pollMs: run.pollMs, progress: run.progress });
  } catch (e) {
    // AWS said no (or could not be reached): the journal keeps what was done, a re-run resumes.
    if (e instanceof UsageError || !(e instanceof Error) || !('$metadata' in e || 'code' in e)) throw e;
    throw new UsageError(`apply stopped: ${awsFailure(e, run.aws, ['S3', 'MWAA', 'SECRETS_MANAGER'])} (fix the cause and run apply again to resume)`);
  } finally {
    for (const c of closing) c.destroy();
    release();
  }
}
