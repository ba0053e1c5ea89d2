import { knownRegions } from '../sizing/table.js';
import type { AwsField } from '../ui/types.js';
import { DEFAULT_CHAIN, type GuideContext } from './context.js';

// The AWS step's form: each field with its choices (from what discovery could list) or as typed
// text (when it could not), and the error that keeps the walkthrough from going on.

const NAME = /^[a-zA-Z][0-9a-zA-Z_-]{0,79}$/;
export const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ROLE_ARN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/?[\w+=,.@\-/]+$/;
const SUBNET = /^subnet-[0-9a-f]+$/;
const SG = /^sg-[0-9a-f]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The ids in a typed, comma-separated list. */
export const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

type Option = AwsField['options'][number];

const field = (f: Omit<AwsField, 'options' | 'highlight'> & Partial<Pick<AwsField, 'options' | 'highlight'>>): AwsField => ({ options: [], highlight: 0, ...f });

const pick = (key: AwsField['key'], label: string, value: string, options: Option[], hint?: string, error?: string): AwsField =>
  field({ key, label, kind: 'choice', value, options, highlight: Math.max(0, options.findIndex((o) => o.value === value)), ...(hint ? { hint } : {}), ...(error ? { error } : {}) });

export function awsFields(ctx: GuideContext): AwsField[] {
  const a = ctx.aws;
  const profiles = [{ value: DEFAULT_CHAIN, label: 'default credential chain' }, ...ctx.core.profiles().map((p) => ({ value: p.name, label: p.region ? `${p.name} (${p.region})` : p.name }))];
  if (a.profile && !profiles.some((p) => p.value === a.profile)) profiles.push({ value: a.profile, label: a.profile });
  const regions = [...new Set([a.region, ...knownRegions()])].sort().map((r) => ({ value: r, label: r }));
  const out: AwsField[] = [
    field({ key: 'name', label: 'Environment name', kind: 'text', value: a.name, ...(NAME.test(a.name) ? {} : { error: 'a letter, then letters, digits, - or _ (at most 80)' }) }),
    pick('profile', 'AWS profile', a.profile, profiles),
    pick('region', 'Region', a.region, regions),
    field({ key: 'bucket', label: 'S3 bucket', kind: 'text', value: a.bucket, ...bucketHint(ctx) }),
    roleField(ctx),
    ...networkFields(ctx),
  ];
  // Keep each multi field's highlight where the person left it.
  return out.map((f) => {
    const old = ctx.view.aws.fields.find((o) => o.key === f.key);
    return f.kind === 'multi' && old?.kind === 'multi' ? { ...f, highlight: Math.min(old.highlight, Math.max(0, f.options.length - 1)) } : f;
  });
}

function roleField(ctx: GuideContext): AwsField {
  const a = ctx.aws;
  const d = ctx.discovery;
  if (d?.roles.ok && d.roles.items.length > 0) {
    const roles = d.roles.items.map((r) => ({ value: r.arn, label: `${r.name}${r.trustsMwaa ? '' : ' (does not trust MWAA)'}` }));
    return pick('role', 'Execution role', a.role, roles, undefined, a.role ? undefined : 'choose a role');
  }
  const why = d ? (d.roles.ok ? 'no roles in the account: type the ARN' : `cannot list roles (${d.roles.error}): type the ARN`) : undefined;
  return field({ key: 'role', label: 'Execution role', kind: 'text', value: a.role, ...(why ? { hint: why } : {}), ...(ROLE_ARN.test(a.role) ? {} : { error: 'arn:aws:iam::ACCOUNT:role/NAME' }) });
}

/** The VPC, subnets and groups as choices when the account's network could be listed, typed ids otherwise. */
function networkFields(ctx: GuideContext): AwsField[] {
  const a = ctx.aws;
  const d = ctx.discovery;
  const listed = Boolean(d?.vpcs.ok && d.subnets.ok && d.securityGroups.ok && d.vpcs.items.length > 0);
  if (listed && d?.vpcs.ok && d.subnets.ok && d.securityGroups.ok) {
    const vpcs = d.vpcs.items.map((v) => ({ value: v.id, label: `${v.id} ${v.cidr}${v.name ? ` ${v.name}` : ''}${v.isDefault ? ' (default)' : ''}` }));
    const subnets = d.subnets.items.filter((s) => s.vpcId === a.vpc).map((s) => ({ value: s.id, label: `${s.id} ${s.zone} ${s.cidr}${s.public ? ' public' : ' private'}${s.name ? ` ${s.name}` : ''}` }));
    const zones = new Set(d.subnets.items.filter((s) => a.subnets.includes(s.id)).map((s) => s.zone));
    const subnetError = a.subnets.length !== 2 ? 'choose exactly two private subnets' : zones.size < 2 ? 'the two subnets must be in different zones' : undefined;
    const groups = d.securityGroups.items.filter((g) => g.vpcId === a.vpc).map((g) => ({ value: g.id, label: `${g.id} ${g.name}` }));
    const sgError = a.securityGroups.length < 1 || a.securityGroups.length > 5 ? 'choose one to five security groups' : undefined;
    return [
      pick('vpc', 'VPC', a.vpc, vpcs),
      field({ key: 'subnets', label: 'Subnets', kind: 'multi', value: a.subnets.join(','), options: subnets, highlight: 0, ...(subnetError ? { error: subnetError } : {}) }),
      field({ key: 'securityGroups', label: 'Security groups', kind: 'multi', value: a.securityGroups.join(','), options: groups, highlight: 0, ...(sgError ? { error: sgError } : {}) }),
    ];
  }
  const why = d ? 'cannot list the network: type the ids' : undefined;
  const subnets = list(a.subnetsText);
  const groups = list(a.securityGroupsText);
  return [
    field({ key: 'subnets', label: 'Subnets', kind: 'text', value: a.subnetsText, ...(why ? { hint: why } : {}), ...(subnets.length === 2 && subnets.every((s) => SUBNET.test(s)) ? {} : { error: 'two private subnet ids, comma-separated' }) }),
    field({ key: 'securityGroups', label: 'Security groups', kind: 'text', value: a.securityGroupsText, ...(groups.length >= 1 && groups.length <= 5 && groups.every((s) => SG.test(s)) ? {} : { error: 'one to five sg- ids, comma-separated' }) }),
  ];
}

function bucketHint(ctx: GuideContext): { hint?: string; error?: string } {
  const b = ctx.aws.bucket;
  if (!BUCKET.test(b)) return { error: '3-63 lower-case letters, digits, dots and hyphens' };
  if (!b.startsWith('airflow-')) return { error: 'MWAA needs a bucket whose name starts with airflow-' };
  const s = ctx.bucketState;
  if (s === 'taken') return { error: 'exists in another account: choose another name' };
  const hints: Record<string, string> = { checking: 'checking...', yours: 'exists in this account: reused', free: 'does not exist: will be created', unknown: 'could not check whether it exists' };
  return s ? { hint: hints[s]! } : {};
}

/** Every field passes, discovery is not still reading, and the region is one. */
export function awsValid(ctx: GuideContext): boolean {
  return ctx.view.aws.fields.every((f) => !f.error) && !ctx.view.aws.loading && REGION.test(ctx.aws.region);
}
