import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { valid } from '@renovatebot/pep440';
import wrapAnsi from 'wrap-ansi';
import { EXIT_CHANGES, EXIT_DECLINED, EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from './exit.js';
import { ScanInputError, scanHome } from './home/scan.js';
import { loadCatalog, RuleFileError, RULES_DIR } from './check/catalog.js';
import { check } from './check/engine.js';
import { loadProject } from './check/project.js';
import type { RuleDef } from './check/types.js';
import { defaultTarget, targetVersions } from './check/versions.js';
import { readSources } from './report/excerpts.js';
import { buildReport, countsLabel, severitiesFrom } from './report/model.js';
import { isReportFormat, renderReport, REPORT_FORMATS } from './report/render.js';
import { renderRule, renderRuleList } from './report/rules-text.js';
import { renderScanText } from './report/scan-text.js';
import { style, useColor } from './report/style.js';
import { renderSizingText } from './sizing/render.js';
import { fetchRegionPrices, PRICE_LIST_URL_ENV } from './sizing/live-prices.js';
import { readLoadFile } from './sizing/load-file.js';
import { defaultRegion, knownRegions, regionPrices, sizeEnvironment, type SizingOptions } from './sizing/sizing.js';
import { TOOL_VERSION } from './version.js';
import { PLUGINS_KEY, REQUIREMENTS_KEY } from './plan/artifacts.js';
import { hasChanges, refusals, type PlanSettings } from './plan/plan.js';
import { renderPlanText } from './plan/render.js';
import type { ApplyResult } from './aws/apply.js';
import { callerIdentity } from './aws/identity.js';
import { applyPlanFile, makePlan, planSecretsPart, writePlanFile, type PlanRequest } from './migration.js';
import { checkProfile, endpointFor, type AwsAccess } from './aws/access.js';
import { profileCredentials } from './aws/identity.js';
import { Journal } from './aws/journal.js';
import { secretsManagerClient, upsertSecrets } from './aws/secrets-manager.js';
import { secretsBackendOptions } from './secrets/mapping.js';
import { secretsLines } from './secrets/render.js';
import { secretsRequest, type SecretsRequest } from './secrets/step.js';
import { PLAN_FORMAT_VERSION, type Plan } from './plan/plan.js';

// A function, so that the MWAA versions are read only when someone asks for help.
const usage = () => `mwaa-migrate ${TOOL_VERSION}: move a self-hosted Apache Airflow to Amazon MWAA

Usage:
  mwaa-migrate [guide [AIRFLOW_HOME]] [options]  the guided walkthrough, step by step (needs a terminal)
  mwaa-migrate scan [AIRFLOW_HOME] [options]     read an Airflow home into an inventory
  mwaa-migrate report [AIRFLOW_HOME] [options]   check it for a move to MWAA and report the findings
  mwaa-migrate size [AIRFLOW_HOME] [options]     recommend an MWAA environment size and its monthly cost
  mwaa-migrate rules [ID] [--json]               list the rule catalogue, or explain one rule
  mwaa-migrate plan [AIRFLOW_HOME] --name N --bucket B --execution-role-arn ARN
                    --subnet-ids S1,S2 --security-group-ids SG [options]
                                                 what a move would upload, create or update, with the
                                                 preflight checks (reads AWS, writes nothing)
  mwaa-migrate apply PLAN.json [options]         carry out a plan: bucket, objects, secrets, environment
                                                 (resumable)
  mwaa-migrate migrate [AIRFLOW_HOME] --name N --bucket B ... [--yes]
                                                 all in one: check, plan, confirm, apply and wait
  mwaa-migrate secrets [AIRFLOW_HOME] --region R SOURCE... [--yes]
                                                 move connections and variables to Secrets Manager alone

Options of scan, report and size:
  --env-file FILE          overlay AIRFLOW__*, AIRFLOW_CONN_*, AIRFLOW_VAR_* from a dotenv file
  --airflow-version X      the Airflow version in use (skips detection)
  --no-cache               do not read or write the scan cache
  --debug                  show stack traces for unexpected errors

Scan options:
  --json                   print the inventory as JSON (schema: schema/inventory.schema.json)
  --use-env                also overlay those variables from this process's environment

Options of report and size (never prompt; no AWS call but --live-prices):
  --target-version V       the MWAA Airflow version to move to (default ${defaultTarget()}), one of:
${wrapAnsi(targetVersions().map((v) => v.version).join(', '), 70).replace(/^/gm, ' '.repeat(27))}
  --region R               the AWS region to price the environment in (default ${defaultRegion()}),
                           one of: ${knownRegions().join(', ')}
                           (any region with --live-prices)
  --load-file FILE         measured load (concurrent task instances per hour of the day, CSV
                           or JSON; README says how to get it from the metadata DB) in place
                           of the schedule estimate
  --live-prices            read the region's prices from the public AWS Price List offer
                           file instead of the bundled table (no credentials; the base URL
                           can be set in $${PRICE_LIST_URL_ENV})

Size options:
  --json                   print the sizing as JSON

Report options:
  --format F               text (default), json, markdown, sarif or html
  --output FILE            write the report to FILE instead of standard output
  --fail-on LEVEL          exit 1 on findings at or above LEVEL: error (default), warning,
                           info, or never
  --select IDS             only these rules: comma-separated ids or family prefixes (IMP, IMP001)
  --ignore IDS             leave these rules out, same form
  --project-file FILE      suppressions (default: AIRFLOW_HOME/.mwaa-migrate.yaml if present)
  --timestamp              record when the report was made (without it, the same input gives
                           byte-identical output)

Plan options (also --target-version, --region, --env-file, --airflow-version, --no-cache):
  --dags-prefix P          the bucket folder for DAGs, owned by the tool (default dags)
  --class C                environment class (default: the size recommendation)
  --webserver-access M     PRIVATE_ONLY (default) or PUBLIC_ONLY
  --maintenance-window W   weekly maintenance start, e.g. SUN:03:00
  --kms-key ARN            customer KMS key
  --tag K=V                extra environment tag (repeatable)
  --delete                 delete objects under the DAG prefix that are no longer in the home
  --out FILE               write the plan as JSON (schema: schema/plan.schema.json)
  --no-preflight           skip the read-only checks of the bucket, role and network
  --endpoint-url URL       endpoint for every AWS service (default $AWS_ENDPOINT_URL_<SERVICE>,
                           then $AWS_ENDPOINT_URL, else AWS's)
  --mwaa-endpoint-url URL  MWAA's alone (for emulators without MWAA)
  --profile NAME           AWS profile for credentials (default: $AWS_PROFILE, else the default chain)

Secrets options (plan, migrate, secrets): connections and variables to move to Secrets Manager
  --connections-file F     an "airflow connections export" file (JSON, YAML or env; repeatable)
  --variables-file F       an "airflow variables export" file (repeatable)
  --secrets-env-file F     AIRFLOW_CONN_* and AIRFLOW_VAR_* of a dotenv file
  --from-metadata-db       the home's metadata database (its sql_alchemy_conn and fernet_key)
  --metadata-db-url URL    that database named here (SQLite, PostgreSQL, MySQL); give it to apply too
  --connections-prefix P   secret name prefix (default airflow/connections)
  --variables-prefix P     secret name prefix (default airflow/variables)
  --on-conflict M          a secret that exists with another value: fail (default), skip, overwrite
  --secrets-kms-key ARN    KMS key for the secrets the tool creates
  secrets also takes --region, --target-version, --env-file, --endpoint-url, --profile, --yes,
  --dry-run, and --journal FILE (default mwaa-migrate-secrets.journal.jsonl).

Apply options (the region comes from the plan, credentials from the AWS default chain or --profile):
  --endpoint-url URL, --mwaa-endpoint-url URL, --profile NAME   as for plan
  --no-wait                return once the environment's creation or update has started
  --poll-seconds N         how often to check the environment's status while waiting (default 30)
  --allow-errors           apply although the plan has error findings or failed preflight checks
  --metadata-db-url URL    as given to plan, when the secrets come from it (never stored in the plan)
  Progress goes to stderr; PLAN.json.journal.jsonl records each step done, so a re-run resumes.

Migrate options (all plan and apply options; --out defaults to ${DEFAULT_PLAN_FILE}):
  --yes                    do not ask for confirmation (required without a terminal, or with CI set)
  --dry-run                stop after the plan and the AWS account: write nothing to AWS
  --allow-errors           go on although error findings or failed preflight checks remain
  Without --yes, migrate asks to type the environment name; any other answer aborts (exit 1).
  The account and region (sts:GetCallerIdentity; endpoint $AWS_ENDPOINT_URL_STS, else
  $AWS_ENDPOINT_URL) are shown on stderr before anything is written to AWS.

Guide options: --region, --profile, --endpoint-url, --mwaa-endpoint-url, --poll-seconds, --no-cache,
  as above. It keeps its plan, journal and report in AIRFLOW_HOME/.mwaa-migrate/ and resumes from them.

AIRFLOW_HOME defaults to $AIRFLOW_HOME, then ~/airflow.
Exit codes: 0 ok (size: always, when the home was read; plan: nothing to do; apply, migrate:
environment AVAILABLE, or the change started with --no-wait), 1 findings at or above the --fail-on
level (plan: error findings, failed preflight checks or secret conflicts; apply, migrate: the same
without --allow-errors (conflicts always), CREATE_FAILED, UPDATE_FAILED or UNAVAILABLE, confirmation
declined; secrets: conflicts, failed writes, declined; guide: the environment failed), 2 usage,
input or AWS error (apply: also a stale plan; migrate, secrets: also no terminal to confirm on and
no --yes; guide: no terminal), 3 plan, migrate --dry-run, secrets --dry-run: changes pending,
130 guide: left before the end.
`;

// What scan and report both take to read a home.
const HOME_OPTIONS = {
  'env-file': { type: 'string' },
  'airflow-version': { type: 'string' },
  'no-cache': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const SCAN_OPTIONS = {
  ...HOME_OPTIONS,
  json: { type: 'boolean' },
  'use-env': { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  isTTY: boolean;
  /** The terminal's width, when stdout is one. */
  columns?: number;
  /** Asks a question and answers the line typed; absent when nobody can answer (stdin is no terminal). */
  readLine?: (question: string) => Promise<string>;
}

async function askLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    // End of input (Ctrl-D) is an empty answer, which declines.
    return await new Promise<string>((resolve) => {
      rl.once('close', () => resolve(''));
      rl.question(question).then(resolve, () => resolve(''));
    });
  } finally {
    rl.close();
  }
}

const processIO: CliIO = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
  columns: process.stdout.columns,
  ...(process.stdin.isTTY ? { readLine: askLine } : {}),
};

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ScanInputError || e instanceof RuleFileError) {
      io.stderr(`mwaa-migrate: ${e.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`mwaa-migrate: internal error: ${(e as Error)?.message ?? String(e)}${debug ? '' : ' (run with --debug for the stack trace)'}\n`);
    if (debug) io.stderr(`${(e as Error)?.stack ?? ''}\n`);
    return EXIT_USAGE;
  }
}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    io.stdout(usage());
    return EXIT_OK;
  }
  // No command: the walkthrough on a terminal; elsewhere it says which commands to use instead.
  if (command === undefined) return guideCommand([], io);
  if (command === 'guide') return guideCommand(rest, io);
  if (command === '--version' || command === '-V') {
    io.stdout(`${TOOL_VERSION}\n`);
    return EXIT_OK;
  }
  if (command === 'scan') return scanCommand(rest, io);
  if (command === 'report') return reportCommand(rest, io);
  if (command === 'size') return sizeCommand(rest, io);
  if (command === 'rules') return rulesCommand(rest, io);
  if (command === 'plan') return planCommand(rest, io);
  if (command === 'apply') return applyCommand(rest, io);
  if (command === 'migrate') return migrateCommand(rest, io);
  if (command === 'secrets') return secretsCommand(rest, io);
  throw new UsageError(`unknown command '${command}' (try: mwaa-migrate --help)`);
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    // Node's messages are one line already; drop its "To specify a positional..." hints' newline.
    throw new UsageError((e as Error).message.split('\n')[0]!);
  }
}

/** The home to read, and how to name it: as given, so that reports do not depend on the machine. */
function homeArg(command: string, positionals: string[], env: CliIO['env']): { path: string; given: string } {
  if (positionals.length > 1) throw new UsageError(`${command} takes one AIRFLOW_HOME, got ${positionals.length}: ${positionals.join(' ')}`);
  const given = positionals[0] ?? env['AIRFLOW_HOME'];
  return given ? { path: given, given } : { path: join(homedir(), 'airflow'), given: '~/airflow' };
}

function airflowVersionFlag(version: string | undefined): string | undefined {
  if (version !== undefined && (!valid(version) || !/^[123]\.\d+/.test(version))) {
    throw new UsageError(`--airflow-version ${version}: not an Airflow version (expected e.g. 2.7.2)`);
  }
  return version;
}

async function scanCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, SCAN_OPTIONS);
  if (values.help) {
    io.stdout(usage());
    return EXIT_OK;
  }
  const home = homeArg('scan', positionals, io.env);
  const inventory = await scanHome(home.path, {
    envFile: values['env-file'],
    useEnv: values['use-env'],
    env: io.env,
    airflowVersion: airflowVersionFlag(values['airflow-version']),
    cache: !values['no-cache'],
  });
  io.stdout(values.json ? `${JSON.stringify(inventory, null, 2)}\n` : renderScanText(inventory, { color: useColor(io), width: 100 }));
  return EXIT_OK;
}

// What report and size both take to size an environment.
const SIZE_OPTIONS = {
  ...HOME_OPTIONS,
  'target-version': { type: 'string' },
  region: { type: 'string' },
  'load-file': { type: 'string' },
  'live-prices': { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

/** The sizing options from the flags: all checked, the load file read and live prices fetched, before any scan. */
async function sizingFlags(
  values: { 'target-version'?: string; region?: string; 'load-file'?: string; 'live-prices'?: boolean },
  env: CliIO['env'],
): Promise<SizingOptions> {
  const offered = targetVersions().map((v) => v.version);
  const target = values['target-version'] ?? defaultTarget();
  if (!offered.includes(target)) throw new UsageError(`--target-version ${target}: MWAA does not offer it; choose one of ${offered.join(', ')}`);
  const region = values.region ?? defaultRegion();
  // The region becomes part of the offer file URL: only a region's shape may go there.
  if (values['live-prices'] && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new UsageError(`--region ${region}: not an AWS region name`);
  const prices = values['live-prices'] ? await fetchRegionPrices(region, env) : regionPrices(region);
  const loadFile = values['load-file'];
  const load = loadFile === undefined ? undefined : readLoadFile(loadFile).hourly;
  return { target, region, prices, ...(load ? { load, loadFile } : {}) };
}

async function sizeCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { ...SIZE_OPTIONS, json: { type: 'boolean' } });
  if (values.help) {
    io.stdout(usage());
    return EXIT_OK;
  }
  const sizingOptions = await sizingFlags(values, io.env);
  const airflowVersion = airflowVersionFlag(values['airflow-version']);
  const home = homeArg('size', positionals, io.env);
  const inventory = await scanHome(home.path, { envFile: values['env-file'], env: io.env, airflowVersion, cache: !values['no-cache'] });
  const sizing = sizeEnvironment(inventory, sizingOptions);
  if (values.json) io.stdout(`${JSON.stringify(sizing, null, 2)}\n`);
  else {
    const s = style(useColor(io));
    const width = io.isTTY ? Math.max(60, io.columns ?? 100) : 100;
    const wrap = (t: string) => wrapAnsi(t, width - 2, { hard: true, trim: true }).split('\n');
    io.stdout(`${[s.bold(`mwaa-migrate size: ${home.given}`), ...renderSizingText(sizing, wrap)].join('\n')}\n`);
  }
  return EXIT_OK;
}

const REPORT_OPTIONS = {
  ...SIZE_OPTIONS,
  format: { type: 'string', default: 'text' },
  output: { type: 'string' },
  'fail-on': { type: 'string', default: 'error' },
  select: { type: 'string', multiple: true },
  ignore: { type: 'string', multiple: true },
  'project-file': { type: 'string' },
  timestamp: { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;

async function reportCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, REPORT_OPTIONS);
  if (values.help) {
    io.stdout(usage());
    return EXIT_OK;
  }
  // Every flag is checked before the (possibly long) scan starts.
  const format = values.format;
  if (!isReportFormat(format)) throw new UsageError(`--format ${format}: not one of ${REPORT_FORMATS.join(', ')}`);
  const failOn = FAIL_ON.find((level) => level === values['fail-on']);
  if (!failOn) throw new UsageError(`--fail-on ${values['fail-on']}: not one of ${FAIL_ON.join(', ')}`);
  const sizingOptions = await sizingFlags(values, io.env);
  const { target } = sizingOptions;
  const catalog = loadCatalog();
  const select = ruleIds('--select', values.select, catalog.rules);
  const ignore = ruleIds('--ignore', values.ignore, catalog.rules);
  const airflowVersion = airflowVersionFlag(values['airflow-version']);
  const home = homeArg('report', positionals, io.env);
  const project = loadProject(resolve(home.path), values['project-file']);

  const envFile = values['env-file'];
  const inventory = await scanHome(home.path, { envFile, env: io.env, airflowVersion, cache: !values['no-cache'] });
  const result = check(inventory, catalog, { target, select, ignore, project });
  const report = buildReport({
    inventory,
    result,
    catalog,
    home: home.given,
    targetIsDefault: values['target-version'] === undefined,
    filters: { select, ignore },
    sources: readSources(inventory, [...result.findings, ...result.suppressed]),
    timestamp: values.timestamp ? new Date().toISOString() : undefined,
    sizing: sizeEnvironment(inventory, sizingOptions),
  });

  const output = values.output;
  const toTerminal = output === undefined && io.isTTY;
  const text = renderReport(report, format, { color: output === undefined && useColor(io), width: toTerminal ? (io.columns ?? 100) : 100 });
  if (output === undefined) io.stdout(text);
  else {
    try {
      writeFileSync(output, text);
    } catch (e) {
      throw new UsageError(`--output ${output}: ${(e as Error).message.split(',')[0]}`);
    }
    io.stderr(`mwaa-migrate: wrote ${output} (${countsLabel(report.counts.bySeverity)})\n`);
  }
  const failing = failOn === 'never' ? 0 : severitiesFrom(failOn).reduce((n, s) => n + report.counts.bySeverity[s], 0);
  return failing ? EXIT_FINDINGS : EXIT_OK;
}

/** Comma-separated rule ids or family prefixes, each matching at least one rule. */
function ruleIds(flag: string, values: string[] | undefined, rules: RuleDef[]): string[] {
  const ids = (values ?? []).flatMap((v) => v.split(',')).map((id) => id.trim().toUpperCase()).filter(Boolean);
  for (const id of ids) {
    if (!rules.some((r) => r.id.startsWith(id))) throw new UsageError(`${flag} ${id}: no rule has this id or prefix (list them with: mwaa-migrate rules)`);
  }
  return [...new Set(ids)];
}

const RULES_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

async function rulesCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, RULES_OPTIONS);
  if (values.help) {
    io.stdout(usage());
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError(`rules takes at most one rule id, got ${positionals.length}`);
  const { rules } = loadCatalog();
  const strip = ({ source: _source, ...r }: (typeof rules)[number]) => r;
  const id = positionals[0]?.toUpperCase();
  if (id) {
    const rule = rules.find((r) => r.id === id);
    if (!rule) throw new UsageError(`no rule ${positionals[0]} (list them with: mwaa-migrate rules)`);
    io.stdout(values.json ? `${JSON.stringify(strip(rule), null, 2)}\n` : renderRule(rule, join(RULES_DIR, 'fixtures'), { color: useColor(io) }));
    return EXIT_OK;
  }
  io.stdout(values.json ? `${JSON.stringify(rules.map(strip), null, 2)}\n` : renderRuleList(rules, { color: useColor(io), width: 120 }));
  return EXIT_OK;
}

// Where connections and variables come from, and where they go (plan, migrate and secrets take them).
const SECRETS_SOURCE_OPTIONS = {
  'connections-file': { type: 'string', multiple: true },
  'variables-file': { type: 'string', multiple: true },
  'secrets-env-file': { type: 'string' },
  'from-metadata-db': { type: 'boolean' },
  'metadata-db-url': { type: 'string' },
  'connections-prefix': { type: 'string' },
  'variables-prefix': { type: 'string' },
  'on-conflict': { type: 'string', default: 'fail' },
  'secrets-kms-key': { type: 'string' },
} satisfies ParseArgsConfig['options'];

type SecretsValues = ReturnType<typeof parse<typeof SECRETS_SOURCE_OPTIONS>>['values'];

function secretsFlags(values: SecretsValues): SecretsRequest | null {
  const onConflict = values['on-conflict'] ?? 'fail';
  if (onConflict !== 'fail' && onConflict !== 'skip' && onConflict !== 'overwrite') throw new UsageError(`--on-conflict ${onConflict}: fail, skip or overwrite`);
  return secretsRequest({
    connectionsFiles: values['connections-file'] ?? [],
    variablesFiles: values['variables-file'] ?? [],
    envFile: values['secrets-env-file'],
    fromMetadataDb: Boolean(values['from-metadata-db']),
    metadataDbUrl: values['metadata-db-url'],
    connectionsPrefix: values['connections-prefix'],
    variablesPrefix: values['variables-prefix'],
    onConflict,
    kmsKey: values['secrets-kms-key'],
  });
}

const PLAN_OPTIONS = {
  ...HOME_OPTIONS,
  'target-version': { type: 'string' },
  region: { type: 'string' },
  name: { type: 'string' },
  bucket: { type: 'string' },
  'execution-role-arn': { type: 'string' },
  'subnet-ids': { type: 'string' },
  'security-group-ids': { type: 'string' },
  class: { type: 'string' },
  'dags-prefix': { type: 'string', default: 'dags' },
  'webserver-access': { type: 'string', default: 'PRIVATE_ONLY' },
  'maintenance-window': { type: 'string' },
  'kms-key': { type: 'string' },
  tag: { type: 'string', multiple: true },
  delete: { type: 'boolean' },
  out: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'mwaa-endpoint-url': { type: 'string' },
  profile: { type: 'string' },
  'no-preflight': { type: 'boolean' },
  ...SECRETS_SOURCE_OPTIONS,
} satisfies ParseArgsConfig['options'];

/** --endpoint-url, --mwaa-endpoint-url and --profile, each checked for shape. */
function awsAccess(values: { 'endpoint-url'?: string; 'mwaa-endpoint-url'?: string; profile?: string }, env: CliIO['env']): AwsAccess {
  for (const flag of ['endpoint-url', 'mwaa-endpoint-url'] as const) {
    const v = values[flag];
    if (v !== undefined && !URL.canParse(v)) throw new UsageError(`--${flag} ${v}: not a URL (e.g. http://localhost:4566)`);
  }
  return { endpointUrl: values['endpoint-url'], mwaaEndpointUrl: values['mwaa-endpoint-url'], profile: values.profile, env };
}

type PlanValues = ReturnType<typeof parse<typeof PLAN_OPTIONS>>['values'];

function required(command: string, flag: string, value: string | undefined, shape: RegExp, example: string): string {
  if (value === undefined) throw new UsageError(`${command} needs --${flag} (e.g. --${flag} ${example})`);
  if (!shape.test(value)) throw new UsageError(`--${flag} ${value}: not a valid value (e.g. ${example})`);
  return value;
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function planRequest(command: string, values: PlanValues, positionals: string[], env: CliIO['env']): PlanRequest {
  const offered = targetVersions().map((v) => v.version);
  const target = values['target-version'] ?? defaultTarget();
  if (!offered.includes(target)) throw new UsageError(`--target-version ${target}: MWAA does not offer it; choose one of ${offered.join(', ')}`);
  const region = values.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (!region || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new UsageError(`${command} needs an AWS region: --region or AWS_REGION${region ? ` (${region} is not one)` : ''}`);
  const subnetIds = list(values['subnet-ids']);
  if (subnetIds.length !== 2 || !subnetIds.every((s) => /^subnet-[0-9a-f]+$/.test(s))) throw new UsageError('--subnet-ids: MWAA needs exactly two private subnets, e.g. --subnet-ids subnet-0a1b,subnet-2c3d');
  const securityGroupIds = list(values['security-group-ids']);
  if (securityGroupIds.length < 1 || securityGroupIds.length > 5 || !securityGroupIds.every((s) => /^sg-[0-9a-f]+$/.test(s))) {
    throw new UsageError('--security-group-ids: one to five security groups, e.g. --security-group-ids sg-0a1b');
  }
  const access = values['webserver-access'];
  if (access !== 'PRIVATE_ONLY' && access !== 'PUBLIC_ONLY') throw new UsageError(`--webserver-access ${access}: PRIVATE_ONLY or PUBLIC_ONLY`);
  const dagsPrefix = values['dags-prefix'].replace(/^\/+|\/+$/g, '');
  if (!dagsPrefix || dagsPrefix === PLUGINS_KEY || dagsPrefix === REQUIREMENTS_KEY) throw new UsageError(`--dags-prefix ${values['dags-prefix']}: a folder in the bucket, e.g. dags`);
  const tags: Record<string, string> = {};
  for (const t of values.tag ?? []) {
    const at = t.indexOf('=');
    if (at < 1) throw new UsageError(`--tag ${t}: expected KEY=VALUE`);
    tags[t.slice(0, at)] = t.slice(at + 1);
  }
  const maintenance = values['maintenance-window'];
  if (maintenance !== undefined && !/^(MON|TUE|WED|THU|FRI|SAT|SUN):([01]\d|2[0-3]):(00|30)$/.test(maintenance)) throw new UsageError(`--maintenance-window ${maintenance}: DAY:HH:MM on the hour or half hour, e.g. SUN:03:00`);
  const airflowVersion = airflowVersionFlag(values['airflow-version']);
  const home = homeArg(command, positionals, env);
  const secrets = secretsFlags(values);
  const settings: PlanSettings = {
    home: home.given,
    target,
    region,
    name: required(command, 'name', values.name, /^[a-zA-Z][0-9a-zA-Z_-]{0,79}$/, 'airflow-prod'),
    bucket: required(command, 'bucket', values.bucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'acme-airflow-dags'),
    dagsPrefix,
    executionRoleArn: required(command, 'execution-role-arn', values['execution-role-arn'], /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/?[\w+=,.@\-/]+$/, 'arn:aws:iam::123456789012:role/mwaa-exec'),
    subnetIds,
    securityGroupIds,
    ...(values.class ? { environmentClass: values.class } : {}),
    webserverAccessMode: access,
    ...(maintenance ? { maintenanceWindow: maintenance } : {}),
    ...(values['kms-key'] ? { kmsKey: values['kms-key'] } : {}),
    tags,
    delete: Boolean(values.delete),
    ...(secrets ? { secrets } : {}),
    ...(values['env-file'] !== undefined ? { envFile: values['env-file'] } : {}),
  };
  return {
    settings,
    homePath: home.path,
    airflowVersion,
    envFile: values['env-file'],
    cache: !values['no-cache'],
    aws: awsAccess(values, env),
    preflight: !values['no-preflight'],
    ...(values['metadata-db-url'] !== undefined ? { metadataDbUrl: values['metadata-db-url'] } : {}),
  };
}

function writePlan(plan: Plan, file: string, io: CliIO): void {
  writePlanFile(plan, file);
  const c = plan.counts;
  io.stderr(`mwaa-migrate: wrote ${file} (${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.unchanged} unchanged)\n`);
}

async function planCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, PLAN_OPTIONS);
  if (values.help) {
    io.stdout(usage());
    return EXIT_OK;
  }
  const plan = await makePlan(planRequest('plan', values, positionals, io.env));
  if (values.out === undefined) io.stdout(renderPlanText(plan));
  else writePlan(plan, values.out, io);
  const { overridable, hard } = refusals(plan);
  if (overridable.length + hard.length) return EXIT_FINDINGS;
  return hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
}

const APPLY_OPTIONS = {
  'endpoint-url': { type: 'string' },
  'mwaa-endpoint-url': { type: 'string' },
  'no-wait': { type: 'boolean' },
  'poll-seconds': { type: 'string', default: '30' },
  profile: { type: 'string' },
  'allow-errors': { type: 'boolean' },
  'metadata-db-url': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

interface ApplyFlags {
  aws: AwsAccess;
  metadataDbUrl: string | undefined;
  wait: boolean;
  pollMs: number;
}

function applyFlags(values: ReturnType<typeof parse<typeof APPLY_OPTIONS>>['values'], env: CliIO['env']): ApplyFlags {
  const pollSeconds = Number(values['poll-seconds']);
  if (!(pollSeconds > 0)) throw new UsageError(`--poll-seconds ${values['poll-seconds']}: a positive number of seconds`);
  return {
    aws: awsAccess(values, env),
    metadataDbUrl: values['metadata-db-url'],
    wait: !values['no-wait'],
    pollMs: pollSeconds * 1000,
  };
}

function readPlan(file: string): Plan {
  let plan: Plan;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8')) as Plan;
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (plan?.formatVersion !== PLAN_FORMAT_VERSION || !Array.isArray(plan.actions) || typeof plan.inputs?.region !== 'string') {
    throw new UsageError(`${file}: not a plan of format ${PLAN_FORMAT_VERSION} (make one with: mwaa-migrate plan ... --out ${file})`);
  }
  return plan;
}

const NEXT_STEPS = (name: string, secretsMoved: boolean) => `Next steps:
  - sign in to the Airflow UI (or: aws mwaa create-web-login-token --name ${name}) and check for DAG import errors;
  - ${secretsMoved ? 'check that the DAGs find their connections and variables in Secrets Manager' : 'move connections and variables: mwaa-migrate secrets AIRFLOW_HOME --from-metadata-db (or --connections-file, --secrets-env-file), then apply a new plan made with the same flags'};
  - pause each DAG on the old scheduler before unpausing it here, so no run happens twice.
`;

// What a status that ends the wait means, in plain words (MWAA's status descriptions, and the
// causes its users hit most often).
const AFTERMATH: Record<string, string> = {
  CREATE_FAILED:
    'MWAA could not create the environment, and an environment in this state cannot be updated: delete it (aws mwaa delete-environment --name NAME), fix the cause and run migrate again. ' +
    'The usual causes: the private subnets have no route to a NAT gateway nor the VPC endpoints MWAA needs, the execution role cannot be assumed by MWAA or cannot read the bucket, or requirements.txt does not install.',
  UPDATE_FAILED: 'The update failed and MWAA rolled the environment back; it is usable with its previous settings. Fix the cause and run apply again.',
  UNAVAILABLE: 'The environment failed and could not roll back. Contact AWS support or delete and recreate it.',
  PENDING: 'The environment waits for the VPC endpoints you manage (EndpointManagement CUSTOMER); create them for its WebserverVpcEndpointService and DatabaseVpcEndpointService. MWAA gives up after 72 hours.',
};

const failed = (status: string) => status === 'CREATE_FAILED' || status === 'UPDATE_FAILED' || status === 'UNAVAILABLE';

function applySummary(r: ApplyResult, wait: boolean, secretsMoved: boolean): string {
  const url = r.webserverUrl ? `https://${r.webserverUrl.replace(/^https?:\/\//, '')}` : '(not reported yet)';
  const did = { created: 'created', updated: 'updated', unchanged: 'already as planned, not changed' }[r.environment];
  const lines = [`Environment ${r.name}: ${r.status} (${did}).`];
  if (r.notUpdatable.length) {
    lines.push('These settings differ and only a new environment can change them:', ...r.notUpdatable.map((d) => `  ${d.setting}: ${d.current} (planned ${d.planned})`));
  }
  const aftermath = AFTERMATH[r.status];
  if (failed(r.status)) return `${[...lines, r.error ?? 'MWAA gave no reason.', aftermath!.replace('NAME', r.name)].join('\n')}\n`;
  if (aftermath) lines.push(aftermath);
  if (!wait && r.status !== 'AVAILABLE') return `${[...lines, 'The change continues in AWS; run apply again (without --no-wait) to wait for it.'].join('\n')}\n`;
  return `${[...lines, `Airflow UI: ${url}`].join('\n')}\n${NEXT_STEPS(r.name, secretsMoved)}`;
}

/** Whether a plan may be applied, saying why not (or, with --allow-errors, what is overridden). */
function allowed(plan: Plan, allowErrors: boolean, io: CliIO): boolean {
  const { overridable, hard } = refusals(plan);
  const refused = [...hard, ...(allowErrors ? [] : overridable)];
  if (refused.length > 0) {
    const hint = allowErrors || overridable.length === 0 ? '' : ` (see the findings with: mwaa-migrate report ${plan.inputs.home}; --allow-errors goes on despite findings and failed checks)`;
    io.stderr(`mwaa-migrate: the plan cannot be applied as it is: ${refused.join('; ')}${hint}. Nothing was changed.\n`);
    return false;
  }
  if (overridable.length) io.stderr(`mwaa-migrate: warning: going on despite ${overridable.join('; ')} (--allow-errors)\n`);
  return true;
}

/** Applies a plan written to file, printing progress and the outcome. */
async function runApply(plan: Plan, file: string, f: ApplyFlags, io: CliIO): Promise<number> {
  const result = await applyPlanFile(plan, file, { aws: f.aws, ...(f.metadataDbUrl !== undefined ? { metadataDbUrl: f.metadataDbUrl } : {}), wait: f.wait, pollMs: f.pollMs, progress: (l) => io.stderr(`mwaa-migrate: ${l}\n`) });
  io.stdout(applySummary(result, f.wait, plan.secrets !== null));
  return failed(result.status) ? EXIT_FAILED : EXIT_OK;
}

async function applyCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, APPLY_OPTIONS);
  if (values.help) {
    io.stdout(usage());
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError(`apply takes one PLAN.json, got ${positionals.length}`);
  const flags = applyFlags(values, io.env);
  const file = positionals[0]!;
  const plan = readPlan(file);
  if (!allowed(plan, Boolean(values['allow-errors']), io)) return EXIT_FINDINGS;
  return runApply(plan, file, flags, io);
}

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
} satisfies ParseArgsConfig['options'];

/** The secrets step alone: read the sources, compare with Secrets Manager, confirm, write. */
async function secretsCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, SECRETS_OPTIONS);
  if (values.help) {
    io.stdout(usage());
    return EXIT_OK;
  }
  const offered = targetVersions().map((v) => v.version);
  const target = values['target-version'] ?? defaultTarget();
  if (!offered.includes(target)) throw new UsageError(`--target-version ${target}: MWAA does not offer it; choose one of ${offered.join(', ')}`);
  const region = values.region ?? io.env['AWS_REGION'] ?? io.env['AWS_DEFAULT_REGION'];
  if (!region || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new UsageError(`secrets needs an AWS region: --region or AWS_REGION${region ? ` (${region} is not one)` : ''}`);
  const request = secretsFlags(values);
  if (!request) throw new UsageError('secrets needs a source: --connections-file, --variables-file, --secrets-env-file, --from-metadata-db or --metadata-db-url');
  const aws = awsAccess(values, io.env);
  checkProfile(aws);
  const canAsk = io.readLine !== undefined && !io.env['CI'];
  if (!values.yes && !values['dry-run'] && !canAsk) throw new UsageError('secrets writes to AWS and cannot ask for confirmation here (no terminal, or CI is set): pass --yes');
  const home = homeArg('secrets', positionals, io.env);
  const context = { home: home.path, envFile: values['env-file'], env: io.env, ...(values['metadata-db-url'] !== undefined ? { metadataDbUrl: values['metadata-db-url'] } : {}) };
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
    const r = await upsertSecrets({
      client,
      actions,
      current: secrets,
      journal: new Journal(values.journal),
      ...(request.kmsKey ? { kmsKeyId: request.kmsKey } : {}),
    });
    io.stdout(`Secrets: ${r.written} written, ${r.skipped} already in place${r.failed ? `, ${r.failed} failed` : ''}.\n`);
    for (const f of r.failures) io.stderr(`mwaa-migrate: ${f.name}: ${f.reason}\n`);
    return r.failed ? EXIT_FAILED : EXIT_OK;
  } finally {
    client.destroy();
  }
}

const GUIDE_OPTIONS = {
  region: { type: 'string' },
  profile: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'mwaa-endpoint-url': { type: 'string' },
  'poll-seconds': { type: 'string', default: '30' },
  'no-cache': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

async function guideCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, GUIDE_OPTIONS);
  if (values.help) {
    io.stdout(usage());
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError(`guide takes one AIRFLOW_HOME, got ${positionals.length}: ${positionals.join(' ')}`);
  const aws = awsAccess(values, io.env);
  const pollSeconds = Number(values['poll-seconds']);
  if (!(pollSeconds > 0)) throw new UsageError(`--poll-seconds ${values['poll-seconds']}: a positive number of seconds`);
  // Loaded only here: the other commands never pay for Ink and React.
  const { runGuide } = await import('./guide/run.js');
  return runGuide({
    home: positionals[0],
    region: values.region,
    profile: aws.profile,
    endpointUrl: aws.endpointUrl,
    mwaaEndpointUrl: aws.mwaaEndpointUrl,
    pollSeconds,
    noCache: values['no-cache'],
    env: io.env,
  });
}

const DEFAULT_PLAN_FILE = 'mwaa-migrate-plan.json';

const MIGRATE_OPTIONS = {
  ...PLAN_OPTIONS,
  ...APPLY_OPTIONS,
  out: { type: 'string', default: DEFAULT_PLAN_FILE },
  yes: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

async function migrateCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, MIGRATE_OPTIONS);
  if (values.help) {
    io.stdout(usage());
    return EXIT_OK;
  }
  const request = planRequest('migrate', values, positionals, io.env);
  const flags = applyFlags(values, io.env);
  const { name, region } = request.settings;
  // Refused before the scan: a run nobody can confirm should not first keep someone waiting.
  const canAsk = io.readLine !== undefined && !io.env['CI'];
  if (!values.yes && !values['dry-run'] && !canAsk) throw new UsageError('migrate changes AWS and cannot ask for confirmation here (no terminal, or CI is set): pass --yes');

  const plan = await makePlan(request);
  if (!allowed(plan, Boolean(values['allow-errors']), io)) {
    io.stdout(renderPlanText(plan));
    return EXIT_FINDINGS;
  }
  writePlan(plan, values.out, io);
  io.stdout(renderPlanText(plan));
  let who;
  try {
    who = await callerIdentity({ region, endpoint: endpointFor(request.aws, 'STS'), profile: request.aws.profile });
  } catch (e) {
    throw new UsageError(`reading the AWS identity (sts:GetCallerIdentity): ${(e as Error).name}: ${(e as Error).message}`);
  }
  io.stderr(`mwaa-migrate: AWS account ${who.account} (${who.arn}), region ${region}\n`);
  if (values['dry-run']) return hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  if (!values.yes) {
    const verb = plan.actions.some((a) => a.kind === 'create-environment') ? 'create' : 'update';
    const answer = await io.readLine!(`Type the environment name (${name}) to ${verb} it and write to s3://${request.settings.bucket}${plan.secrets ? ' and Secrets Manager' : ''}: `);
    if (answer.trim() !== name) {
      io.stderr('mwaa-migrate: not confirmed; nothing was changed in AWS\n');
      return EXIT_DECLINED;
    }
  }
  return runApply(plan, values.out, flags, io);
}
