import { describe, expect, it } from 'vitest';
import { environmentDrift, NEW_UPLOAD, updateInput, type EnvironmentSettings } from '../../src/plan/drift.js';
import type { CreateEnvironmentInput } from '../../src/plan/plan.js';

// Drift between the environment MWAA has and the one the plan wants, and the update that closes it.

const logging = (level: 'INFO' | 'WARNING') => ({
  DagProcessingLogs: { Enabled: true, LogLevel: level },
  SchedulerLogs: { Enabled: true, LogLevel: level },
  WebserverLogs: { Enabled: true, LogLevel: level },
  WorkerLogs: { Enabled: true, LogLevel: level },
  TaskLogs: { Enabled: true, LogLevel: 'INFO' as const },
});

const want: CreateEnvironmentInput = {
  Name: 'prod',
  SourceBucketArn: 'arn:aws:s3:::airflow-prod',
  DagS3Path: 'dags',
  PluginsS3Path: 'plugins.zip',
  RequirementsS3Path: 'requirements.txt',
  ExecutionRoleArn: 'arn:aws:iam::123456789012:role/mwaa',
  NetworkConfiguration: { SubnetIds: ['subnet-a', 'subnet-b'], SecurityGroupIds: ['sg-1'] },
  AirflowVersion: '2.10.3',
  EnvironmentClass: 'mw1.medium',
  MinWorkers: 1,
  MaxWorkers: 5,
  Schedulers: 2,
  MinWebservers: 2,
  MaxWebservers: 2,
  AirflowConfigurationOptions: { 'core.parallelism': '64', 'smtp.smtp_password_secret': 'smtp' },
  LoggingConfiguration: logging('INFO'),
  Tags: {},
  WebserverAccessMode: 'PRIVATE_ONLY',
};

// What GetEnvironment answers for an environment made from `want` with the objects at v1.
const same = (): EnvironmentSettings => ({
  ...want,
  NetworkConfiguration: { SubnetIds: ['subnet-b', 'subnet-a'], SecurityGroupIds: ['sg-1'] },
  PluginsS3ObjectVersion: 'v1',
  RequirementsS3ObjectVersion: 'v1',
  LoggingConfiguration: Object.fromEntries(Object.entries(logging('INFO')).map(([k, v]) => [k, { ...v, CloudWatchLogGroupArn: `arn:aws:logs:::${k}` }])),
});
const pinned = { plugins: 'v1', requirements: 'v1' };

describe('environment drift', () => {
  it('finds none when the environment is as planned (order of subnets, extra log fields aside)', () => {
    expect(environmentDrift(want, same(), pinned)).toEqual([]);
    expect(updateInput(want, [])).toBeNull();
  });

  it('updates only what differs, sending the options as a whole', () => {
    const have = { ...same(), EnvironmentClass: 'mw1.small', MaxWorkers: 2, AirflowConfigurationOptions: { 'core.parallelism': '32', 'webserver.x': '1' } };
    const drift = environmentDrift(want, have, pinned);
    expect(drift.map((d) => [d.setting, d.current, d.planned])).toEqual([
      ['EnvironmentClass', 'mw1.small', 'mw1.medium'],
      ['MaxWorkers', '2', '5'],
      ['AirflowConfigurationOptions.core.parallelism', '32', '64'],
      ['AirflowConfigurationOptions.smtp.smtp_password_secret', '(none)', '(set, hidden)'],
      ['AirflowConfigurationOptions.webserver.x', '1', '(none)'],
    ]);
    expect(updateInput(want, drift)).toEqual({ Name: 'prod', EnvironmentClass: 'mw1.medium', MaxWorkers: 5, AirflowConfigurationOptions: want.AirflowConfigurationOptions });
  });

  it('pins a new plugins.zip by naming its path again', () => {
    const drift = environmentDrift(want, same(), { plugins: undefined, requirements: 'v1' });
    expect(drift).toEqual([{ setting: 'PluginsS3ObjectVersion', current: 'v1', planned: NEW_UPLOAD, updatable: true }]);
    expect(updateInput(want, drift)).toEqual({ Name: 'prod', PluginsS3Path: 'plugins.zip' });
  });

  it('reports what only a new environment can change, and does not try to update it', () => {
    const have = { ...same(), KmsKey: 'arn:aws:kms:us-east-1:123456789012:key/1', NetworkConfiguration: { SubnetIds: ['subnet-c', 'subnet-d'], SecurityGroupIds: ['sg-2'] } };
    const drift = environmentDrift(want, have, pinned);
    expect(drift.map((d) => [d.setting, d.updatable])).toEqual([
      ['KmsKey', false],
      ['NetworkConfiguration.SubnetIds', false],
      ['NetworkConfiguration.SecurityGroupIds', true],
    ]);
    expect(updateInput(want, drift)).toEqual({ Name: 'prod', NetworkConfiguration: { SecurityGroupIds: ['sg-1'] } });
    expect(updateInput(want, drift.filter((d) => !d.updatable))).toBeNull();
  });

  it('compares log levels and web server counts when MWAA reports them', () => {
    const have = { ...same(), LoggingConfiguration: { ...same().LoggingConfiguration, WorkerLogs: { Enabled: false } }, MinWebservers: undefined, MaxWebservers: 4 };
    const drift = environmentDrift(want, have, pinned);
    expect(drift.map((d) => `${d.setting}: ${d.current} -> ${d.planned}`)).toEqual(['MaxWebservers: 4 -> 2', 'LoggingConfiguration.WorkerLogs: disabled -> enabled, INFO']);
    expect(updateInput(want, drift)).toEqual({ Name: 'prod', MaxWebservers: 2, LoggingConfiguration: want.LoggingConfiguration });
  });
});
