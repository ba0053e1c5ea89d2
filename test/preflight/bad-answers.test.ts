import { EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { expect, it } from 'vitest';
import { preflight, type PreflightInput } from '../../src/aws/preflight.js';

// Answers no emulator gives on purpose: garbled policy documents, errors that are not AWS's,
// odd shapes. Preflight reports them as 'could not check' and never throws.

type Send = (command: object) => Promise<unknown>;
const stub = <C extends { send: unknown }>(client: C, send: Send): C => Object.assign(client, { send });

const input: PreflightInput = {
  region: 'us-east-1',
  bucket: 'airflow-x',
  executionRoleArn: 'arn:aws:iam::123456789012:role/mwaa',
  subnetIds: ['subnet-1', 'subnet-2'],
  securityGroupIds: ['sg-1'],
  secretsPrefixes: ['airflow/connections'],
  environment: {
    Name: 'env',
    SourceBucketArn: 'arn:aws:s3:::airflow-x',
    DagS3Path: 'dags',
    ExecutionRoleArn: 'arn:aws:iam::123456789012:role/mwaa',
    NetworkConfiguration: { SubnetIds: ['subnet-1', 'subnet-2'], SecurityGroupIds: ['sg-1'] },
    AirflowVersion: '2.10.3',
    EnvironmentClass: 'mw1.small',
    MinWorkers: 1,
    MaxWorkers: 2,
    Schedulers: 2,
    MinWebservers: 2,
    MaxWebservers: 2,
    LoggingConfiguration: Object.fromEntries(['DagProcessingLogs', 'SchedulerLogs', 'WebserverLogs', 'WorkerLogs', 'TaskLogs'].map((m) => [m, { Enabled: false, LogLevel: 'INFO' }])) as PreflightInput['environment']['LoggingConfiguration'],
    Tags: { team: 'data' },
    WebserverAccessMode: 'PRIVATE_ONLY',
  },
};

it('turns garbled answers and failed calls into unknown checks', async () => {
  const s3 = stub(new S3Client({ region: 'us-east-1' }), () => Promise.reject(new TypeError('socket hang up')));
  const iam = stub(new IAMClient({ region: 'us-east-1' }), async (command) => {
    if (command instanceof GetRoleCommand) return { Role: { RoleName: 'mwaa', Arn: input.executionRoleArn, AssumeRolePolicyDocument: '%7Bgarbled' } };
    if (command instanceof ListRolePoliciesCommand) return { PolicyNames: ['p'] };
    if (command instanceof GetRolePolicyCommand) return { PolicyDocument: '"a string"' };
    return {};
  });
  const ec2 = stub(new EC2Client({ region: 'us-east-1' }), () =>
    Promise.reject(Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } })),
  );
  const checks = await preflight({ s3, iam, ec2 }, input);
  const status = Object.fromEntries(checks.map((c) => [c.id, c.status]));
  expect(status).toEqual({
    'PRE-BUCKET-NAME': 'pass',
    'PRE-BUCKET-EXISTS': 'unknown',
    'PRE-BUCKET-REGION': 'unknown',
    'PRE-BUCKET-VERSIONING': 'unknown',
    'PRE-BUCKET-PUBLIC-ACCESS': 'unknown',
    'PRE-ROLE-EXISTS': 'pass',
    'PRE-ROLE-TRUST': 'unknown',
    'PRE-ROLE-S3': 'unknown',
    'PRE-ROLE-LOGS': 'unknown',
    'PRE-ROLE-METRICS': 'unknown',
    'PRE-ROLE-SQS': 'unknown',
    'PRE-ROLE-SECRETS': 'unknown',
    'PRE-NET-SUBNETS': 'unknown',
    'PRE-NET-AZ': 'unknown',
    'PRE-NET-PRIVATE': 'unknown',
    'PRE-NET-EGRESS': 'unknown',
    'PRE-NET-DNS': 'unknown',
    'PRE-NET-SG': 'unknown',
    'PRE-NET-SG-SELF': 'unknown',
    'PRE-REQUEST': 'pass',
  });
  const detail = (id: string) => checks.find((c) => c.id === id)!.detail;
  expect(detail('PRE-BUCKET-EXISTS')).toBe('could not check: S3 HeadBucket failed: TypeError: socket hang up');
  expect(detail('PRE-ROLE-TRUST')).toMatch(/^could not check: /);
  expect(detail('PRE-ROLE-S3')).toMatch(/^could not check: a policy document is not a JSON object/);
  expect(detail('PRE-NET-SG')).toBe('could not check: EC2 DescribeSubnets failed: UnauthorizedOperation: You are not authorized to perform this operation.');
});
