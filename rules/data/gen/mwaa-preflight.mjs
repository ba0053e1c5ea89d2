// mwaa-preflight.json: what must hold before CreateEnvironment is called (src/aws/preflight.ts):
// the execution role's trust principals and the permissions it must grant, the VPC endpoints a
// subnet without a NAT route needs, and the bucket rules. From mwaa.yaml (sections s3,
// networking, execution_role, secrets_manager_backend), with every derivation asserted so a
// changed reference stops the generator instead of drifting.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const output = 'mwaa-preflight.json';

// The guide's minimum policy grants action wildcards (s3:GetObject*, s3:List*, ...) and, in the
// same breath, denies s3:ListAllMyBuckets: a wildcard is a convenience, not a list of what MWAA
// calls. A role is checked for these concrete actions within each wildcard: object and version
// reads for DAGs, plugins and requirements at a pinned VersionId, the bucket reads behind the
// DAG sync and MWAA's public-access check (which is also why it needs
// s3:GetAccountPublicAccessBlock), and the data-key call SSE-KMS makes.
const CONCRETE = {
  's3:GetObject*': ['s3:GetObject', 's3:GetObjectVersion'],
  's3:GetBucket*': ['s3:GetBucketLocation', 's3:GetBucketPublicAccessBlock'],
  's3:List*': ['s3:ListBucket'],
  'kms:GenerateDataKey*': ['kms:GenerateDataKey'],
};

// Which check a statement belongs to, by the service of its first action.
const GROUP_OF_SERVICE = { s3: 'S3', logs: 'LOGS', airflow: 'METRICS', cloudwatch: 'METRICS', sqs: 'SQS', kms: 'KMS' };

const GROUPS = {
  S3: { title: 'Execution role can read the bucket', when: 'always' },
  LOGS: { title: 'Execution role can write the environment\'s logs', when: 'always' },
  METRICS: { title: 'Execution role can publish metrics', when: 'always' },
  SQS: { title: 'Execution role can use the Celery queue', when: 'always' },
  KMS: { title: 'Execution role can use the KMS key', when: 'kmsKey' },
  SECRETS: { title: 'Execution role can read the migrated secrets', when: 'secrets' },
};

const globToRegExp = (glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');

function concreteActions(actions, where) {
  return actions.flatMap((a) => {
    if (!/[*?]/.test(a)) return [a];
    const list = CONCRETE[a];
    if (!list) throw new Error(`mwaa-preflight.mjs: name the concrete actions MWAA needs within ${a} (${where})`);
    for (const c of list) if (!globToRegExp(a).test(c)) throw new Error(`mwaa-preflight.mjs: ${c} is not within ${a}`);
    return list;
  });
}

/** mwaa.yaml placeholders to the ones preflight fills in; the partition is the role's. */
function template(resource, where) {
  const out = resource
    .replace(/^arn:aws:/, 'arn:{partition}:')
    .replaceAll('<region>', '{region}')
    .replaceAll('<account>', '{account}')
    .replaceAll('<env-name>', '{environment}')
    .replaceAll('<bucket>', '{bucket}');
  if (/[<>]/.test(out) || /\s/.test(out)) throw new Error(`mwaa.yaml ${where}: resource '${resource}' has an unknown placeholder or is prose`);
  return out;
}

function permissions(role, secrets) {
  const groups = new Map(Object.entries(GROUPS).map(([id, g]) => [id, { id, ...g, requirements: [] }]));
  for (const [i, st] of role.minimum_policy_statements.entries()) {
    const where = `execution_role.minimum_policy_statements[${i}]`;
    // The guide's Deny (s3:ListAllMyBuckets) narrows its own wildcard; it is nothing to require.
    if (st.effect === 'Deny') continue;
    if (st.effect !== 'Allow') throw new Error(`mwaa.yaml ${where}: effect ${st.effect}`);
    const group = groups.get(GROUP_OF_SERVICE[st.actions[0].split(':')[0]]);
    if (!group) throw new Error(`mwaa.yaml ${where}: no check for ${st.actions[0]}`);
    // KMS: the guide gives prose (an AWS owned key through NotResource, or the customer key);
    // preflight checks the customer key, the one the request names.
    const actions = concreteActions(st.actions, where);
    if (group.id === 'KMS') {
      group.requirements.push({ actions, resources: ['{kmsKey}'] });
      continue;
    }
    const resources = [st.resource].flat().map((r) => template(r, where));
    const objects = resources.filter((r) => r.endsWith('{bucket}/*'));
    if (objects.length === 0) {
      group.requirements.push({ actions, resources });
      continue;
    }
    // The guide grants its S3 wildcards on the bucket and its objects alike; each concrete action
    // is required only on the resource type it acts on, so a tighter policy is not failed.
    const onObjects = actions.filter((a) => /^s3:GetObject/.test(a));
    group.requirements.push({ actions: onObjects, resources: objects });
    group.requirements.push({ actions: actions.filter((a) => !onObjects.includes(a)), resources: resources.filter((r) => !objects.includes(r)) });
  }
  // "secretsmanager:GetSecretValue, ... (on arn:aws:secretsmanager:<region>:<account>:secret:airflow/*)":
  // the Airflow backend reads a secret with GetSecretValue alone; the resource is the guide's,
  // with the migrated prefix in place of its airflow/ example.
  const iam = secrets.iam_for_execution_role.join(', ');
  const m = /^(secretsmanager:GetSecretValue)\b.*\(on (arn:aws:secretsmanager:<region>:<account>:secret:)airflow\/\*\)/.exec(iam);
  if (!m) throw new Error(`mwaa.yaml secrets_manager_backend.iam_for_execution_role changed: ${iam}`);
  groups.get('SECRETS').requirements.push({ actions: [m[1]], resources: [`${template(m[2], 'secrets_manager_backend')}{prefix}/*`] });
  for (const g of groups.values()) if (g.requirements.length === 0) throw new Error(`mwaa-preflight.mjs: nothing in mwaa.yaml for ${g.id}`);
  return [...groups.values()];
}

/** "com.amazonaws.<region>.s3 (gateway)" -> { service: 's3', type: 'Gateway' } (interface unless said). */
function endpoint(text) {
  const m = /^com\.amazonaws\.<region>\.([a-z0-9.-]+)(?: \((gateway)\))?$/.exec(text);
  if (!m) throw new Error(`mwaa.yaml networking: '${text}' is not an endpoint service name`);
  return { service: m[1], type: m[2] ? 'Gateway' : 'Interface' };
}

export function generate(ref) {
  const y = parse(readFileSync(join(ref, 'mwaa/mwaa.yaml'), 'utf8'));
  const { s3, networking: net, execution_role: role, secrets_manager_backend: secrets } = y;

  if (!/exactly 2 private subnet IDs .* in 2 different AZs; must not route to an Internet gateway/.test(net.subnets)) throw new Error(`mwaa.yaml networking.subnets changed: ${net.subnets}`);
  if (!/self-referencing inbound rule allowing all traffic/.test(net.security_groups)) throw new Error(`mwaa.yaml networking.security_groups changed: ${net.security_groups}`);
  if (!/secretsmanager endpoint when using the Secrets Manager backend/.test(net.also_needed_if_used)) throw new Error(`mwaa.yaml networking.also_needed_if_used changed: ${net.also_needed_if_used}`);
  if (!/private DNS enabled/.test(net.endpoint_rules)) throw new Error(`mwaa.yaml networking.endpoint_rules changed: ${net.endpoint_rules}`);
  for (const rule of ['same Region as the environment', 'Block all public access ON', 'Bucket Versioning ENABLED']) {
    if (!s3.bucket_rules.includes(rule)) throw new Error(`mwaa.yaml s3.bucket_rules no longer says '${rule}'`);
  }
  const prefix = /start with '([a-z-]+)'/.exec(s3.bucket_name_prefix_airflow)?.[1];
  if (!prefix) throw new Error(`mwaa.yaml s3.bucket_name_prefix_airflow changed: ${s3.bucket_name_prefix_airflow}`);
  if (role.trust_action !== 'sts:AssumeRole' || role.trust_policy_principals.length === 0) throw new Error('mwaa.yaml execution_role trust changed');

  return {
    description:
      'What preflight checks before CreateEnvironment, generated from the MWAA reference (mwaa.yaml: s3, networking, execution_role, secrets_manager_backend); do not edit by hand. Resource templates: {partition}, {region}, {account} (the execution role\'s), {environment}, {bucket}, {kmsKey}, {prefix}.',
    bucket: {
      // Historical, not enforced by the API model: a warning, in mwaa.yaml's words.
      namePrefix: prefix,
      namePrefixNote: s3.bucket_name_prefix_airflow,
    },
    trust: { action: role.trust_action, principals: role.trust_policy_principals },
    permissions: permissions(role, secrets),
    network: {
      subnetCount: 2,
      // Needed when a subnet has no NAT route; the Secrets Manager one when secrets are migrated.
      endpoints: net.required_vpc_endpoints_without_internet.map(endpoint),
      secretsEndpoint: { service: 'secretsmanager', type: 'Interface' },
    },
  };
}
