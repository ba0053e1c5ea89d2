import type { Action, Blocking, Change, Plan } from './plan.js';
import { renderPreflightText } from '../aws/preflight-text.js';
import { secretsLines } from '../secrets/render.js';
import { firstRunLines } from './first-run.js';

// The plan for people: terraform-like markers, counts, the environment settings and the
// requirements diff. Plain text; every value comes from the Plan, which holds no secret.

const MARK: Record<Change, string> = { create: '+', update: '~', delete: '-', unchanged: ' ' };
const WORD: Record<Change, string> = { create: 'new', update: 'changed', delete: 'deleted', unchanged: 'unchanged' };

type Put = Extract<Action, { kind: 'put-object' }>;

function bucketLine(a: Action): string | null {
  if (a.kind === 'ensure-bucket') return `${MARK[a.change]} bucket ${a.bucket}: ${a.change === 'create' ? 'create' : 'reuse'}`;
  if (a.kind === 'enable-versioning') return `${MARK[a.change]} versioning: ${a.change === 'update' ? 'enable' : 'already enabled'}`;
  if (a.kind === 'block-public-access') return `${MARK[a.change]} block public access: ${a.change === 'update' ? 'turn on' : 'already on'}`;
  return null;
}

const fixCount = (n: number) => `${n} fix${n === 1 ? '' : 'es'}`;

/** plan --fix: every object holding fixed code, changed or not, and what the fixes leave alone. */
function fixLines(plan: Plan): string[] {
  const fixed = plan.actions.filter((a): a is Put => a.kind === 'put-object' && a.fixes !== undefined);
  const total = fixed.reduce((n, a) => n + a.fixes!.count, 0);
  const kind = plan.inputs.fix!.unsafe ? 'safe and unsafe fixes' : 'safe fixes';
  const head = fixed.length ? `${fixCount(total)} in ${fixed.length} object${fixed.length === 1 ? '' : 's'}, uploaded in place of the home's files:` : 'nothing to fix; the files go as they are.';
  return [
    `Fixed code (--fix, ${kind}): ${head}`,
    ...fixed.map(({ key, fixes: f }) => `  ${key}: ${fixCount(f!.count)}${f!.rules.length ? ` (${f!.rules.join(', ')})` : ''}${f!.files ? ` in ${f!.files.join(', ')}` : ''}`),
    ...leftLines(plan),
    '  airflow.cfg is not touched (MWAA does not read it): renamed options go under their new names in AirflowConfigurationOptions.',
  ];
}

/** What --fix left as the home has it, when anything. */
function leftLines({ fixesLeft: left }: Plan): string[] {
  const parts = [
    ...(left?.unsafe ? [`${fixCount(left.unsafe)} that may shift the meaning (plan with --unsafe-fixes to take them)`] : []),
    ...(left?.byHand ? [`${left.byHand} finding${left.byHand === 1 ? '' : 's'} of fixable rules to fix by hand (mwaa-migrate fix lists them with the reason)`] : []),
  ];
  return parts.length ? [`  left as the home has it: ${parts.join('; ')}`] : [];
}

export function renderPlanText(plan: Plan): string {
  const out = [`mwaa-migrate plan: ${plan.inputs.home} -> MWAA Airflow ${plan.inputs.target} in ${plan.inputs.region}`, ''];
  out.push(...plan.actions.map(bucketLine).filter((l): l is string => l !== null), '');

  const dags = plan.actions.filter((a): a is Put => a.kind === 'put-object' && a.what === 'dag');
  const deletes = plan.actions.filter((a) => a.kind === 'delete-object');
  const n = (c: Change) => dags.filter((a) => a.change === c).length;
  out.push(`DAG objects under ${plan.inputs.dagsPrefix}/: ${n('create')} new, ${n('update')} changed, ${n('unchanged')} unchanged, ${deletes.length} deleted`);
  const isFixed = (a: Action) => a.kind === 'put-object' && a.fixes !== undefined;
  for (const a of [...dags, ...deletes]) if (a.change !== 'unchanged') out.push(`  ${MARK[a.change]} ${a.key}${isFixed(a) ? ' (fixed)' : ''}`);
  for (const a of plan.actions) {
    if (a.kind === 'put-object' && a.what !== 'dag') out.push(`${MARK[a.change]} ${a.key}: ${WORD[a.change]} (${a.size} bytes${isFixed(a) ? ', fixed' : ''})`);
  }
  if (plan.inputs.fix) out.push('', ...fixLines(plan));

  const update = plan.actions.find((a) => a.kind === 'update-environment');
  if (update) {
    const name = update.desired.Name;
    if (update.change === 'unchanged' && update.drift.length === 0) out.push('', `  environment ${name}: exists (${update.status}), settings as planned`);
    else {
      out.push('', `${MARK[update.change]} environment ${name}: exists (${update.status}); ${update.input ? 'update' : 'no update possible'}`);
      for (const d of update.drift) out.push(`    ${d.setting}: ${d.current} -> ${d.planned}${d.updatable ? '' : '  (needs a new environment; not changed)'}`);
    }
  }
  const env = plan.actions.find((a) => a.kind === 'create-environment');
  if (env) {
    const i = env.input;
    out.push('', `+ environment ${i.Name}: create`);
    const rows: [string, string | number | undefined][] = [
      ['AirflowVersion', i.AirflowVersion],
      ['EnvironmentClass', i.EnvironmentClass],
      ['Workers', `${i.MinWorkers}..${i.MaxWorkers}`],
      ['Schedulers', i.Schedulers],
      ['Webservers', `${i.MinWebservers}..${i.MaxWebservers}`],
      ['WebserverAccessMode', i.WebserverAccessMode],
      ['SourceBucketArn', i.SourceBucketArn],
      ['DagS3Path', i.DagS3Path],
      ['PluginsS3Path', i.PluginsS3Path],
      ['RequirementsS3Path', i.RequirementsS3Path],
      ['StartupScriptS3Path', i.StartupScriptS3Path],
      ['ExecutionRoleArn', i.ExecutionRoleArn],
      ['SubnetIds', i.NetworkConfiguration.SubnetIds.join(', ')],
      ['SecurityGroupIds', i.NetworkConfiguration.SecurityGroupIds.join(', ')],
      ['KmsKey', i.KmsKey],
      ['WeeklyMaintenanceWindowStart', i.WeeklyMaintenanceWindowStart],
      ['Logging', `all five enabled; tasks INFO, others ${i.LoggingConfiguration.SchedulerLogs.LogLevel}`],
    ];
    for (const [k, v] of rows) if (v !== undefined) out.push(`    ${k}: ${v}`);
    const options = Object.entries(i.AirflowConfigurationOptions ?? {});
    out.push(`    AirflowConfigurationOptions: ${options.length ? '' : '(none)'}`);
    for (const [k, v] of options) out.push(`      ${k} = ${v}`);
    out.push(`    Tags: ${Object.entries(i.Tags).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }

  if (plan.secrets) out.push('', ...secretsLines(plan.secrets));
  if (plan.requirementsDiff) out.push('', 'requirements.txt for MWAA:', plan.requirementsDiff.trimEnd());
  if (plan.startupScript) out.push('', `${plan.startupScript.key} for MWAA (exports ${plan.startupScript.exports.join(', ')}):`, ...plan.startupScript.text.trimEnd().split('\n').map((l) => `  ${l}`));
  for (const l of plan.startupScript?.left ?? []) out.push(`  not exported: ${l.name}: ${l.why}`);
  if (plan.preflight.length) out.push('', 'Preflight (read-only checks in AWS):', renderPreflightText(plan.preflight).trimEnd());
  if (plan.notes.length) out.push('', 'Notes:', ...plan.notes.map((s) => `  - ${s}`));
  if (plan.firstRun.unpause.length) out.push('', 'After apply:', ...firstRunLines(plan.firstRun));
  if (plan.blocking.total) out.push('', ...blockingLines(plan.blocking));
  const c = plan.counts;
  out.push('', `Plan: ${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.unchanged} unchanged.`);
  return `${out.join('\n')}\n`;
}

function blockingLines({ total, byRule, listed }: Blocking): string[] {
  const out = [`Blocking findings (${total}; fix them before apply, see mwaa-migrate report):`];
  if (byRule.length > 1) out.push(`  by rule: ${byRule.map((r) => `${r.ruleId} ${r.count}`).join(', ')}`);
  out.push(...listed.map((b) => `  ${b.ruleId} ${b.file}${b.line ? `:${b.line}` : ''}: ${b.message}`));
  if (total > listed.length) out.push(`  ... and ${total - listed.length} more (mwaa-migrate report lists every one)`);
  return out;
}
