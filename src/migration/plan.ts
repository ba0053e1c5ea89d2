import { shippedInterest } from '../check/interest.js';
import { clock } from '../clock.js';
import { UsageError } from '../exit.js';
import { scanHome } from '../home/scan.js';
import { sizeEnvironment } from '../sizing/sizing.js';
import { defaultRegion, knownRegions } from '../sizing/table.js';
import { readBucketState, s3Client } from '../aws/s3-state.js';
import { buildArtifacts, PLUGINS_KEY, REQUIREMENTS_KEY } from '../plan/artifacts.js';
import { checkForPlan, planCheckAsScanned } from '../plan/fixed.js';
import { STARTUP_KEY } from '../plan/startup.js';
import { buildPlan, desiredEnvironment, type Plan, type PlanSettings } from '../plan/plan.js';
import { readSecretsState, secretsManagerClient } from '../aws/secrets-manager.js';
import { planSecrets } from '../secrets/plan.js';
import { readSecrets, withEnvFileSource, type SecretsPart, type SecretsRequest, type SourceContext } from '../secrets/step.js';
import type { MappedSecret } from '../secrets/mapping.js';
import { mwaaClient, readEnvironment } from '../aws/mwaa-client.js';
import { profileCredentials } from '../aws/identity.js';
import { awsFailure, checkProfile, endpointFor, REQUEST_HANDLER, type AwsAccess, type AwsService } from '../aws/access.js';
import { loadTreeSitter } from '../python/parser.js';

export type { AwsAccess } from '../aws/access.js';

// The migration steps every front end shares (the plan/apply/migrate commands and the guided
// walkthrough): make a plan from settings (here) and carry it out (apply.ts). Rendering stays
// with the front ends.

/** What to plan: the settings and how to read the home. */
export interface PlanRequest {
  settings: PlanSettings;
  homePath: string;
  airflowVersion: string | undefined;
  envFile: string | undefined;
  cache: boolean;
  aws: AwsAccess;
  /** Run the read-only preflight checks (IAM, EC2, S3) after planning. */
  preflight: boolean;
  /** --metadata-db-url, when the secrets come from a database named on the command line. */
  metadataDbUrl?: string;
  /** Move the connections and variables of the --env-file too (migrate, unless --no-env-secrets). */
  envFileSecrets?: boolean;
}

/** The secrets part: every source read now, compared by fingerprint with what Secrets Manager holds. */
export async function planSecretsPart(
  request: SecretsRequest,
  target: string,
  context: SourceContext,
  client: ReturnType<typeof secretsManagerClient>,
): Promise<{ part: SecretsPart; secrets: MappedSecret[] }> {
  const read = await readSecrets(request, target, context);
  const existing = await readSecretsState(
    client,
    read.secrets.map((s) => s.name),
  ).catch((e: unknown) => {
    throw awsError('reading Secrets Manager', e, undefined, 'SECRETS_MANAGER');
  });
  const { actions, conflicts } = planSecrets(read.secrets, existing, request.onConflict);
  // The values go back to a caller that writes at once (the secrets command); the part holds none.
  return { part: { ...request, actions, conflicts, problems: read.problems, notes: read.notes }, secrets: read.secrets };
}

/** AWS said no or could not be reached: one line naming what was being read. */
const awsError = (what: string, e: unknown, aws: AwsAccess | undefined, service: AwsService) => new UsageError(`${what}: ${awsFailure(e, aws, [service])}`);

/** Scans and checks the home, reads the bucket and the environment (read-only calls), and builds the plan. */
export async function makePlan(r: PlanRequest): Promise<Plan> {
  const { aws } = r;
  const { target, region, dagsPrefix } = r.settings;
  checkProfile(aws);
  const now = clock(aws.env);
  const checking = planCheckAsScanned(r.homePath, { target, now, fix: r.settings.fix });
  const inventory = await scanHome(r.homePath, {
    envFile: r.envFile,
    env: aws.env,
    airflowVersion: r.airflowVersion,
    cache: r.cache,
    interest: shippedInterest(),
    onFile: checking?.onFile,
  });
  const secretsRequest = r.envFileSecrets ? withEnvFileSource(r.settings.secrets ?? null, r.envFile, inventory) : (r.settings.secrets ?? null);
  const settings: PlanSettings = { ...r.settings, ...(secretsRequest ? { secrets: secretsRequest } : {}) };
  // With --fix, the code as it will be uploaded: checked, sized and planned after the fixes.
  if (settings.fix) await loadTreeSitter(); // the fixes parse the files they change
  const checked = checkForPlan(inventory, r.homePath, { target, now, fix: settings.fix }, checking);
  // Sizing is priced only for display elsewhere: any region in the table will do for the counts.
  const sizing = sizeEnvironment(checked.inventory, { target, region: knownRegions().includes(region) ? region : defaultRegion(), ...(settings.environmentClass ? { environmentClass: settings.environmentClass } : {}) });
  const artifacts = await buildArtifacts(inventory, target, dagsPrefix, checked.fixed);
  const credentials = profileCredentials(aws.profile);
  const s3 = s3Client({ region, endpoint: endpointFor(aws, 'S3'), credentials });
  const mwaa = mwaaClient({ region, endpoint: endpointFor(aws, 'MWAA'), credentials });
  const sm = secretsManagerClient({ region, endpoint: endpointFor(aws, 'SECRETS_MANAGER'), credentials });
  const closing: { destroy(): void }[] = [s3, mwaa, sm];
  try {
    const context: SourceContext = { home: r.homePath, envFile: r.envFile, env: aws.env, metadataDbUrl: r.metadataDbUrl };
    const [bucket, environment, secrets] = await Promise.all([
      readBucketState(s3, settings.bucket, dagsPrefix, [...(artifacts.plugins ? [PLUGINS_KEY] : []), ...(artifacts.requirements ? [REQUIREMENTS_KEY] : []), ...(artifacts.startup ? [STARTUP_KEY] : [])]).catch((e: unknown) => {
        throw awsError(`reading s3://${settings.bucket}`, e, aws, 'S3');
      }),
      readEnvironment(mwaa, settings.name).catch((e: unknown) => {
        throw awsError(`reading the MWAA environment ${settings.name}`, e, aws, 'MWAA');
      }),
      settings.secrets ? planSecretsPart(settings.secrets, target, context, sm).then((r) => r.part) : undefined,
    ]);
    const plan = buildPlan({ inventory: checked.inventory, findings: checked.result.findings, sizing, settings, artifacts, bucket, environment, now, ...(secrets ? { secrets } : {}), ...(checked.fixed ? { fixesLeft: checked.fixed.left } : {}) });
    if (!r.preflight) return plan;
    // IAM and EC2 are read by the preflight alone: their SDKs load only when it runs.
    const [{ preflight }, { IAMClient }, { EC2Client }] = await Promise.all([import('../aws/preflight.js'), import('@aws-sdk/client-iam'), import('@aws-sdk/client-ec2')]);
    const iam = new IAMClient({ region, endpoint: endpointFor(aws, 'IAM'), credentials, requestHandler: REQUEST_HANDLER });
    const ec2 = new EC2Client({ region, endpoint: endpointFor(aws, 'EC2'), credentials, requestHandler: REQUEST_HANDLER });
    closing.push(iam, ec2);
    const checks = await preflight(
      { s3, iam, ec2 },
      {
        region,
        bucket: settings.bucket,
        executionRoleArn: settings.executionRoleArn,
        subnetIds: settings.subnetIds,
        securityGroupIds: settings.securityGroupIds,
        // buildPlan always ends with the environment's action.
        environment: desiredEnvironment(plan)!,
        ...(settings.secrets ? { secretsPrefixes: [settings.secrets.connectionsPrefix, settings.secrets.variablesPrefix] } : {}),
      },
    );
    return { ...plan, preflight: checks };
  } finally {
    for (const c of closing) c.destroy();
  }
}
