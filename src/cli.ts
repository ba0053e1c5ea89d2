import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { valid } from '@renovatebot/pep440';
import { EXIT_OK, EXIT_USAGE, UsageError } from './exit.js';
import { ScanInputError, scanHome } from './home/scan.js';
import { loadCatalog, RuleFileError, RULES_DIR } from './check/catalog.js';
import { renderRule, renderRuleList } from './report/rules-text.js';
import { renderScanText } from './report/scan-text.js';
import { useColor } from './report/style.js';
import { TOOL_VERSION } from './version.js';

const USAGE = `mwaa-migrate ${TOOL_VERSION}: move a self-hosted Apache Airflow to Amazon MWAA

Usage:
  mwaa-migrate scan [AIRFLOW_HOME] [options]   read an Airflow home into an inventory
  mwaa-migrate rules [ID] [--json]             list the rule catalogue, or explain one rule

Scan options:
  --json                   print the inventory as JSON (schema: schema/inventory.schema.json)
  --env-file FILE          overlay AIRFLOW__*, AIRFLOW_CONN_*, AIRFLOW_VAR_* from a dotenv file
  --use-env                also overlay them from this process's environment
  --airflow-version X      the Airflow version in use (skips detection)
  --no-cache               do not read or write the scan cache
  --debug                  show stack traces for unexpected errors

AIRFLOW_HOME defaults to $AIRFLOW_HOME, then ~/airflow.
Exit codes: 0 ok, 1 findings at or above the threshold, 2 usage or input error.
`;

const SCAN_OPTIONS = {
  json: { type: 'boolean' },
  'env-file': { type: 'string' },
  'use-env': { type: 'boolean' },
  'airflow-version': { type: 'string' },
  'no-cache': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  isTTY: boolean;
}

const processIO: CliIO = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
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
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? io.stderr : io.stdout)(USAGE);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (command === '--version' || command === '-V') {
    io.stdout(`${TOOL_VERSION}\n`);
    return EXIT_OK;
  }
  if (command === 'scan') return scanCommand(rest, io);
  if (command === 'rules') return rulesCommand(rest, io);
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

function defaultHome(env: CliIO['env']): string {
  return env['AIRFLOW_HOME'] || join(homedir(), 'airflow');
}

async function scanCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, SCAN_OPTIONS);
  if (values.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError(`scan takes one AIRFLOW_HOME, got ${positionals.length}: ${positionals.join(' ')}`);
  const version = values['airflow-version'];
  if (version !== undefined && (!valid(version) || !/^[123]\.\d+/.test(version))) {
    throw new UsageError(`--airflow-version ${version}: not an Airflow version (expected e.g. 2.7.2)`);
  }
  const inventory = await scanHome(positionals[0] ?? defaultHome(io.env), {
    envFile: values['env-file'],
    useEnv: values['use-env'],
    env: io.env,
    airflowVersion: version,
    cache: !values['no-cache'],
  });
  io.stdout(values.json ? `${JSON.stringify(inventory, null, 2)}\n` : renderScanText(inventory, { color: useColor(io), width: 100 }));
  return EXIT_OK;
}

const RULES_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

async function rulesCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, RULES_OPTIONS);
  if (values.help) {
    io.stdout(USAGE);
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
