import { EXIT_OK, EXIT_USAGE, UsageError } from './exit.js';
import { processIO, type CliIO } from './commands/io.js';
import { TOOL_VERSION } from './version.js';

// The entry point: argv to a command. Each command is its own module under commands/, imported
// only when asked for, so that --version and --help start in a blink and a command loads only
// what it needs (no AWS SDK for report, no Ink but for the guide).

export type { CliIO };

interface Command {
  run(args: string[], io: CliIO): Promise<number>;
}

const COMMANDS = new Map<string, () => Promise<Command>>([
  ['help', () => import('./commands/help.js')],
  ['--help', () => import('./commands/help.js')],
  ['-h', () => import('./commands/help.js')],
  ['guide', () => import('./commands/guide.js')],
  ['scan', () => import('./commands/scan.js')],
  ['report', () => import('./commands/report.js')],
  ['fix', () => import('./commands/fix.js')],
  ['size', () => import('./commands/size.js')],
  ['rules', () => import('./commands/rules.js')],
  ['plan', () => import('./commands/plan.js')],
  ['preflight', () => import('./commands/preflight.js')],
  ['apply', () => import('./commands/apply.js')],
  ['migrate', () => import('./commands/migrate.js')],
  ['secrets', () => import('./commands/secrets.js')],
]);

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await dispatch(argv, io);
  } catch (e) {
    // Input errors (bad flags, an unreadable home, a bad rule file) are one line.
    if (e instanceof UsageError) {
      io.stderr(`mwaa-migrate: ${(e as Error).message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`mwaa-migrate: internal error: ${(e as Error)?.message ?? String(e)}${debug ? '' : ' (run with --debug for the stack trace)'}\n`);
    if (debug) io.stderr(`${(e as Error)?.stack ?? ''}\n`);
    return EXIT_USAGE;
  }
}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') {
    io.stdout(`${TOOL_VERSION}\n`);
    return EXIT_OK;
  }
  // No command: the walkthrough on a terminal; elsewhere it says which commands to use instead.
  const load = COMMANDS.get(command ?? 'guide');
  if (!load) throw new UsageError(`unknown command '${command}' (try: mwaa-migrate --help)`);
  return (await load()).run(rest, io);
}
