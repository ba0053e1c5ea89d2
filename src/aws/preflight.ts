import {
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
  DescribeVpcAttributeCommand,
  type EC2Client,
  type Route,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import {
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  type Role,
} from '@aws-sdk/client-iam';
import {
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type PublicAccessBlockConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { CreateEnvironmentInput } from '../plan/plan.js';
import { dataTable } from '../refdata/data.js';
import { validateRequest } from './api-model.js';
import { evaluate, parsePolicyDocument, worse, type Decision, type NamedPolicy } from './iam-policy.js';
import type { PreflightArea, PreflightCheck, PreflightStatus } from './preflight-text.js';

export type { PreflightCheck } from './preflight-text.js';

// Preflight: what can be known before CreateEnvironment about the things MWAA will use, found
// with read-only calls (Get/Describe/List/Head) only. Creating an environment takes 20-30
// minutes and fails late and vaguely (INCORRECT_CONFIGURATION) on a missing NAT route, a role
// MWAA cannot assume and the like; these checks name the cause first. A call that is refused or
// answers oddly gives an 'unknown' check, never an exception. Facts are rules/data/mwaa-preflight.json.

export interface PreflightInput {
  region: string;
  bucket: string;
  executionRoleArn: string;
  subnetIds: string[];
  securityGroupIds: string[];
  /** The CreateEnvironment input the plan would send. */
  environment: CreateEnvironmentInput;
  /** Secrets Manager name prefixes the environment will read (connections, variables), when secrets are migrated. */
  secretsPrefixes?: string[];
}

/** Clients for the environment's Region. */
export interface PreflightClients {
  s3: S3Client;
  iam: IAMClient;
  ec2: EC2Client;
}

interface Requirement {
  actions: string[];
  resources: string[];
}

interface PreflightFacts {
  bucket: { namePrefix: string; namePrefixNote: string };
  trust: { action: string; principals: string[] };
  permissions: { id: string; title: string; when: 'always' | 'kmsKey' | 'secrets'; requirements: Requirement[] }[];
  network: { subnetCount: number; endpoints: Endpoint[]; secretsEndpoint: Endpoint };
}

interface Endpoint {
  service: string;
  type: 'Gateway' | 'Interface';
}

const facts = dataTable<PreflightFacts>('mwaa-preflight.json');

/** Every check's id and title, in the order they are reported (role permission checks follow PRE-ROLE-TRUST). */
const CHECKS = {
  bucketName: ['PRE-BUCKET-NAME', 'bucket', 'Bucket name'],
  bucketExists: ['PRE-BUCKET-EXISTS', 'bucket', 'Bucket exists or can be created'],
  bucketRegion: ['PRE-BUCKET-REGION', 'bucket', "Bucket is in the environment's Region"],
  bucketVersioning: ['PRE-BUCKET-VERSIONING', 'bucket', 'Bucket versioning'],
  bucketPublic: ['PRE-BUCKET-PUBLIC-ACCESS', 'bucket', 'Bucket blocks all public access'],
  roleExists: ['PRE-ROLE-EXISTS', 'role', 'Execution role exists'],
  roleTrust: ['PRE-ROLE-TRUST', 'role', 'MWAA may assume the execution role'],
  netSubnets: ['PRE-NET-SUBNETS', 'network', 'Two existing subnets in one VPC'],
  netZones: ['PRE-NET-AZ', 'network', 'Subnets in two Availability Zones'],
  netPrivate: ['PRE-NET-PRIVATE', 'network', 'Subnets are private'],
  netEgress: ['PRE-NET-EGRESS', 'network', 'Subnets reach AWS services (NAT gateway or VPC endpoints)'],
  netDns: ['PRE-NET-DNS', 'network', 'VPC DNS support and hostnames for endpoints'],
  netGroups: ['PRE-NET-SG', 'network', "Security groups exist in the subnets' VPC"],
  netSelf: ['PRE-NET-SG-SELF', 'network', 'Security group allows traffic between its members'],
  request: ['PRE-REQUEST', 'request', 'CreateEnvironment request matches the API model'],
} as const satisfies Record<string, readonly [string, PreflightArea, string]>;

type CheckDef = readonly [id: string, area: PreflightArea, title: string];

const result = ([id, area, title]: CheckDef, status: PreflightStatus, detail: string, fix?: string): PreflightCheck =>
  fix === undefined ? { id, area, status, title, detail } : { id, area, status, title, detail, fix };

/** A failed AWS call, named so the 'could not check' detail says which call it was. */
class CallFailed extends Error {
  constructor(call: string, cause: unknown) {
    const e = cause as { name?: string; message?: string };
    const why = [e.name, e.message && e.message !== e.name ? e.message : undefined].filter(Boolean).join(': ');
    super(`${call} failed: ${why || String(cause)}`, { cause });
  }
}

async function call<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new CallFailed(name, e);
  }
}

/** The AWS error name and HTTP status behind a failure, for the outcomes a check tells apart. */
const awsError = (e: unknown): { name?: string; status?: number } => {
  const c = (e instanceof CallFailed ? e.cause : e) as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return { name: c?.name, status: c?.$metadata?.httpStatusCode };
};

const CREDENTIALS_FIX = 'Let the credentials running preflight make this read-only call, or check this by hand.';
const couldNot = (def: CheckDef, e: unknown): PreflightCheck =>
  result(def, 'unknown', `could not check: ${e instanceof Error ? e.message : String(e)}`, CREDENTIALS_FIX);
const notChecked = (def: CheckDef, why: string): PreflightCheck => result(def, 'unknown', `not checked: ${why}`);

/** Runs the checks of one area; anything unexpected leaves its checks 'unknown', never throws. */
async function guarded(defs: CheckDef[], run: () => Promise<PreflightCheck[]>): Promise<PreflightCheck[]> {
  try {
    return await run();
  } catch (e) {
    return defs.map((d) => couldNot(d, e));
  }
}

const and = (items: string[]): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

// --- Bucket ----------------------------------------------------------------------------------

/** S3's general purpose bucket naming rules (S3 User Guide, "Bucket naming rules"). */
function bucketNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length < 3 || name.length > 63) problems.push('must be 3 to 63 characters long');
  if (!/^[a-z0-9.-]*$/.test(name)) problems.push('may contain only lower-case letters, digits, dots and hyphens');
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) problems.push('must begin and end with a letter or digit');
  if (name.includes('..')) problems.push('must not contain two adjacent dots');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) problems.push('must not look like an IP address');
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) if (name.startsWith(prefix)) problems.push(`must not begin with ${prefix}`);
  for (const suffix of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) if (name.endsWith(suffix)) problems.push(`must not end with ${suffix}`);
  return problems;
}

async function bucketChecks(s3: S3Client, { bucket, region }: PreflightInput): Promise<PreflightCheck[]> {
  const f = facts().bucket;
  const problems = bucketNameProblems(bucket);
  const name =
    problems.length > 0
      ? result(CHECKS.bucketName, 'fail', `'${bucket}' is not a valid S3 bucket name: it ${and(problems)}.`, 'Choose a DNS-compliant name (it cannot change later).')
      : !bucket.startsWith(f.namePrefix)
        ? result(CHECKS.bucketName, 'warn', `'${bucket}' does not start with '${f.namePrefix}'. ${f.namePrefixNote}`, `Name the bucket ${f.namePrefix}<something>.`)
        : result(CHECKS.bucketName, 'pass', `'${bucket}' is a valid bucket name.`);

  const later = [CHECKS.bucketRegion, CHECKS.bucketVersioning, CHECKS.bucketPublic];
  try {
    await call('S3 HeadBucket', () => s3.send(new HeadBucketCommand({ Bucket: bucket })));
  } catch (e) {
    const { status } = awsError(e);
    if (status === 404) {
      return [
        name,
        result(CHECKS.bucketExists, 'pass', `Bucket ${bucket} does not exist yet: apply will create it.`),
        result(CHECKS.bucketRegion, 'pass', `apply will create the bucket in ${region}.`),
        result(CHECKS.bucketVersioning, 'pass', 'apply will enable versioning on the new bucket.'),
        result(CHECKS.bucketPublic, 'pass', 'apply will block all public access on the new bucket.'),
      ];
    }
    const detail =
      status === 403
        ? `could not check: HeadBucket was refused (403): the bucket belongs to another account, or these credentials lack s3:ListBucket on it.`
        : `could not check: ${(e as Error).message}`;
    return [name, result(CHECKS.bucketExists, 'unknown', detail, 'Use a bucket this account owns, or let these credentials read it.'), ...later.map((d) => notChecked(d, 'the bucket could not be read'))];
  }

  const location = async (): Promise<PreflightCheck> => {
    const r = await call('S3 GetBucketLocation', () => s3.send(new GetBucketLocationCommand({ Bucket: bucket })));
    // No constraint means us-east-1; 'EU' is the legacy name of eu-west-1.
    const at = !r.LocationConstraint ? 'us-east-1' : r.LocationConstraint === 'EU' ? 'eu-west-1' : r.LocationConstraint;
    return at === region
      ? result(CHECKS.bucketRegion, 'pass', `Bucket ${bucket} is in ${region}.`)
      : result(CHECKS.bucketRegion, 'fail', `Bucket ${bucket} is in ${at}, the environment in ${region}: MWAA needs both in one Region.`, `Use a bucket in ${region} (a bucket's Region cannot change).`);
  };
  const versioning = async (): Promise<PreflightCheck> => {
    const r = await call('S3 GetBucketVersioning', () => s3.send(new GetBucketVersioningCommand({ Bucket: bucket })));
    return r.Status === 'Enabled'
      ? result(CHECKS.bucketVersioning, 'pass', 'Versioning is enabled.')
      : result(CHECKS.bucketVersioning, 'pass', `Versioning is ${r.Status === 'Suspended' ? 'suspended' : 'not enabled'}: apply will enable it (MWAA needs it).`);
  };
  const publicAccess = async (): Promise<PreflightCheck> => {
    let config: PublicAccessBlockConfiguration | undefined;
    try {
      config = (await call('S3 GetPublicAccessBlock', () => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))).PublicAccessBlockConfiguration;
    } catch (e) {
      if (awsError(e).name !== 'NoSuchPublicAccessBlockConfiguration') throw e;
    }
    const off = (['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const).filter((k) => config?.[k] !== true);
    return off.length === 0
      ? result(CHECKS.bucketPublic, 'pass', 'All four public access block settings are on.')
      : result(CHECKS.bucketPublic, 'pass', `${and(off)} ${off.length === 1 ? 'is' : 'are'} off: apply will block all public access (MWAA needs it).`);
  };
  const settle = (def: CheckDef, run: () => Promise<PreflightCheck>) => run().catch((e: unknown) => couldNot(def, e));
  return [
    name,
    result(CHECKS.bucketExists, 'pass', `Bucket ${bucket} exists.`),
    ...(await Promise.all([settle(CHECKS.bucketRegion, location), settle(CHECKS.bucketVersioning, versioning), settle(CHECKS.bucketPublic, publicAccess)])),
  ];
}

// --- Execution role --------------------------------------------------------------------------

/** arn:PARTITION:iam::ACCOUNT:role/PATH/NAME */
function parseRoleArn(arn: string): { partition: string; account: string; name: string } | undefined {
  const m = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? { partition: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/** The role's identity policies (inline and attached) and its permissions boundary, if any. */
async function rolePolicies(iam: IAMClient, role: Role): Promise<{ identity: NamedPolicy[]; boundary?: NamedPolicy }> {
  const RoleName = role.RoleName!;
  const managed = async (arn: string): Promise<NamedPolicy> => {
    const policy = await call('IAM GetPolicy', () => iam.send(new GetPolicyCommand({ PolicyArn: arn })));
    const version = await call('IAM GetPolicyVersion', () =>
      iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId })),
    );
    return { name: `policy ${arn}`, document: parsePolicyDocument(version.PolicyVersion?.Document ?? '') };
  };
  const identity: NamedPolicy[] = [];
  const inline = await call('IAM ListRolePolicies', async () => {
    const names: string[] = [];
    for await (const page of paginateListRolePolicies({ client: iam }, { RoleName })) names.push(...(page.PolicyNames ?? []));
    return names;
  });
  for (const PolicyName of inline) {
    const r = await call('IAM GetRolePolicy', () => iam.send(new GetRolePolicyCommand({ RoleName, PolicyName })));
    identity.push({ name: `inline policy ${PolicyName}`, document: parsePolicyDocument(r.PolicyDocument ?? '') });
  }
  const attached = await call('IAM ListAttachedRolePolicies', async () => {
    const arns: string[] = [];
    for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName })) arns.push(...(page.AttachedPolicies ?? []).map((p) => p.PolicyArn!));
    return arns;
  });
  for (const arn of attached) identity.push(await managed(arn));
  const boundaryArn = role.PermissionsBoundary?.PermissionsBoundaryArn;
  return boundaryArn ? { identity, boundary: { ...(await managed(boundaryArn)), name: `permissions boundary ${boundaryArn}` } } : { identity };
}

const STATUS_OF: Record<Decision, PreflightStatus> = { allowed: 'pass', conditional: 'warn', unknown: 'unknown', 'not-allowed': 'fail', denied: 'fail' };

/** The worst status first: how a check made of several decisions comes out. */
const worstStatus = (decisions: Decision[]): PreflightStatus => STATUS_OF[decisions.reduce(worse, 'allowed')];

function trustCheck(role: Role): PreflightCheck {
  const { action, principals } = facts().trust;
  const trust = [{ name: 'trust policy', document: parsePolicyDocument(role.AssumeRolePolicyDocument ?? '') }];
  const evaluations = principals.map((service) => ({ service, ...evaluate(trust, { action, service }) }));
  const status = worstStatus(evaluations.map((e) => e.decision));
  const lacking = evaluations.filter((e) => STATUS_OF[e.decision] === 'fail').map((e) => e.service);
  const notes = evaluations.flatMap((e) => e.because.map((b) => `${e.service}: ${b}`));
  const detail =
    status === 'pass'
      ? `The trust policy lets ${and(principals)} ${action}.`
      : [lacking.length > 0 ? `The trust policy does not let ${and(lacking)} ${action}.` : `The trust policy may not let ${and(principals)} ${action}.`, ...notes].join(' ');
  return result(
    CHECKS.roleTrust,
    status,
    detail,
    status === 'pass' ? undefined : `Trust policy: Allow ${action} for Principal {"Service": ${JSON.stringify(principals)}}.`,
  );
}

/** The KMS key's ARN for a policy's Resource; undefined for an alias (its key is not looked up). */
function kmsKeyArn(key: string, partition: string, region: string, account: string): string | undefined {
  if (/^arn:[^:]+:kms:[^:]+:\d+:key\//.test(key)) return key;
  const id = /^(?:key\/)?([0-9a-f-]{36})$/.exec(key)?.[1];
  return id ? `arn:${partition}:kms:${region}:${account}:key/${id}` : undefined;
}

type PermissionGroup = PreflightFacts['permissions'][number];

/** The permission groups this environment needs: KMS only with a KmsKey, secrets only with prefixes. */
const applicableGroups = (input: PreflightInput): PermissionGroup[] =>
  facts().permissions.filter((g) => g.when === 'always' || (g.when === 'kmsKey' ? !!input.environment.KmsKey : (input.secretsPrefixes ?? []).length > 0));

const groupDef = (g: PermissionGroup): CheckDef => [`PRE-ROLE-${g.id}`, 'role', g.title];

function permissionChecks(input: PreflightInput, arn: { partition: string; account: string }, policies: { identity: NamedPolicy[]; boundary?: NamedPolicy }): PreflightCheck[] {
  const { KmsKey, Name } = input.environment;
  const prefixes = (input.secretsPrefixes ?? []).map((p) => p.replace(/\/+$/, ''));
  const fill = (template: string, extra: Record<string, string>) =>
    template.replace(/\{(\w+)\}/g, (_, k: string) => ({ partition: arn.partition, region: input.region, account: arn.account, environment: Name, bucket: input.bucket, ...extra })[k] ?? `{${k}}`);
  const checks: PreflightCheck[] = [];
  for (const group of applicableGroups(input)) {
    const def = groupDef(group);
    const keyArn = KmsKey ? kmsKeyArn(KmsKey, arn.partition, input.region, arn.account) : undefined;
    if (group.when === 'kmsKey' && !keyArn) {
      checks.push(notChecked(def, `KmsKey ${KmsKey} is an alias and the key it names is not looked up; make sure the role may use that key.`));
      continue;
    }
    const substitutions: Record<string, string>[] = group.when === 'secrets' ? prefixes.map((prefix) => ({ prefix })) : [keyArn ? { kmsKey: keyArn } : {}];
    const asks = group.requirements.flatMap((req) =>
      substitutions.flatMap((extra) => req.resources.flatMap((r) => req.actions.map((action) => ({ action, resource: fill(r, extra) })))),
    );
    const outcomes = asks.map((ask) => {
      const identity = evaluate(policies.identity, ask);
      const boundary = policies.boundary ? evaluate([policies.boundary], ask) : undefined;
      const decision = boundary ? worse(identity.decision, boundary.decision) : identity.decision;
      const because = [...identity.because, ...(boundary && boundary.decision !== 'allowed' ? [`${policies.boundary!.name} does not allow it`, ...boundary.because] : [])];
      return { ...ask, decision, because };
    });
    const status = worstStatus(outcomes.map((o) => o.decision));
    if (status === 'pass') {
      checks.push(result(def, 'pass', `All ${asks.length} action/resource pairs MWAA needs are allowed.`));
      continue;
    }
    const open = outcomes.filter((o) => o.decision !== 'allowed');
    const lines = open.map((o) => `${o.action} on ${o.resource}: ${o.decision}${o.because.length > 0 ? ` (${o.because.join('; ')})` : ''}`);
    const byResource = new Map<string, string[]>();
    for (const o of open) byResource.set(o.resource, [...(byResource.get(o.resource) ?? []), o.action]);
    const fix = `Allow, without a Deny or condition in the way: ${[...byResource].map(([r, actions]) => `${actions.join(', ')} on ${r}`).join('; ')}.`;
    checks.push(result(def, status, lines.join('\n'), fix));
  }
  return checks;
}

async function roleChecks(iam: IAMClient, input: PreflightInput): Promise<PreflightCheck[]> {
  const dependents = (why: string): PreflightCheck[] => [notChecked(CHECKS.roleTrust, why), ...applicableGroups(input).map((g) => notChecked(groupDef(g), why))];
  const arn = parseRoleArn(input.executionRoleArn);
  if (!arn) return [result(CHECKS.roleExists, 'fail', `'${input.executionRoleArn}' is not an IAM role ARN.`, 'Pass the ARN of the execution role (arn:aws:iam::ACCOUNT:role/NAME).'), ...dependents('no role ARN')];
  let role: Role;
  try {
    role = (await call('IAM GetRole', () => iam.send(new GetRoleCommand({ RoleName: arn.name })))).Role!;
  } catch (e) {
    if (awsError(e).name === 'NoSuchEntityException' || awsError(e).name === 'NoSuchEntity') {
      return [
        result(
          CHECKS.roleExists,
          'fail',
          `No role named ${arn.name} exists in the account of these credentials (the ARN names account ${arn.account}).`,
          'Create the execution role (see the MWAA guide, "Amazon MWAA execution role").',
        ),
        ...dependents('the role does not exist'),
      ];
    }
    return [couldNot(CHECKS.roleExists, e), ...dependents('the role could not be read')];
  }
  // GetRole looks the name up in the credentials' account, under any path: only the same ARN
  // is the role MWAA will be given.
  if (role.Arn !== input.executionRoleArn) {
    return [
      result(CHECKS.roleExists, 'fail', `The role named ${arn.name} here is ${role.Arn}, not ${input.executionRoleArn}.`, `Pass ${role.Arn}, or run preflight with credentials of account ${arn.account}.`),
      ...dependents('the role found is another one'),
    ];
  }
  const exists = result(CHECKS.roleExists, 'pass', `Role ${role.Arn} exists.`);
  let trust: PreflightCheck;
  try {
    trust = trustCheck(role);
  } catch (e) {
    trust = couldNot(CHECKS.roleTrust, e);
  }
  try {
    return [exists, trust, ...permissionChecks(input, arn, await rolePolicies(iam, role))];
  } catch (e) {
    return [exists, trust, ...applicableGroups(input).map((g) => couldNot(groupDef(g), e))];
  }
}

// --- Network ---------------------------------------------------------------------------------

async function all<T, P>(name: string, pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  return call(name, async () => {
    const out: T[] = [];
    for await (const page of pages) out.push(...(items(page) ?? []));
    return out;
  });
}

type Egress = { kind: 'nat' | 'igw' | 'none' | 'other'; via?: string };

/** Where a route table sends 0.0.0.0/0. A blackhole route (its target deleted) leads nowhere. */
function egress(table: RouteTable | undefined): Egress {
  const route: Route | undefined = table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
  if (!route || route.State === 'blackhole') return { kind: 'none', via: route ? 'a blackhole route' : undefined };
  if (route.NatGatewayId) return { kind: 'nat', via: route.NatGatewayId };
  if (route.GatewayId?.startsWith('igw-')) return { kind: 'igw', via: route.GatewayId };
  const via = route.TransitGatewayId ?? route.NetworkInterfaceId ?? route.InstanceId ?? route.VpcPeeringConnectionId ?? route.GatewayId ?? route.CoreNetworkArn ?? 'another target';
  return { kind: 'other', via };
}

async function networkChecks(ec2: EC2Client, input: PreflightInput): Promise<PreflightCheck[]> {
  const later = [CHECKS.netZones, CHECKS.netPrivate, CHECKS.netEgress, CHECKS.netDns, CHECKS.netGroups, CHECKS.netSelf];
  const { subnetCount } = facts().network;
  const answered: Subnet[] = await all(
    'EC2 DescribeSubnets',
    paginateDescribeSubnets({ client: ec2 }, { Filters: [{ Name: 'subnet-id', Values: input.subnetIds }] }),
    (p) => p.Subnets,
  );
  // Only what answers for a subnet asked for, with its VPC, counts as found.
  const subnets = answered.filter((s) => s.SubnetId !== undefined && input.subnetIds.includes(s.SubnetId) && s.VpcId !== undefined);
  const missing = input.subnetIds.filter((id) => !subnets.some((s) => s.SubnetId === id));
  const vpcs = [...new Set(subnets.map((s) => s.VpcId!))];
  const described = subnets.map((s) => `${s.SubnetId} (${s.AvailabilityZone}, ${s.VpcId})`).join(', ');
  const problems = [
    ...(missing.length > 0 ? [`${and(missing)} ${missing.length === 1 ? 'does' : 'do'} not exist in ${input.region}`] : []),
    ...(input.subnetIds.length !== subnetCount ? [`MWAA takes exactly ${subnetCount} subnets, not ${input.subnetIds.length}`] : []),
    ...(vpcs.length > 1 ? [`the subnets are in ${vpcs.length} VPCs (${and(vpcs)})`] : []),
  ];
  if (subnets.length === 0 || vpcs.length !== 1) {
    return [
      result(CHECKS.netSubnets, 'fail', `${problems.join('; ')}.`, `Give ${subnetCount} private subnets of one VPC in ${input.region}.`),
      ...later.map((d) => notChecked(d, 'no single VPC to check')),
    ];
  }
  const vpc = vpcs[0]!;
  const subnetsCheck =
    problems.length > 0
      ? result(CHECKS.netSubnets, 'fail', `${problems.join('; ')}.`, `Give ${subnetCount} private subnets of one VPC in ${input.region}.`)
      : result(CHECKS.netSubnets, 'pass', `${described}.`);

  const zones = [...new Set(subnets.map((s) => s.AvailabilityZone!))];
  const zonesCheck =
    zones.length >= 2
      ? result(CHECKS.netZones, 'pass', `The subnets are in ${and(zones)}.`)
      : result(CHECKS.netZones, 'fail', `All subnets are in ${zones[0]}: MWAA needs two Availability Zones.`, `Use private subnets in two different Availability Zones of ${vpc}.`);

  const [routes, groups] = await Promise.all([
    routeChecks(ec2, input, vpc, subnets).catch((e: unknown) => [CHECKS.netPrivate, CHECKS.netEgress, CHECKS.netDns].map((d) => couldNot(d, e))),
    securityGroupChecks(ec2, input, vpc).catch((e: unknown) => [CHECKS.netGroups, CHECKS.netSelf].map((d) => couldNot(d, e))),
  ]);
  return [subnetsCheck, zonesCheck, ...routes, ...groups];
}

async function routeChecks(ec2: EC2Client, input: PreflightInput, vpc: string, subnets: Subnet[]): Promise<PreflightCheck[]> {
  const tables: RouteTable[] = await all(
    'EC2 DescribeRouteTables',
    paginateDescribeRouteTables({ client: ec2 }, { Filters: [{ Name: 'vpc-id', Values: [vpc] }] }),
    (p) => p.RouteTables,
  );
  // A subnet without an explicit association uses the VPC's main route table.
  const tableOf = (subnet: string) =>
    tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnet)) ?? tables.find((t) => t.Associations?.some((a) => a.Main));
  const paths = subnets.map((s) => ({ subnet: s.SubnetId!, table: tableOf(s.SubnetId!)?.RouteTableId, ...egress(tableOf(s.SubnetId!)) }));

  const publicOnes = paths.filter((p) => p.kind === 'igw');
  const privateCheck =
    publicOnes.length === 0
      ? result(CHECKS.netPrivate, 'pass', 'No subnet routes 0.0.0.0/0 to an internet gateway.')
      : result(
          CHECKS.netPrivate,
          'fail',
          publicOnes.map((p) => `${p.subnet} is public: its route table ${p.table} sends 0.0.0.0/0 to ${p.via}.`).join('\n'),
          'Use private subnets: route 0.0.0.0/0 to a NAT gateway in a public subnet, or nowhere (with VPC endpoints).',
        );

  // Subnets with neither a NAT route nor (being public) an internet route need the endpoints.
  const withoutNat = paths.filter((p) => p.kind === 'none' || p.kind === 'other');
  if (withoutNat.length === 0) {
    const via = paths.map((p) => `${p.subnet} via ${p.via}`).join(', ');
    return [
      privateCheck,
      result(CHECKS.netEgress, publicOnes.length === 0 ? 'pass' : 'warn', `0.0.0.0/0 leaves ${via}.`),
      result(CHECKS.netDns, 'pass', 'Not needed: every subnet has a route out.'),
    ];
  }
  const { endpoints, secretsEndpoint } = facts().network;
  const needed = [...endpoints, ...((input.secretsPrefixes ?? []).length > 0 ? [secretsEndpoint] : [])];
  const present: VpcEndpoint[] = (
    await all('EC2 DescribeVpcEndpoints', paginateDescribeVpcEndpoints({ client: ec2 }, { Filters: [{ Name: 'vpc-id', Values: [vpc] }] }), (p) => p.VpcEndpoints)
  ).filter((e) => !['deleting', 'deleted', 'failed', 'rejected', 'expired'].includes((e.State ?? '').toLowerCase()));
  const endpointProblems: string[] = [];
  for (const need of needed) {
    const name = `com.amazonaws.${input.region}.${need.service}`;
    const found = present.filter((e) => e.ServiceName === name && (e.VpcEndpointType ?? need.type) === need.type);
    if (found.length === 0) endpointProblems.push(`no ${need.type.toLowerCase()} endpoint ${name}`);
    else if (need.type === 'Interface' && !found.some((e) => e.PrivateDnsEnabled)) endpointProblems.push(`${name} has private DNS disabled`);
    else if (need.type === 'Gateway') {
      const unrouted = withoutNat.filter((p) => !found.some((e) => p.table && e.RouteTableIds?.includes(p.table)));
      for (const p of unrouted) endpointProblems.push(`${name} is not associated with ${p.table ?? 'the route table'} of ${p.subnet}`);
    }
  }
  const noRoute = withoutNat.map((p) => (p.kind === 'other' ? `${p.subnet} sends 0.0.0.0/0 to ${p.via}` : `${p.subnet} has no route to a NAT gateway${p.via ? ` (${p.via})` : ''}`));
  let egressCheck: PreflightCheck;
  if (endpointProblems.length === 0) {
    egressCheck = result(CHECKS.netEgress, 'pass', `${noRoute.join('; ')}; the VPC has all ${needed.length} endpoints MWAA needs without internet access.`);
  } else {
    // A route to a transit gateway or firewall may well reach the internet; it is not followed.
    const status = withoutNat.some((p) => p.kind === 'none') ? 'fail' : 'warn';
    egressCheck = result(
      CHECKS.netEgress,
      status,
      `${noRoute.join('; ')}${status === 'warn' ? ' (not followed further)' : ''}, and the VPC lacks endpoints MWAA then needs: ${endpointProblems.join('; ')}.`,
      'Route 0.0.0.0/0 from both subnets to a NAT gateway, or create the missing VPC endpoints (interface endpoints with private DNS, in both subnets, with the environment\'s security group).',
    );
  }
  const dnsCheck = await dnsChecks(ec2, vpc);
  return [privateCheck, egressCheck, dnsCheck];
}

/** Interface endpoints' private DNS names resolve only with both VPC DNS attributes on. */
async function dnsChecks(ec2: EC2Client, vpc: string): Promise<PreflightCheck> {
  const [support, hostnames] = await Promise.all(
    (['enableDnsSupport', 'enableDnsHostnames'] as const).map((Attribute) =>
      call('EC2 DescribeVpcAttribute', () => ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc, Attribute }))),
    ),
  );
  const off = [support?.EnableDnsSupport?.Value ? undefined : 'DNS support', hostnames?.EnableDnsHostnames?.Value ? undefined : 'DNS hostnames'].filter((x) => x !== undefined);
  return off.length === 0
    ? result(CHECKS.netDns, 'pass', `${vpc} has DNS support and DNS hostnames enabled.`)
    : result(CHECKS.netDns, 'fail', `${vpc} has ${and(off)} disabled: the endpoints' private DNS names will not resolve.`, `Enable ${and(off)} on ${vpc} (ModifyVpcAttribute).`);
}

async function securityGroupChecks(ec2: EC2Client, input: PreflightInput, vpc: string): Promise<PreflightCheck[]> {
  const groups: SecurityGroup[] = await all(
    'EC2 DescribeSecurityGroups',
    paginateDescribeSecurityGroups({ client: ec2 }, { Filters: [{ Name: 'group-id', Values: input.securityGroupIds }] }),
    (p) => p.SecurityGroups,
  );
  const missing = input.securityGroupIds.filter((id) => !groups.some((g) => g.GroupId === id));
  const elsewhere = groups.filter((g) => g.VpcId !== vpc);
  const problems = [
    ...(missing.length > 0 ? [`${and(missing)} ${missing.length === 1 ? 'does' : 'do'} not exist in ${input.region}`] : []),
    ...elsewhere.map((g) => `${g.GroupId} is in ${g.VpcId}, not ${vpc}`),
  ];
  const groupsCheck =
    problems.length === 0
      ? result(CHECKS.netGroups, 'pass', `${and(groups.map((g) => g.GroupId!))} ${groups.length === 1 ? 'is' : 'are'} in ${vpc}.`)
      : result(CHECKS.netGroups, 'fail', `${problems.join('; ')}.`, `Use security groups of ${vpc}.`);

  // Every ENI of the environment carries all its groups, so a rule whose source is any of them
  // lets the environment's parts talk to each other, as a self-referencing one does.
  const ours = new Set(input.securityGroupIds);
  const usable = groups.filter((g) => g.VpcId === vpc);
  const rules = usable.flatMap((g) =>
    (g.IpPermissions ?? []).filter((p) => p.UserIdGroupPairs?.some((u) => u.GroupId && ours.has(u.GroupId))).map((p) => ({ group: g.GroupId!, rule: p })),
  );
  const allTraffic = rules.find((r) => r.rule.IpProtocol === '-1');
  const fix = `Add to ${input.securityGroupIds[0] ?? 'the security group'} an inbound rule: all traffic, source the group itself.`;
  const selfCheck = allTraffic
    ? result(CHECKS.netSelf, 'pass', `${allTraffic.group} allows all inbound traffic from ${allTraffic.rule.UserIdGroupPairs!.find((u) => ours.has(u.GroupId!))!.GroupId}.`)
    : rules.length > 0
      ? result(
          CHECKS.netSelf,
          'fail',
          `Only narrower self-referencing rules: ${rules.map((r) => `${r.group} ${r.rule.IpProtocol} ${r.rule.FromPort ?? ''}-${r.rule.ToPort ?? ''}`).join(', ')}; MWAA needs all traffic.`,
          fix,
        )
      : result(CHECKS.netSelf, 'fail', `No inbound rule of ${and(usable.map((g) => g.GroupId!)) || 'the groups'} has the environment's own security group as its source.`, fix);
  return [groupsCheck, selfCheck];
}

// --- Request ---------------------------------------------------------------------------------

function requestChecks(input: PreflightInput): PreflightCheck[] {
  const errors = validateRequest('CreateEnvironment', input.environment);
  if (errors.length === 0) return [result(CHECKS.request, 'pass', 'The CreateEnvironment input satisfies every constraint of the MWAA API model.')];
  return errors.map((e) => result(CHECKS.request, 'fail', e, 'Correct the value in the migration settings; MWAA would reject the request with a ValidationException.'));
}

// --- Entry points ----------------------------------------------------------------------------

/**
 * Every preflight check, in a fixed order (bucket, role, network, request; within an area as
 * listed in the README). Read-only; never throws for what AWS answers.
 */
export async function preflight(clients: PreflightClients, input: PreflightInput): Promise<PreflightCheck[]> {
  const bucketDefs = [CHECKS.bucketName, CHECKS.bucketExists, CHECKS.bucketRegion, CHECKS.bucketVersioning, CHECKS.bucketPublic];
  const networkDefs = [CHECKS.netSubnets, CHECKS.netZones, CHECKS.netPrivate, CHECKS.netEgress, CHECKS.netDns, CHECKS.netGroups, CHECKS.netSelf];
  const [bucket, role, network] = await Promise.all([
    guarded(bucketDefs, () => bucketChecks(clients.s3, input)),
    guarded([CHECKS.roleExists, CHECKS.roleTrust, ...applicableGroups(input).map(groupDef)], () => roleChecks(clients.iam, input)),
    guarded(networkDefs, () => networkChecks(clients.ec2, input)),
  ]);
  return [...bucket, ...role, ...network, ...requestChecks(input)];
}
