import { UsageError } from '../exit.js';
import type { AwsAccess } from '../aws/access.js';
import type { PlanRequest } from '../migration/plan.js';
import { PLUGINS_KEY, REQUIREMENTS_KEY } from '../plan/artifacts.js';
import type { PlanSettings } from '../plan/plan.js';
import { secretsRequest, type SecretsRequest } from '../secrets/step.js';
import { airflowVersionFlag, HOME_OPTIONS, homeArg, REGION_NAME, targetVersionFlag, type Options, type Values } from './args.js';
import type { CliIO } from './io.js';

// The flags of the commands that reach AWS: where to, as whom, and what plan and migrate would
// create there (with the secrets that plan, migrate and secrets move).

/** --endpoint-url, --mwaa-endpoint-url and --profile, each checked for shape. */
export function awsAccess(values: { 'endpoint-url'?: string; 'mwaa-endpoint-url'?: string; profile?: string }, env: CliIO['env']): AwsAccess {
  for (const flag of ['endpoint-url', 'mwaa-endpoint-url'] as const) {
    const v = values[flag];
    if (v !== undefined && !URL.canParse(v)) throw new UsageError(`--${flag} ${v}: not a URL (e.g. http://localhost:4566)`);
  }
  return { endpointUrl: values['endpoint-url'], mwaaEndpointUrl: values['mwaa-endpoint-url'], profile: values.profile, env };
}

/** --region, else the AWS environment's region. */
export function awsRegion(command: string, region: string | undefined, env: CliIO['env']): string {
  const r = region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (!r || !REGION_NAME.test(r)) throw new UsageError(`${command} needs an AWS region: --region or AWS_REGION${r ? ` (${r} is not one)` : ''}`);
  return r;
}

// Where connections and variables come from, and where they go (plan, migrate and secrets take them).
export const SECRETS_SOURCE_OPTIONS = {
  'connections-file': { type: 'string', multiple: true },
  'variables-file': { type: 'string', multiple: true },
  'secrets-env-file': { type: 'string' },
  'from-metadata-db': { type: 'boolean' },
  'metadata-db-url': { type: 'string' },
  'connections-prefix': { type: 'string' },
  'variables-prefix': { type: 'string' },
  'on-conflict': { type: 'string', default: 'fail' },
  'secrets-kms-key': { type: 'string' },
} satisfies Options;

/** The secrets to move, or null when no source is given. */
export function secretsFlags(values: Values<typeof SECRETS_SOURCE_OPTIONS>): SecretsRequest | null {
  const onConflict = values['on-conflict'] ?? 'fail';
  if (onConflict !== 'fail' && onConflict !== 'skip' && onConflict !== 'overwrite') throw new UsageError(`--on-conflict ${onConflict}: fail, skip or overwrite`);
  return secretsRequest({
    connectionsFiles: values['connections-file'] ?? [],
    variablesFiles: values['variables-file'] ?? [],
    envFile: values['secrets-env-file'],
    fromMetadataDb: Boolean(values['from-metadata-db']),
    metadataDbUrl: values['metadata-db-url'],
    connectionsPrefix: values['connections-prefix'],
    variablesPrefix: values['variables-prefix'],
    onConflict,
    kmsKey: values['secrets-kms-key'],
  });
}

export const PLAN_OPTIONS = {
  ...HOME_OPTIONS,
  'target-version': { type: 'string' },
  region: { type: 'string' },
  name: { type: 'string' },
  bucket: { type: 'string' },
  'execution-role-arn': { type: 'string' },
  'subnet-ids': { type: 'string' },
  'security-group-ids': { type: 'string' },
  class: { type: 'string' },
  'dags-prefix': { type: 'string', default: 'dags' },
  'webserver-access': { type: 'string', default: 'PRIVATE_ONLY' },
  'maintenance-window': { type: 'string' },
  'kms-key': { type: 'string' },
  tag: { type: 'string', multiple: true },
  delete: { type: 'boolean' },
  out: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'mwaa-endpoint-url': { type: 'string' },
  profile: { type: 'string' },
  'no-preflight': { type: 'boolean' },
  unpaused: { type: 'boolean' },
  ...SECRETS_SOURCE_OPTIONS,
} satisfies Options;

/** plan and migrate upload the fixed code with these (preflight, which uploads nothing, takes neither). */
export const FIX_OPTIONS = {
  fix: { type: 'boolean' },
  'unsafe-fixes': { type: 'boolean' },
} satisfies Options;

type PlanValues = Values<typeof PLAN_OPTIONS> & Partial<Values<typeof FIX_OPTIONS>>;

export function required(command: string, flag: string, value: string | undefined, shape: RegExp, example: string): string {
  if (value === undefined) throw new UsageError(`${command} needs --${flag} (e.g. --${flag} ${example})`);
  if (!shape.test(value)) throw new UsageError(`--${flag} ${value}: not a valid value (e.g. ${example})`);
  return value;
}

/** A comma-separated flag's items. */
export const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** The environment's network, access, tag and maintenance flags, each checked for shape. */
function networkFlags(values: PlanValues): Pick<PlanSettings, 'subnetIds' | 'securityGroupIds' | 'webserverAccessMode' | 'dagsPrefix' | 'tags'> & { maintenance?: string } {
  const subnetIds = list(values['subnet-ids']);
  const notSubnets = subnetIds.filter((s) => !/^subnet-[0-9a-f]+$/.test(s));
  if (notSubnets.length) throw new UsageError(`--subnet-ids: ${notSubnets.join(', ')}: not a subnet id (subnet- and hex digits, e.g. subnet-0a1b)`);
  if (subnetIds.length !== 2) throw new UsageError(`--subnet-ids: MWAA needs exactly two private subnets, ${subnetIds.length} given (e.g. --subnet-ids subnet-0a1b,subnet-2c3d)`);
  const securityGroupIds = list(values['security-group-ids']);
  if (securityGroupIds.length < 1 || securityGroupIds.length > 5 || !securityGroupIds.every((s) => /^sg-[0-9a-f]+$/.test(s))) {
    throw new UsageError('--security-group-ids: one to five security groups, e.g. --security-group-ids sg-0a1b');
  }
  const access = values['webserver-access'];
  if (access !== 'PRIVATE_ONLY' && access !== 'PUBLIC_ONLY') throw new UsageError(`--webserver-access ${access}: PRIVATE_ONLY or PUBLIC_ONLY`);
  const dagsPrefix = values['dags-prefix'].replace(/^\/+|\/+$/g, '');
  if (!dagsPrefix || dagsPrefix === PLUGINS_KEY || dagsPrefix === REQUIREMENTS_KEY) throw new UsageError(`--dags-prefix ${values['dags-prefix']}: a folder in the bucket, e.g. dags`);
  const tags: Record<string, string> = {};
  for (const t of values.tag ?? []) {
    const at = t.indexOf('=');
    if (at < 1) throw new UsageError(`--tag ${t}: expected KEY=VALUE`);
    tags[t.slice(0, at)] = t.slice(at + 1);
  }
  const maintenance = values['maintenance-window'];
  if (maintenance !== undefined && !/^(MON|TUE|WED|THU|FRI|SAT|SUN):([01]\d|2[0-3]):(00|30)$/.test(maintenance)) throw new UsageError(`--maintenance-window ${maintenance}: DAY:HH:MM on the hour or half hour, e.g. SUN:03:00`);
  return { subnetIds, securityGroupIds, webserverAccessMode: access, dagsPrefix, tags, maintenance };
}

/** What plan and migrate are asked to do, every flag checked before the (possibly long) scan. */
export function planRequest(command: string, values: PlanValues, positionals: string[], env: CliIO['env']): PlanRequest {
  if (values['unsafe-fixes'] && !values.fix) throw new UsageError('--unsafe-fixes goes with --fix');
  // Every missing flag at once, rather than one per run.
  const missing = (['name', 'bucket', 'execution-role-arn', 'subnet-ids', 'security-group-ids'] as const).filter((f) => values[f] === undefined);
  if (missing.length > 1) throw new UsageError(`${command} needs ${missing.map((f) => `--${f}`).join(', ')} (see mwaa-migrate ${command} --help)`);
  const target = targetVersionFlag(values['target-version']);
  const region = awsRegion(command, values.region, env);
  const { subnetIds, securityGroupIds, webserverAccessMode, dagsPrefix, tags, maintenance } = networkFlags(values);
  const airflowVersion = airflowVersionFlag(values['airflow-version']);
  const home = homeArg(command, positionals, env);
  const secrets = secretsFlags(values);
  const settings: PlanSettings = {
    home: home.given,
    target,
    region,
    name: required(command, 'name', values.name, /^[a-zA-Z][0-9a-zA-Z_-]{0,79}$/, 'airflow-prod'),
    bucket: required(command, 'bucket', values.bucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'acme-airflow-dags'),
    dagsPrefix,
    executionRoleArn: required(command, 'execution-role-arn', values['execution-role-arn'], /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/?[\w+=,.@\-/]+$/, 'arn:aws:iam::123456789012:role/mwaa-exec'),
    subnetIds,
    securityGroupIds,
    ...(values.class ? { environmentClass: values.class } : {}),
    webserverAccessMode,
    ...(maintenance ? { maintenanceWindow: maintenance } : {}),
    ...(values['kms-key'] ? { kmsKey: values['kms-key'] } : {}),
    tags,
    delete: Boolean(values.delete),
    ...(values.unpaused ? { unpaused: true } : {}),
    ...(values.fix ? { fix: { unsafe: Boolean(values['unsafe-fixes']), ...(airflowVersion !== undefined ? { airflowVersion } : {}) } } : {}),
    ...(secrets ? { secrets } : {}),
    ...(values['env-file'] !== undefined ? { envFile: values['env-file'] } : {}),
  };
  return {
    settings,
    homePath: home.path,
    airflowVersion,
    envFile: values['env-file'],
    cache: !values['no-cache'],
    aws: awsAccess(values, env),
    preflight: !values['no-preflight'],
    ...(values['metadata-db-url'] !== undefined ? { metadataDbUrl: values['metadata-db-url'] } : {}),
  };
}
