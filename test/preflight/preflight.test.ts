import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutBucketVersioningCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflight, type PreflightCheck, type PreflightInput } from '../../src/aws/preflight.js';
import { renderPreflightText } from '../../src/aws/preflight-text.js';
import type { CreateEnvironmentInput } from '../../src/plan/plan.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requires } from '../support/requires.js';

// Preflight against moto_server: one good setup that passes every check, and next to it (in the
// same emulated account) one broken variant per failure MWAA would otherwise report late.

const REGION = 'us-east-1';
const ACCOUNT = '123456789012'; // moto's account
const ENV = 'analytics';
const BUCKET = 'airflow-preflight-good';

let moto: Moto;
let s3: S3Client;
let iam: IAMClient;
let ec2: EC2Client;

const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const trust = (...services: string[]) => policy({ Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole' });
const MWAA_TRUST = trust('airflow.amazonaws.com', 'airflow-env.amazonaws.com');

// The MWAA guide's minimum policy: S3 in a managed policy (wildcard bucket names), the rest inline.
const S3_READ = policy(
  { Effect: 'Deny', Action: 's3:ListAllMyBuckets', Resource: ['arn:aws:s3:::airflow-preflight-*', 'arn:aws:s3:::airflow-preflight-*/*'] },
  { Effect: 'Allow', Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'], Resource: ['arn:aws:s3:::airflow-preflight-*', 'arn:aws:s3:::airflow-preflight-*/*'] },
  { Effect: 'Allow', Action: 's3:GetAccountPublicAccessBlock', Resource: '*' },
);
const REST = [
  { Effect: 'Allow', Action: 'airflow:PublishMetrics', Resource: `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/${ENV}` },
  {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:GetLogRecord', 'logs:GetLogGroupFields', 'logs:GetQueryResults'],
    Resource: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:airflow-${ENV}-*`],
  },
  { Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
  { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' },
  {
    Effect: 'Allow',
    Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'],
    Resource: `arn:aws:sqs:${REGION}:*:airflow-celery-*`,
  },
];

let s3ReadArn: string;

async function role(name: string, { trustPolicy = MWAA_TRUST, inline = [policy(...REST)], attached = [s3ReadArn] }: { trustPolicy?: string; inline?: string[]; attached?: string[] } = {}) {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy, Path: '/service-role/' }));
  for (const [i, doc] of inline.entries()) await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: `inline-${i}`, PolicyDocument: doc }));
  for (const arn of attached) await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
  return `arn:aws:iam::${ACCOUNT}:role/service-role/${name}`;
}

async function managedPolicy(name: string, doc: string): Promise<string> {
  return (await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc }))).Policy!.Arn!;
}

async function bucket(name: string, { region = REGION, versioned = true, blocked = true } = {}) {
  const client = region === REGION ? s3 : new S3Client({ endpoint: moto.endpoint, region, forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: name, ...(region === REGION ? {} : { CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-1' } }) }));
  if (versioned) await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
  const on = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
  if (blocked) await s3.send(new PutPublicAccessBlockCommand({ Bucket: name, PublicAccessBlockConfiguration: on }));
}

interface Network {
  vpc: string;
  /** Private subnets routed to a NAT gateway, in us-east-1a and us-east-1b. */
  natSubnets: [string, string];
  /** A subnet of the VPC routed to the internet gateway. */
  publicSubnet: string;
  /** Private subnets without a route out (the main route table), in two AZs. */
  isolatedSubnets: [string, string];
  /** The same in one AZ. */
  sameZoneSubnets: [string, string];
  isolatedTable: string;
  selfGroup: string;
  plainGroup: string;
}

async function network(cidr: string, { endpoints = [] as string[], dns = true } = {}): Promise<Network> {
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: `${cidr}.0.0/16` }))).Vpc!.VpcId!;
  if (dns) {
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsSupport: { Value: true } }));
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  }
  const subnet = async (n: number, az: string) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `${cidr}.${n}.0/24`, AvailabilityZone: az }))).Subnet!.SubnetId!;
  const table = async (...subnets: string[]) => {
    const id = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!.RouteTableId!;
    for (const s of subnets) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: s }));
    return id;
  };
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  const publicSubnet = await subnet(0, 'us-east-1a');
  await ec2.send(new CreateRouteCommand({ RouteTableId: await table(publicSubnet), DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
  const eip = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
  const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnet, AllocationId: eip }))).NatGateway!.NatGatewayId!;
  const natSubnets: [string, string] = [await subnet(1, 'us-east-1a'), await subnet(2, 'us-east-1b')];
  await ec2.send(new CreateRouteCommand({ RouteTableId: await table(...natSubnets), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }));
  // Isolated subnets keep the main route table (local route only): the implicit association.
  const isolatedSubnets: [string, string] = [await subnet(3, 'us-east-1a'), await subnet(4, 'us-east-1b')];
  const sameZoneSubnets: [string, string] = [await subnet(5, 'us-east-1a'), await subnet(6, 'us-east-1a')];
  const isolatedTable = await table();
  const selfGroup = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: `mwaa-${cidr}`, Description: 'mwaa' }))).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({ GroupId: selfGroup, IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: selfGroup }] }] }),
  );
  const plainGroup = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: `plain-${cidr}`, Description: 'no self rule' }))).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({ GroupId: plainGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] }),
  );
  for (const service of endpoints) {
    const gateway = service === 's3';
    await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpc,
        ServiceName: `com.amazonaws.${REGION}.${service}`,
        VpcEndpointType: gateway ? 'Gateway' : 'Interface',
        ...(gateway ? { RouteTableIds: [isolatedTable] } : { SubnetIds: isolatedSubnets, SecurityGroupIds: [selfGroup], PrivateDnsEnabled: true }),
      }),
    );
  }
  // The endpoint-using subnets get the table the S3 gateway endpoint is associated with.
  for (const s of isolatedSubnets) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: isolatedTable, SubnetId: s }));
  return { vpc, natSubnets, publicSubnet, isolatedSubnets, sameZoneSubnets, isolatedTable, selfGroup, plainGroup };
}

const ALL_ENDPOINTS = ['s3', 'monitoring', 'ecr.dkr', 'ecr.api', 'logs', 'sqs', 'kms', 'airflow.api', 'airflow.env', 'airflow.ops'];

let net: Network;
let endpointNet: Network;
let goodRole: string;

function environment(input: Pick<PreflightInput, 'bucket' | 'executionRoleArn' | 'subnetIds' | 'securityGroupIds'>): CreateEnvironmentInput {
  const log = { Enabled: true, LogLevel: 'INFO' as const };
  return {
    Name: ENV,
    SourceBucketArn: `arn:aws:s3:::${input.bucket}`,
    DagS3Path: 'dags',
    ExecutionRoleArn: input.executionRoleArn,
    NetworkConfiguration: { SubnetIds: input.subnetIds, SecurityGroupIds: input.securityGroupIds },
    AirflowVersion: '2.10.3',
    EnvironmentClass: 'mw1.small',
    MinWorkers: 1,
    MaxWorkers: 5,
    Schedulers: 2,
    MinWebservers: 2,
    MaxWebservers: 2,
    AirflowConfigurationOptions: { 'core.default_timezone': 'utc' },
    LoggingConfiguration: { DagProcessingLogs: log, SchedulerLogs: log, WebserverLogs: log, WorkerLogs: log, TaskLogs: log },
    Tags: { team: 'data' },
    WebserverAccessMode: 'PRIVATE_ONLY',
  };
}

/** The good input with some fields changed; the environment follows unless given. */
function input(change: Partial<PreflightInput> & { options?: Record<string, string> } = {}): PreflightInput {
  const base = { region: REGION, bucket: BUCKET, executionRoleArn: goodRole, subnetIds: net.natSubnets, securityGroupIds: [net.selfGroup], ...change };
  const env = { ...environment(base), ...(change.options ? { AirflowConfigurationOptions: change.options } : {}), ...change.environment };
  const { options: _, ...rest } = { ...base, environment: env };
  return rest;
}

const run = (i: PreflightInput, clients = { s3, iam, ec2 }) => preflight(clients, i);

function only(checks: PreflightCheck[], id: string): PreflightCheck {
  const found = checks.filter((c) => c.id === id);
  expect(found, id).toHaveLength(1);
  return found[0]!;
}

const ready = requires(import.meta.url, 'moto_server');
beforeAll(async () => {
  moto = await startMoto();
  const config = { endpoint: moto.endpoint, region: REGION };
  s3 = new S3Client({ ...config, forcePathStyle: true });
  iam = new IAMClient(config);
  ec2 = new EC2Client(config);
  s3ReadArn = await managedPolicy('mwaa-s3-read', S3_READ);
  goodRole = await role('mwaa-exec');
  await bucket(BUCKET);
  net = await network('10.1');
  endpointNet = await network('10.2', { endpoints: ALL_ENDPOINTS });
});

afterAll(async () => {
  for (const c of [s3, iam, ec2]) c?.destroy();
  await moto?.stop();
});

describe.skipIf(!ready)('preflight against moto', () => {
  it('passes every check of a good setup, in a fixed order', async () => {
    const checks = await run(input());
    expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(checks.map((c) => c.id)).toEqual([
      'PRE-BUCKET-NAME',
      'PRE-BUCKET-EXISTS',
      'PRE-BUCKET-REGION',
      'PRE-BUCKET-VERSIONING',
      'PRE-BUCKET-PUBLIC-ACCESS',
      'PRE-ROLE-EXISTS',
      'PRE-ROLE-TRUST',
      'PRE-ROLE-S3',
      'PRE-ROLE-LOGS',
      'PRE-ROLE-METRICS',
      'PRE-ROLE-SQS',
      'PRE-NET-SUBNETS',
      'PRE-NET-AZ',
      'PRE-NET-PRIVATE',
      'PRE-NET-EGRESS',
      'PRE-NET-DNS',
      'PRE-NET-SG',
      'PRE-NET-SG-SELF',
      'PRE-REQUEST',
    ]);
    expect(only(checks, 'PRE-NET-EGRESS').detail).toMatch(/via nat-/);
    expect(JSON.parse(JSON.stringify(checks))).toEqual(checks); // plain data, for the plan
  });

  it('passes a private network that uses VPC endpoints instead of a NAT gateway', async () => {
    const checks = await run(input({ subnetIds: endpointNet.isolatedSubnets, securityGroupIds: [endpointNet.selfGroup] }));
    expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(only(checks, 'PRE-NET-EGRESS').detail).toMatch(/all 10 endpoints/);
  });

  describe('bucket', () => {
    it('fails a bucket in another Region', async () => {
      await bucket('airflow-preflight-eu', { region: 'eu-west-1' });
      const c = only(await run(input({ bucket: 'airflow-preflight-eu' })), 'PRE-BUCKET-REGION');
      expect(c).toMatchObject({ status: 'fail', area: 'bucket' });
      expect(c.detail).toMatch(/is in eu-west-1, the environment in us-east-1/);
    });

    it('reports missing versioning and public access block as to be enabled, not as failures', async () => {
      await bucket('airflow-preflight-bare', { versioned: false, blocked: false });
      const checks = await run(input({ bucket: 'airflow-preflight-bare' }));
      expect(only(checks, 'PRE-BUCKET-VERSIONING')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/not enabled: apply will enable it/) });
      expect(only(checks, 'PRE-BUCKET-PUBLIC-ACCESS')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/apply will block all public access/) });
    });

    it('passes a bucket apply will create, and names bad and old-style names', async () => {
      const fresh = await run(input({ bucket: 'airflow-preflight-new' }));
      expect(only(fresh, 'PRE-BUCKET-EXISTS')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/apply will create it/) });
      expect(only(fresh, 'PRE-BUCKET-REGION').status).toBe('pass');
      expect(only(await run(input({ bucket: 'data-preflight-new' })), 'PRE-BUCKET-NAME')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/airflow-/) });
      expect(only(await run(input({ bucket: 'Airflow_Bucket' })), 'PRE-BUCKET-NAME')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/lower-case/) });
    });
  });

  describe('execution role', () => {
    it('fails a role that does not exist, and checks nothing that depends on it', async () => {
      const checks = await run(input({ executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/nobody` }));
      expect(only(checks, 'PRE-ROLE-EXISTS')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^No role named nobody exists/) });
      expect(checks.filter((c) => c.area === 'role' && c.id !== 'PRE-ROLE-EXISTS').map((c) => c.status)).toEqual(Array(5).fill('unknown'));
      const unpathed = only(await run(input({ executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/mwaa-exec` })), 'PRE-ROLE-EXISTS');
      expect(unpathed).toMatchObject({ status: 'fail', detail: expect.stringMatching(/here is arn:aws:iam::123456789012:role\/service-role\/mwaa-exec, not/) });
    });

    it('fails a trust policy without airflow-env.amazonaws.com', async () => {
      const arn = await role('half-trusted', { trustPolicy: trust('airflow.amazonaws.com') });
      const c = only(await run(input({ executionRoleArn: arn })), 'PRE-ROLE-TRUST');
      expect(c.status).toBe('fail');
      expect(c.detail).toMatch(/does not let airflow-env\.amazonaws\.com sts:AssumeRole/);
      expect(c.fix).toContain('airflow-env.amazonaws.com');
    });

    it('fails a role without S3 read, naming the missing actions', async () => {
      const arn = await role('no-s3', { attached: [] });
      const checks = await run(input({ executionRoleArn: arn }));
      const c = only(checks, 'PRE-ROLE-S3');
      expect(c.status).toBe('fail');
      expect(c.detail).toContain(`s3:GetObject on arn:aws:s3:::${BUCKET}/*: not-allowed`);
      expect(c.fix).toContain(`s3:GetBucketLocation, s3:GetBucketPublicAccessBlock, s3:ListBucket on arn:aws:s3:::${BUCKET}`);
      expect(only(checks, 'PRE-ROLE-LOGS').status).toBe('pass');
    });

    it('fails on an explicit Deny in an attached policy', async () => {
      const deny = await managedPolicy('deny-dags', policy({ Sid: 'NoDags', Effect: 'Deny', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/dags/*` }));
      const arn = await role('denied', { attached: [s3ReadArn, deny] });
      const c = only(await run(input({ executionRoleArn: arn })), 'PRE-ROLE-S3');
      expect(c.status).toBe('fail');
      expect(c.detail).toMatch(/s3:GetObject on .*: denied \(explicitly denied by policy arn:aws:iam::123456789012:policy\/deny-dags, statement 'NoDags'\)/);
      expect(c.detail).not.toMatch(/GetObjectVersion/);
    });

    it('checks a customer KMS key (the guide grants it under a condition) and the secrets prefixes', async () => {
      const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f0e0d0c-0b0a-0908-0706-050403020100`;
      const kms = {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Encrypt'],
        Resource: key,
        Condition: { StringLike: { 'kms:ViaService': [`sqs.${REGION}.amazonaws.com`, `s3.${REGION}.amazonaws.com`] } },
      };
      const secrets = { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:airflow/connections/*` };
      const arn = await role('with-key', { inline: [policy(...REST, kms, secrets)] });
      const checks = await run(input({ executionRoleArn: arn, environment: { ...environment(input()), ExecutionRoleArn: arn, KmsKey: key }, secretsPrefixes: ['airflow/connections', 'airflow/variables/'] }));
      expect(only(checks, 'PRE-ROLE-KMS')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/condition on kms:ViaService/) });
      const s = only(checks, 'PRE-ROLE-SECRETS');
      expect(s.status).toBe('fail');
      expect(s.detail).toBe(`secretsmanager:GetSecretValue on arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:airflow/variables/*: not-allowed`);
    });

    it('evaluates a permissions boundary as well', async () => {
      const boundary = await managedPolicy('boundary-no-sqs', policy({ Effect: 'Allow', NotAction: 'sqs:*', Resource: '*' }, { Effect: 'Allow', Action: 's3:*', Resource: '*' }));
      const arn = await role('bounded');
      await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: boundary }));
      const checks = await run(input({ executionRoleArn: arn }));
      expect(only(checks, 'PRE-ROLE-S3').status).toBe('pass');
      // NotAction is not evaluated: the boundary may or may not allow the queue.
      expect(only(checks, 'PRE-ROLE-SQS')).toMatchObject({ status: 'unknown', detail: expect.stringMatching(/permissions boundary .*NotAction \(not evaluated\)/) });
    });

    it('reports AccessDenied from IAM as could not check, not as a crash', async () => {
      const user = async (name: string, denied: string) => {
        await iam.send(new CreateUserCommand({ UserName: name }));
        await iam.send(
          new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: denied, Resource: '*' }) }),
        );
        const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
        return new IAMClient({ endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
      };
      const noGetRole = await user('auditor-1', 'iam:GetRole');
      const noPolicies = await user('auditor-2', 'iam:ListRolePolicies');
      // moto checks requests against IAM only from here on (its /moto-api/reset-auth switch).
      const auth = (count: string) => fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: count });
      await auth('0');
      try {
        const a = await run(input(), { s3, iam: noGetRole, ec2 });
        expect(only(a, 'PRE-ROLE-EXISTS')).toMatchObject({ status: 'unknown', detail: expect.stringMatching(/^could not check: IAM GetRole failed: AccessDenied/) });
        expect(only(a, 'PRE-ROLE-TRUST').status).toBe('unknown');
        const b = await run(input(), { s3, iam: noPolicies, ec2 });
        expect(only(b, 'PRE-ROLE-EXISTS').status).toBe('pass');
        expect(only(b, 'PRE-ROLE-TRUST').status).toBe('pass');
        expect(only(b, 'PRE-ROLE-S3')).toMatchObject({ status: 'unknown', detail: expect.stringMatching(/IAM ListRolePolicies failed: AccessDenied/) });
      } finally {
        await auth('inf');
        noGetRole.destroy();
        noPolicies.destroy();
      }
    });
  });

  describe('network', () => {
    it('fails subnets in one Availability Zone', async () => {
      const c = only(await run(input({ subnetIds: net.sameZoneSubnets })), 'PRE-NET-AZ');
      expect(c).toMatchObject({ status: 'fail', detail: 'All subnets are in us-east-1a: MWAA needs two Availability Zones.' });
    });

    it('fails a public subnet (0.0.0.0/0 to an internet gateway)', async () => {
      const checks = await run(input({ subnetIds: [net.publicSubnet, net.natSubnets[1]] }));
      expect(only(checks, 'PRE-NET-PRIVATE')).toMatchObject({ status: 'fail', detail: expect.stringMatching(new RegExp(`${net.publicSubnet} is public: .* to igw-`)) });
    });

    it('fails subnets with neither a NAT route nor endpoints, naming the missing endpoints', async () => {
      const c = only(await run(input({ subnetIds: net.isolatedSubnets, secretsPrefixes: ['airflow/connections'] })), 'PRE-NET-EGRESS');
      expect(c.status).toBe('fail');
      for (const s of [...ALL_ENDPOINTS, 'secretsmanager']) expect(c.detail).toContain(`com.amazonaws.${REGION}.${s}`);
    });

    it('fails endpoints instead of NAT when one is missing (or Secrets Manager is needed)', async () => {
      const partial = await network('10.3', { endpoints: ALL_ENDPOINTS.filter((e) => e !== 'airflow.ops') });
      const checks = await run(input({ subnetIds: partial.isolatedSubnets, securityGroupIds: [partial.selfGroup] }));
      const c = only(checks, 'PRE-NET-EGRESS');
      expect(c.status).toBe('fail');
      expect(c.detail).toMatch(/lacks endpoints MWAA then needs: no interface endpoint com\.amazonaws\.us-east-1\.airflow\.ops\.$/);
      const withSecrets = only(await run(input({ subnetIds: endpointNet.isolatedSubnets, securityGroupIds: [endpointNet.selfGroup], secretsPrefixes: ['airflow/x'] })), 'PRE-NET-EGRESS');
      expect(withSecrets).toMatchObject({ status: 'fail', detail: expect.stringMatching(/no interface endpoint com\.amazonaws\.us-east-1\.secretsmanager/) });
    });

    it('fails endpoints in a VPC without DNS hostnames', async () => {
      const noDns = await network('10.4', { endpoints: ALL_ENDPOINTS, dns: false });
      const checks = await run(input({ subnetIds: noDns.isolatedSubnets, securityGroupIds: [noDns.selfGroup] }));
      expect(only(checks, 'PRE-NET-EGRESS').status).toBe('pass');
      expect(only(checks, 'PRE-NET-DNS')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/DNS hostnames disabled/) });
    });

    it('fails a security group without a self-referencing rule', async () => {
      const c = only(await run(input({ securityGroupIds: [net.plainGroup] })), 'PRE-NET-SG-SELF');
      expect(c).toMatchObject({ status: 'fail', fix: expect.stringContaining(net.plainGroup) });
      // Another of the environment's groups as the source serves as well.
      expect(only(await run(input({ securityGroupIds: [net.plainGroup, net.selfGroup] })), 'PRE-NET-SG-SELF').status).toBe('pass');
    });

    it('fails a security group of another VPC, and missing subnets or groups', async () => {
      const checks = await run(input({ securityGroupIds: [net.selfGroup, endpointNet.selfGroup] }));
      expect(only(checks, 'PRE-NET-SG')).toMatchObject({ status: 'fail', detail: `${endpointNet.selfGroup} is in ${endpointNet.vpc}, not ${net.vpc}.` });
      const missing = await run(input({ subnetIds: [net.natSubnets[0], 'subnet-0000dead'], securityGroupIds: ['sg-0000dead'] }));
      expect(only(missing, 'PRE-NET-SUBNETS')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/subnet-0000dead does not exist/) });
      expect(only(missing, 'PRE-NET-SG')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/sg-0000dead does not exist/) });
    });
  });

  describe('request', () => {
    it('fails each violation of the API model, naming a bad option key', async () => {
      const checks = await run(input({ options: { 'CORE.PARALLELISM': '8', 'core.dag_concurrency': '\n' } }));
      const request = checks.filter((c) => c.id === 'PRE-REQUEST');
      expect(request.map((c) => c.status)).toEqual(['fail', 'fail']);
      expect(request[0]!.detail).toMatch(/^Value 'CORE\.PARALLELISM' at 'CreateEnvironmentInput\.AirflowConfigurationOptions\.key' .*pattern/);
      expect(request[1]!.detail).toMatch(/^Value at 'CreateEnvironmentInput\.AirflowConfigurationOptions\.core\.dag_concurrency' .*pattern/);
    });
  });

  it('renders plain text: a line per check, detail and fix indented', async () => {
    const text = renderPreflightText(await run(input({ securityGroupIds: [net.plainGroup] })));
    expect(text).not.toMatch(/\u001b/);
    expect(text).toMatch(/^\[ok\] {3}PRE-BUCKET-NAME {2}Bucket name$/m);
    expect(text).toMatch(/^\[FAIL\] PRE-NET-SG-SELF {2}Security group .*\n {8}No inbound rule.*\n {8}fix: Add to sg-/m);
    expect(text).toMatch(/Preflight: 1 failing, 0 to review, 0 not checked, 18 ok\.\n$/);
  });
});
