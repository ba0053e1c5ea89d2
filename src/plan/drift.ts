import { isSensitiveName } from '../home/secrets.js';
import type { CreateEnvironmentInput, ModuleLogging } from './plan.js';

// How an existing environment differs from the one the plan wants, and the UpdateEnvironment
// request that closes the gap. Pure: plan calls it with what GetEnvironment said, apply calls it
// again just before updating, so a re-run after an update that went through sends nothing.

/** What GetEnvironment tells about an environment, as far as drift goes (the SDK's Environment fits). */
export interface EnvironmentSettings {
  AirflowVersion?: string;
  EnvironmentClass?: string;
  MinWorkers?: number;
  MaxWorkers?: number;
  Schedulers?: number;
  MinWebservers?: number;
  MaxWebservers?: number;
  WebserverAccessMode?: string;
  SourceBucketArn?: string;
  DagS3Path?: string;
  PluginsS3Path?: string;
  PluginsS3ObjectVersion?: string;
  RequirementsS3Path?: string;
  RequirementsS3ObjectVersion?: string;
  StartupScriptS3Path?: string;
  StartupScriptS3ObjectVersion?: string;
  ExecutionRoleArn?: string;
  KmsKey?: string;
  WeeklyMaintenanceWindowStart?: string;
  NetworkConfiguration?: { SubnetIds?: string[]; SecurityGroupIds?: string[] };
  AirflowConfigurationOptions?: Record<string, string>;
  LoggingConfiguration?: Partial<Record<LogModule, { Enabled?: boolean; LogLevel?: string }>>;
}

type LogModule = keyof CreateEnvironmentInput['LoggingConfiguration'];

export interface Drift {
  /** The CreateEnvironment member, or member.key for options and log modules. */
  setting: string;
  current: string;
  planned: string;
  /** False for what UpdateEnvironment cannot change (subnets, KMS key): only a new environment can. */
  updatable: boolean;
}

/** The UpdateEnvironment request (API 2020-07-01), less the object versions apply learns when it uploads. */
export interface UpdateEnvironmentInput {
  Name: string;
  AirflowVersion?: string;
  EnvironmentClass?: string;
  MinWorkers?: number;
  MaxWorkers?: number;
  Schedulers?: number;
  MinWebservers?: number;
  MaxWebservers?: number;
  WebserverAccessMode?: CreateEnvironmentInput['WebserverAccessMode'];
  SourceBucketArn?: string;
  DagS3Path?: string;
  PluginsS3Path?: string;
  RequirementsS3Path?: string;
  StartupScriptS3Path?: string;
  ExecutionRoleArn?: string;
  WeeklyMaintenanceWindowStart?: string;
  NetworkConfiguration?: { SecurityGroupIds: string[] };
  AirflowConfigurationOptions?: Record<string, string>;
  LoggingConfiguration?: CreateEnvironmentInput['LoggingConfiguration'];
}

/** The object versions the environment should pin: the planned key's version once uploaded, or "a new upload". */
export interface PinnedObjects {
  plugins?: string;
  requirements?: string;
  startup?: string;
}

export const NEW_UPLOAD = '(new upload)';

const show = (v: unknown): string => (v === undefined || v === null || v === '' ? '(none)' : Array.isArray(v) ? v.join(', ') : String(v));
const masked = (key: string, v: string | undefined) => (v !== undefined && isSensitiveName(key) ? '(set, hidden)' : show(v));
const sorted = (l: string[] | undefined) => [...(l ?? [])].sort();

export function environmentDrift(want: CreateEnvironmentInput, have: EnvironmentSettings, pinned: PinnedObjects): Drift[] {
  const drift: Drift[] = [];
  const differ = (setting: string, current: unknown, planned: unknown, updatable = true) => {
    if (show(current) !== show(planned)) drift.push({ setting, current: show(current), planned: show(planned), updatable });
  };
  differ('AirflowVersion', have.AirflowVersion, want.AirflowVersion);
  differ('EnvironmentClass', have.EnvironmentClass, want.EnvironmentClass);
  differ('MinWorkers', have.MinWorkers, want.MinWorkers);
  differ('MaxWorkers', have.MaxWorkers, want.MaxWorkers);
  differ('Schedulers', have.Schedulers, want.Schedulers);
  // Older environments do not report web server counts: nothing to compare then.
  if (have.MinWebservers !== undefined) differ('MinWebservers', have.MinWebservers, want.MinWebservers);
  if (have.MaxWebservers !== undefined) differ('MaxWebservers', have.MaxWebservers, want.MaxWebservers);
  differ('WebserverAccessMode', have.WebserverAccessMode, want.WebserverAccessMode);
  differ('SourceBucketArn', have.SourceBucketArn, want.SourceBucketArn);
  differ('DagS3Path', have.DagS3Path, want.DagS3Path);
  differ('ExecutionRoleArn', have.ExecutionRoleArn, want.ExecutionRoleArn);
  if (want.WeeklyMaintenanceWindowStart !== undefined) differ('WeeklyMaintenanceWindowStart', have.WeeklyMaintenanceWindowStart, want.WeeklyMaintenanceWindowStart);
  differ('KmsKey', have.KmsKey, want.KmsKey, false);
  differ('NetworkConfiguration.SubnetIds', sorted(have.NetworkConfiguration?.SubnetIds), sorted(want.NetworkConfiguration.SubnetIds), false);
  differ('NetworkConfiguration.SecurityGroupIds', sorted(have.NetworkConfiguration?.SecurityGroupIds), sorted(want.NetworkConfiguration.SecurityGroupIds));
  // Dropping plugins, requirements or a startup script is not something an update request can say.
  const objects = [
    ['PluginsS3Path', 'PluginsS3ObjectVersion', pinned.plugins],
    ['RequirementsS3Path', 'RequirementsS3ObjectVersion', pinned.requirements],
    ['StartupScriptS3Path', 'StartupScriptS3ObjectVersion', pinned.startup],
  ] as const;
  for (const [path, version, pin] of objects) {
    differ(path, have[path], want[path], want[path] !== undefined);
    if (want[path] !== undefined) differ(version, have[version], pin ?? NEW_UPLOAD);
  }

  const haveOptions = have.AirflowConfigurationOptions ?? {};
  const wantOptions = want.AirflowConfigurationOptions ?? {};
  for (const key of [...new Set([...Object.keys(haveOptions), ...Object.keys(wantOptions)])].sort()) {
    if (haveOptions[key] !== wantOptions[key]) {
      drift.push({ setting: `AirflowConfigurationOptions.${key}`, current: masked(key, haveOptions[key]), planned: masked(key, wantOptions[key]), updatable: true });
    }
  }
  for (const [module, want_] of Object.entries(want.LoggingConfiguration) as [LogModule, ModuleLogging][]) {
    const h = have.LoggingConfiguration?.[module];
    const label = (m: { Enabled?: boolean; LogLevel?: string } | undefined) => (m?.Enabled ? `enabled, ${m.LogLevel ?? 'INFO'}` : 'disabled');
    differ(`LoggingConfiguration.${module}`, label(h), label(want_));
  }
  return drift;
}

/** The UpdateEnvironment request for the updatable drift, or null when there is none. */
export function updateInput(want: CreateEnvironmentInput, drift: Drift[]): UpdateEnvironmentInput | null {
  const settings = new Set(drift.filter((d) => d.updatable).map((d) => d.setting.split('.')[0]!));
  if (settings.size === 0) return null;
  const input: UpdateEnvironmentInput = { Name: want.Name };
  const copy = <K extends keyof UpdateEnvironmentInput & keyof CreateEnvironmentInput>(k: K) => {
    if (settings.has(k)) (input as unknown as Record<string, unknown>)[k] = want[k];
  };
  for (const k of ['AirflowVersion', 'EnvironmentClass', 'MinWorkers', 'MaxWorkers', 'Schedulers', 'MinWebservers', 'MaxWebservers', 'WebserverAccessMode', 'SourceBucketArn', 'DagS3Path', 'ExecutionRoleArn', 'WeeklyMaintenanceWindowStart', 'LoggingConfiguration'] as const) copy(k);
  // Options are replaced as a whole: send the full planned set (or none left).
  if (settings.has('AirflowConfigurationOptions')) input.AirflowConfigurationOptions = want.AirflowConfigurationOptions ?? {};
  if (settings.has('NetworkConfiguration') && drift.some((d) => d.setting === 'NetworkConfiguration.SecurityGroupIds')) {
    input.NetworkConfiguration = { SecurityGroupIds: want.NetworkConfiguration.SecurityGroupIds };
  }
  // A new object version is pinned by naming the path again; apply adds the version it uploaded.
  if (settings.has('PluginsS3Path') || settings.has('PluginsS3ObjectVersion')) input.PluginsS3Path = want.PluginsS3Path;
  if (settings.has('RequirementsS3Path') || settings.has('RequirementsS3ObjectVersion')) input.RequirementsS3Path = want.RequirementsS3Path;
  if (settings.has('StartupScriptS3Path') || settings.has('StartupScriptS3ObjectVersion')) input.StartupScriptS3Path = want.StartupScriptS3Path;
  return Object.keys(input).length > 1 ? input : null;
}
