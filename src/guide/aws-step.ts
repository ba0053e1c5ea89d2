import type { AwsTarget, Discovery } from '../aws/discover.js';
import type { AwsField, GuideActions } from '../ui/types.js';
import { applyEdit } from '../ui/types.js';
import { awsFields, BUCKET } from './aws-fields.js';
import { oneLine, type GuideContext } from './context.js';
import { schedulePreflight } from './preflight.js';

// The AWS step: reading the account (discovery), first choices from what it has, checking the
// bucket name as it is typed, and the keys that edit the fields. Every change redraws the fields
// and schedules the preflight.

export function enterAws(ctx: GuideContext): void {
  ctx.go('aws');
  if (!ctx.discovery) rediscover(ctx);
  else refreshAws(ctx);
}

const awsTarget = (ctx: GuideContext): AwsTarget => ({ access: ctx.accessAws, region: ctx.aws.region });

/** Reads the account again (the profile or region changed, or r was pressed). */
export function rediscover(ctx: GuideContext): void {
  const generation = ++ctx.generation.discover;
  ctx.discovery = null;
  ctx.patch('aws', { loading: true, account: 'reading...' });
  refreshAws(ctx);
  ctx.track(ctx.core.discover(awsTarget(ctx))).then(
    (d) => {
      if (generation !== ctx.generation.discover) return;
      ctx.discovery = d;
      preselect(ctx, d);
      ctx.patch('aws', { loading: false, account: d.identity.ok ? `${d.identity.value.account} (${d.identity.value.arn})` : `credentials do not work: ${d.identity.error}` });
      refreshAws(ctx);
      checkBucket(ctx);
    },
    (e: unknown) => generation === ctx.generation.discover && ctx.patch('aws', { loading: false, account: `could not read: ${oneLine(e)}` }),
  );
}

/** Sensible first choices: a role MWAA can assume, a VPC with two private subnets in two zones, its default group. */
function preselect(ctx: GuideContext, d: Discovery): void {
  const a = ctx.aws;
  if (d.identity.ok && !a.bucketTyped) a.bucket = suggestBucket(a.name, d.identity.value.account);
  if (d.roles.ok && !d.roles.items.some((r) => r.arn === a.role)) a.role = d.roles.items.find((r) => r.trustsMwaa)?.arn ?? '';
  // Subnets chosen before (a saved plan) that the account has: their VPC, their groups kept.
  const chosenVpc = d.subnets.ok ? d.subnets.items.find((s) => a.subnets.includes(s.id))?.vpcId : undefined;
  if (chosenVpc && !a.vpc) a.vpc = chosenVpc;
  if (d.vpcs.ok && d.subnets.ok && !d.vpcs.items.some((v) => v.id === a.vpc)) {
    const subnets = d.subnets.items;
    const fit = d.vpcs.items.find((v) => twoZones(subnets.filter((s) => s.vpcId === v.id && !s.public)).length === 2);
    a.vpc = (fit ?? d.vpcs.items[0])?.id ?? '';
    pickNetwork(ctx);
  }
}

/** The chosen VPC's first two private subnets in two zones, and its default group. */
function pickNetwork(ctx: GuideContext): void {
  const d = ctx.discovery;
  const a = ctx.aws;
  if (!d?.subnets.ok) return;
  a.subnets = twoZones(d.subnets.items.filter((s) => s.vpcId === a.vpc && !s.public)).map((s) => s.id);
  if (d.securityGroups.ok) {
    const groups = d.securityGroups.items.filter((g) => g.vpcId === a.vpc);
    a.securityGroups = (groups.find((g) => g.name === 'default') ?? groups[0]) ? [(groups.find((g) => g.name === 'default') ?? groups[0])!.id] : [];
  }
}

function checkBucket(ctx: GuideContext): void {
  const bucket = ctx.aws.bucket;
  const generation = ++ctx.generation.bucket;
  if (!BUCKET.test(bucket) || !ctx.discovery?.identity.ok) {
    ctx.bucketState = null;
    return refreshAws(ctx);
  }
  ctx.bucketState = 'checking';
  refreshAws(ctx);
  ctx.later('bucket', 250, () => {
    ctx.track(ctx.core.bucketStatus(awsTarget(ctx), bucket)).then(
      (s) => {
        if (generation !== ctx.generation.bucket) return;
        ctx.bucketState = s;
        refreshAws(ctx);
      },
      () => generation === ctx.generation.bucket && ((ctx.bucketState = 'unknown'), refreshAws(ctx)),
    );
  });
}

function refreshAws(ctx: GuideContext): void {
  const fields = awsFields(ctx);
  ctx.patch('aws', { fields, focus: Math.min(ctx.view.aws.focus, fields.length - 1) });
  schedulePreflight(ctx);
}

function setAwsValue(ctx: GuideContext, key: AwsField['key'], value: string): void {
  const a = ctx.aws;
  if (key === 'name') {
    a.name = value;
    if (!a.bucketTyped && ctx.discovery?.identity.ok) {
      a.bucket = suggestBucket(value, ctx.discovery.identity.value.account);
      checkBucket(ctx);
    }
  } else if (key === 'bucket') {
    a.bucket = value;
    a.bucketTyped = true;
    checkBucket(ctx);
    return;
  } else if (key === 'role') a.role = value;
  else if (key === 'subnets') a.subnetsText = value;
  else if (key === 'securityGroups') a.securityGroupsText = value;
  else if (key === 'profile' || key === 'region') {
    if (a[key] === value) return;
    a[key] = value;
    ctx.later('discover', 300, () => rediscover(ctx));
  } else if (key === 'vpc') {
    a.vpc = value;
    pickNetwork(ctx);
  }
  refreshAws(ctx);
}

/** The keys of the AWS form: moving between fields, typing, and picking options. */
export function awsActions(ctx: GuideContext): Pick<GuideActions, 'focusField' | 'editField' | 'cycleOption' | 'toggleOption'> {
  const focused = (): AwsField | undefined => ctx.view.aws.fields[ctx.view.aws.focus];
  return {
    focusField: (delta) => {
      const n = ctx.view.aws.fields.length;
      ctx.patch('aws', { focus: (ctx.view.aws.focus + delta + n) % n });
    },
    editField: (edit) => {
      const f = focused();
      if (f?.kind === 'text') setAwsValue(ctx, f.key, applyEdit(f.value, edit));
    },
    cycleOption: (delta) => {
      const f = focused();
      if (!f || f.kind === 'text' || f.options.length === 0) return;
      const highlight = (f.highlight + delta + f.options.length) % f.options.length;
      if (f.kind === 'choice') return setAwsValue(ctx, f.key, f.options[highlight]!.value);
      ctx.patch('aws', { fields: ctx.view.aws.fields.map((x) => (x === f ? { ...f, highlight } : x)) });
    },
    toggleOption: () => {
      const f = focused();
      if (f?.kind !== 'multi') return;
      const value = f.options[f.highlight]?.value;
      if (!value) return;
      const key = f.key === 'subnets' ? 'subnets' : 'securityGroups';
      const chosen = ctx.aws[key];
      ctx.aws[key] = chosen.includes(value) ? chosen.filter((x) => x !== value) : [...chosen, value];
      refreshAws(ctx);
    },
  };
}

/** MWAA's buckets must start with airflow-; the account keeps the name unique. */
export function suggestBucket(name: string, account: string): string {
  const stem = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^airflow-?/, '').replace(/-+$/, '');
  return `airflow-${stem ? `${stem}-` : ''}${account}`.slice(0, 63).replace(/-+$/, '');
}

/** Two subnets in two zones, the first of each zone, or fewer when there are not two zones. */
function twoZones<S extends { zone: string }>(subnets: S[]): S[] {
  const picked: S[] = [];
  for (const s of subnets) if (picked.length < 2 && !picked.some((p) => p.zone === s.zone)) picked.push(s);
  return picked.length === 2 ? picked : [];
}
