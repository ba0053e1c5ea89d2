import type { PlanSettings } from '../plan/plan.js';
import { withEnvFileSource } from '../secrets/step.js';
import { list } from './aws-fields.js';
import type { GuideContext } from './context.js';

// What the walkthrough has chosen so far, as the settings a plan is made from: the preflight,
// the secrets preview and the plan itself all ask AWS about the same request.

export function planSettings(ctx: GuideContext): PlanSettings {
  const a = ctx.aws;
  const listed = ctx.view.aws.fields.find((f) => f.key === 'subnets')?.kind === 'multi';
  // The home's env file moves its AIRFLOW_CONN_ and AIRFLOW_VAR_ entries to Secrets Manager, when it has any.
  const secrets = ctx.inventory ? withEnvFileSource(null, ctx.envFile, ctx.inventory) : null;
  return {
    home: ctx.inventory?.home ?? ctx.homePath,
    target: ctx.view.target.chosen,
    region: a.region,
    name: a.name,
    bucket: a.bucket,
    dagsPrefix: 'dags',
    executionRoleArn: a.role,
    subnetIds: listed ? a.subnets : list(a.subnetsText),
    securityGroupIds: listed ? a.securityGroups : list(a.securityGroupsText),
    ...(ctx.view.sizing.chosen ? { environmentClass: ctx.view.sizing.chosen } : {}),
    webserverAccessMode: 'PRIVATE_ONLY',
    tags: {},
    delete: false,
    ...(ctx.envFile ? { envFile: ctx.envFile } : {}),
    ...(secrets ? { secrets } : {}),
    ...(ctx.fix ? { fix: ctx.fix } : {}),
  };
}
