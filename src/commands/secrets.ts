import { awsIdentity, checkProfile, endpointFor } from '../aws/access.js';
import { Journal, runIdentity } from '../aws/journal.js';
import { EXIT_CHANGES, EXIT_DECLINED, EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, UsageError } from '../exit.js';
import { secretsBackendOptions } from '../secrets/mapping.js';
import { secretsLines } from '../secrets/render.js';
import { homeArg, parse, targetVersionFlag, type Options, type Values } from './args.js';
import { awsAccess, awsRegion, SECRETS_SOURCE_OPTIONS, secretsFlags } from './aws-flags.js';
import { printUsage } from './help.js';
import { canAsk, type CliIO } from './io.js';

// secrets: the secrets step alone: read the sources, compare with Secrets Manager, confirm, write.

const SECRETS_OPTIONS = {
  ...SECRETS_SOURCE_OPTIONS,
  'env-file': { type: 'string' },
  'target-version': { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  profile: { type: 'string' },
  journal: { type: 'string', default: 'mwaa-migrate-secrets.journal.jsonl' },
  yes: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

/** Every flag checked, in the order the errors are reported, before anything is read. */
function secretsSettings(values: Values<typeof SECRETS_OPTIONS>, positionals: string[], io: CliIO) {
  const target = targetVersionFlag(values['target-version']);
  const region = awsRegion('secrets', values.region, io.env);
  const request = secretsFlags(values);
  if (!request) throw new UsageError('secrets needs a source: --connections-file, --variables-file, --secrets-env-file, --from-metadata-db or --metadata-db-url');
  const aws = awsAccess(values, io.env);
  checkProfile(aws);
  if (!values.yes && !values['dry-run'] && !canAsk(io)) throw new UsageError('secrets writes to AWS and cannot ask for confirmation here (no terminal, or CI is set): pass --yes');
  const home = homeArg('secrets', positionals, io.env);
  const context = { home: home.path, envFile: values['env-file'], env: io.env, ...(values['metadata-db-url'] !== undefined ? { metadataDbUrl: values['metadata-db-url'] } : {}) };
  return { target, region, request, aws, context };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, SECRETS_OPTIONS, 'secrets');
  if (values.help) return printUsage(io, 'secrets');
  const { target, region, request, aws, context } = secretsSettings(values, positionals, io);
  // The AWS SDK loads once the flags are known to be right.
  const [{ profileCredentials }, { secretsManagerClient, upsertSecrets }, { planSecretsPart }] = await Promise.all([
    import('../aws/identity.js'),
    import('../aws/secrets-manager.js'),
    import('../migration/plan.js'),
  ]);
  const client = secretsManagerClient({ region, endpoint: endpointFor(aws, 'SECRETS_MANAGER'), maxAttempts: 6, credentials: profileCredentials(aws.profile) });
  try {
    const { part, secrets } = await planSecretsPart(request, target, context, client);
    const { actions } = part;
    const options = secretsBackendOptions({ airflowVersion: target, connectionsPrefix: request.connectionsPrefix, variablesPrefix: request.variablesPrefix });
    io.stdout(`${[...secretsLines(part), '', 'The environment reads them with these AirflowConfigurationOptions (plan and migrate set them):', ...Object.entries(options).map(([k, v]) => `  ${k} = ${v}`)].join('\n')}\n`);
    const blocked = actions.filter((a) => a.change === 'conflict');
    if (blocked.length > 0) {
      io.stderr(`mwaa-migrate: ${blocked.length} secret(s) exist with other values: ${blocked.map((a) => a.name).join(', ')}; choose --on-conflict skip or overwrite. Nothing was written.\n`);
      return EXIT_FINDINGS;
    }
    const writes = actions.filter((a) => a.change === 'create' || a.change === 'update' || a.change === 'restore-and-update');
    if (values['dry-run'] || writes.length === 0) return writes.length ? EXIT_CHANGES : EXIT_OK;
    if (!values.yes) {
      const answer = await io.readLine!(`Type yes to write ${writes.length} secret(s) in ${region}: `);
      if (answer.trim() !== 'yes') {
        io.stderr('mwaa-migrate: not confirmed; nothing was written\n');
        return EXIT_DECLINED;
      }
    }
    const r = await upsertSecrets({ client, actions, current: secrets, journal: new Journal(values.journal, runIdentity({ region, ...awsIdentity(aws, ['SECRETS_MANAGER']) })), ...(request.kmsKey ? { kmsKeyId: request.kmsKey } : {}) });
    io.stdout(`Secrets: ${r.written} written, ${r.skipped} already in place${r.failed ? `, ${r.failed} failed` : ''}.\n`);
    for (const f of r.failures) io.stderr(`mwaa-migrate: ${f.name}: ${f.reason}\n`);
    return r.failed ? EXIT_FAILED : EXIT_OK;
  } finally {
    client.destroy();
  }
}
