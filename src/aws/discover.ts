import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client, type Tag } from '@aws-sdk/client-ec2';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { HeadBucketCommand, ListBucketsCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { parse } from 'ini';
import { endpointFor, listProfiles, REQUEST_HANDLER, type AwsAccess } from './access.js';
import { callerIdentity, profileCredentials, type CallerIdentity } from './identity.js';
import { s3Client } from './s3-state.js';
import { compareNames } from '../collate.js';

// What the walkthrough offers to choose from in an AWS account: profiles with their regions,
// then (with working credentials) buckets, execution roles, VPCs, subnets and security
// groups. Read-only calls; each list fails on its own, so a missing permission costs one list.

export interface AwsProfile {
  name: string;
  /** The profile's region in the config file, if it sets one. */
  region?: string;
}

/** The profiles of the shared files, each with the region its config section sets. */
export function listProfilesWithRegions(env: AwsAccess['env']): AwsProfile[] {
  let config: Record<string, Record<string, unknown>> = {};
  try {
    config = parse(readFileSync(env['AWS_CONFIG_FILE'] ?? join(env['HOME'] ?? homedir(), '.aws', 'config'), 'utf8')) as typeof config;
  } catch {
    // No config file: no regions to add.
  }
  return listProfiles(env).map((name) => {
    const region = config[name === 'default' ? name : `profile ${name}`]?.['region'];
    return typeof region === 'string' ? { name, region } : { name };
  });
}

/** Where to look: the account (credentials, endpoints) and the region. */
export interface AwsTarget {
  access: AwsAccess;
  region: string;
}

export interface Role {
  name: string;
  arn: string;
  /** The trust policy lets MWAA (airflow.amazonaws.com, airflow-env.amazonaws.com) assume it. */
  trustsMwaa: boolean;
}

export interface Vpc {
  id: string;
  name?: string;
  cidr: string;
  isDefault: boolean;
}

export interface Subnet {
  id: string;
  vpcId: string;
  zone: string;
  cidr: string;
  name?: string;
  /** Gives instances public addresses: MWAA wants private subnets. */
  public: boolean;
}

export interface SecurityGroup {
  id: string;
  vpcId: string;
  name: string;
}

/** A list read from the account, or why it could not be. */
export type Listed<T> = { ok: true; items: T[] } | { ok: false; error: string };

export interface Discovery {
  identity: { ok: true; value: CallerIdentity } | { ok: false; error: string };
  buckets: Listed<string>;
  roles: Listed<Role>;
  vpcs: Listed<Vpc>;
  subnets: Listed<Subnet>;
  securityGroups: Listed<SecurityGroup>;
}

const oneLine = (e: unknown) => `${(e as Error)?.name ?? 'Error'}: ${String((e as Error)?.message ?? e).split('\n')[0]}`;
const nameTag = (tags: Tag[] | undefined) => tags?.find((t) => t.Key === 'Name')?.Value;

async function listed<T>(read: () => Promise<T[]>): Promise<Listed<T>> {
  try {
    return { ok: true, items: await read() };
  } catch (e) {
    return { ok: false, error: oneLine(e) };
  }
}

/** Follows NextToken/Marker pages up to a bound, so a huge account cannot stall the screen. */
async function pages<T>(first: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>, maxPages = 20): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const { items, next } = await first(token);
    all.push(...items);
    if (!next) break;
    token = next;
  }
  return all;
}

const MWAA_PRINCIPALS = /airflow(-env)?\.amazonaws\.com/;

/** Everything the AWS step lists, read in parallel. Needs working credentials; every failure is reported, none thrown. */
export async function discover(t: AwsTarget): Promise<Discovery> {
  const { access, region } = t;
  const credentials = profileCredentials(access.profile);
  const s3 = s3Client({ region, endpoint: endpointFor(access, 'S3'), credentials });
  const iam = new IAMClient({ region, credentials, endpoint: endpointFor(access, 'IAM'), requestHandler: REQUEST_HANDLER });
  const ec2 = new EC2Client({ region, credentials, endpoint: endpointFor(access, 'EC2'), requestHandler: REQUEST_HANDLER });
  try {
    const [identity, buckets, roles, vpcs, subnets, securityGroups] = await Promise.all([
      callerIdentity({ region, endpoint: endpointFor(access, 'STS'), profile: access.profile }).then(
        (value) => ({ ok: true as const, value }),
        (e: unknown) => ({ ok: false as const, error: oneLine(e) }),
      ),
      listed(async () => ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).flatMap((b) => (b.Name ? [b.Name] : [])).sort()),
      listed(() =>
        pages(async (Marker) => {
          const r = await iam.send(new ListRolesCommand({ Marker }));
          const items = (r.Roles ?? []).map((role) => ({
            name: role.RoleName ?? '',
            arn: role.Arn ?? '',
            trustsMwaa: MWAA_PRINCIPALS.test(decodeURIComponent(role.AssumeRolePolicyDocument ?? '')),
          }));
          return { items, next: r.IsTruncated ? r.Marker : undefined };
        }).then((all) => all.sort((a, b) => Number(b.trustsMwaa) - Number(a.trustsMwaa) || compareNames(a.name, b.name))),
      ),
      listed(() =>
        pages(async (NextToken) => {
          const r = await ec2.send(new DescribeVpcsCommand({ NextToken }));
          const items = (r.Vpcs ?? []).map((v) => ({ id: v.VpcId ?? '', cidr: v.CidrBlock ?? '', isDefault: Boolean(v.IsDefault), ...(nameTag(v.Tags) ? { name: nameTag(v.Tags) } : {}) }));
          return { items, next: r.NextToken };
        }),
      ),
      listed(() =>
        pages(async (NextToken) => {
          const r = await ec2.send(new DescribeSubnetsCommand({ NextToken }));
          const items = (r.Subnets ?? []).map((s) => ({
            id: s.SubnetId ?? '',
            vpcId: s.VpcId ?? '',
            zone: s.AvailabilityZone ?? '',
            cidr: s.CidrBlock ?? '',
            public: Boolean(s.MapPublicIpOnLaunch),
            ...(nameTag(s.Tags) ? { name: nameTag(s.Tags) } : {}),
          }));
          return { items, next: r.NextToken };
        }).then((all) => all.sort((a, b) => Number(a.public) - Number(b.public) || compareNames(a.zone, b.zone) || compareNames(a.id, b.id))),
      ),
      listed(() =>
        pages(async (NextToken) => {
          const r = await ec2.send(new DescribeSecurityGroupsCommand({ NextToken }));
          const items = (r.SecurityGroups ?? []).map((g) => ({ id: g.GroupId ?? '', vpcId: g.VpcId ?? '', name: g.GroupName ?? '' }));
          return { items, next: r.NextToken };
        }),
      ),
    ]);
    return { identity, buckets, roles, vpcs, subnets, securityGroups };
  } finally {
    s3.destroy();
    iam.destroy();
    ec2.destroy();
  }
}

export type BucketStatus = 'yours' | 'taken' | 'free' | 'unknown';

/** Whether a bucket exists and these credentials own it (HeadBucket: 200 yours, 403 someone else's, 404 free). */
export async function bucketStatus(t: AwsTarget, bucket: string): Promise<BucketStatus> {
  const s3 = s3Client({ region: t.region, endpoint: endpointFor(t.access, 'S3'), credentials: profileCredentials(t.access.profile) });
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return 'yours';
  } catch (e) {
    const status = e instanceof S3ServiceException ? e.$metadata.httpStatusCode : undefined;
    return status === 404 ? 'free' : status === 403 ? 'taken' : 'unknown';
  } finally {
    s3.destroy();
  }
}
