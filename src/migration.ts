import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './exit.js';
import { scanHome } from './home/scan.js';
import { loadCatalog } from './check/catalog.js';
import { check } from './check/engine.js';
import { loadProject } from './check/project.js';
import { defaultRegion, knownRegions, sizeEnvironment } from './sizing/sizing.js';
import { readBucketState, s3Client } from './aws/s3-state.js';
import { buildArtifacts, PLUGINS_KEY, REQUIREMENTS_KEY } from './plan/artifacts.js';
import { buildPlan, type Plan, type PlanSettings } from './plan/plan.js';
import { applyPlan, type ApplyResult } from './aws/apply.js';
import { Journal, journalPath } from './aws/journal.js';
import { mwaaClient, readEnvironment } from './aws/mwaa-client.js';
import { profileCredentials } from './aws/identity.js';
import { checkProfile, endpointFor, type AwsAccess } from './aws/access.js';

export type { AwsAccess } from './aws/access.js';

// The migration steps every front end shares (the plan/apply/migrate commands and the guided
// walkthrough): make a plan from settings, write it, and carry it out. Rendering stays with the
// front ends.

/** What to plan: the settings and how to read the home. */
export interface PlanRequest {
  settings: PlanSettings;
  homePath: string;
  airflowVersion: string | undefined;
  envFile: string | undefined;
  cache: boolean;
  aws: AwsAccess;
}

/** AWS said no or could not be reached: one line naming what was being read. */
const awsError = (what: string, e: unknown) => new UsageError(`${what}: ${(e as Error).name}: ${(e as Error).message}`);

/** Scans and checks the home, reads the bucket and the environment (read-only calls), and builds the plan. */
export async function makePlan(r: PlanRequest): Promise<Plan> {
  const { settings, aws } = r;
  const { target, region, dagsPrefix } = settings;
  checkProfile(aws);
  const inventory = await scanHome(r.homePath, { envFile: r.envFile, env: aws.env, airflowVersion: r.airflowVersion, cache: r.cache });
  const { findings } = check(inventory, loadCatalog(), { target, project: loadProject(resolve(r.homePath)) });
  // Sizing is priced only for display elsewhere: any region in the table will do for the counts.
  const sizing = sizeEnvironment(inventory, { target, region: knownRegions().includes(region) ? region : defaultRegion() });
  const artifacts = await buildArtifacts(inventory, target, dagsPrefix);
  const credentials = profileCredentials(aws.profile);
  const s3 = s3Client({ region, endpoint: endpointFor(aws, 'S3'), credentials });
  const mwaa = mwaaClient({ region, endpoint: endpointFor(aws, 'MWAA'), credentials });
  try {
    const [bucket, environment] = await Promise.all([
      readBucketState(s3, settings.bucket, dagsPrefix, [...(artifacts.plugins ? [PLUGINS_KEY] : []), ...(artifacts.requirements ? [REQUIREMENTS_KEY] : [])]).catch((e: unknown) => {
        throw awsError(`reading s3://${settings.bucket}`, e);
      }),
      readEnvironment(mwaa, settings.name).catch((e: unknown) => {
        throw awsError(`reading the MWAA environment ${settings.name}`, e);
      }),
    ]);
    return buildPlan({ inventory, findings, sizing, settings, artifacts, bucket, environment });
  } finally {
    s3.destroy();
    mwaa.destroy();
  }
}

export function writePlanFile(plan: Plan, file: string): void {
  try {
    writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
  } catch (e) {
    throw new UsageError(`cannot write the plan to ${file}: ${(e as Error).message.split(',')[0]}`);
  }
}

export interface ApplyRun {
  aws: AwsAccess;
  wait: boolean;
  pollMs: number;
  progress: (line: string) => void;
}

/** Applies a plan written to file (its journal sits next to it). AWS errors become one-line UsageErrors. */
export async function applyPlanFile(plan: Plan, file: string, run: ApplyRun): Promise<ApplyResult> {
  const region = plan.inputs.region;
  checkProfile(run.aws);
  const credentials = profileCredentials(run.aws.profile);
  // More attempts than the SDK's default 3: a long apply should ride out throttling and blips.
  const s3 = s3Client({ region, endpoint: endpointFor(run.aws, 'S3'), maxAttempts: 6, credentials });
  const mwaa = mwaaClient({ region, endpoint: endpointFor(run.aws, 'MWAA'), maxAttempts: 6, credentials });
  try {
    return await applyPlan({ plan, journal: new Journal(journalPath(file)), s3, mwaa, wait: run.wait, pollMs: run.pollMs, progress: run.progress });
  } catch (e) {
    // AWS said no (or could not be reached): the journal keeps what was done, a re-run resumes.
    if (e instanceof UsageError || !(e instanceof Error) || !('$metadata' in e || 'code' in e)) throw e;
    throw new UsageError(`apply stopped: ${e.name}: ${e.message} (fix the cause and run apply again to resume)`);
  } finally {
    s3.destroy();
    mwaa.destroy();
  }
}
