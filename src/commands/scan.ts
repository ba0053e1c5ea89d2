import { EXIT_OK } from '../exit.js';
import { scanHome } from '../home/scan.js';
import { renderScanText } from '../report/scan-text.js';
import { useColor } from '../report/style.js';
import { airflowVersionFlag, HOME_OPTIONS, homeArg, parse, type Options } from './args.js';
import { printUsage } from './help.js';
import type { CliIO } from './io.js';

// scan: read an Airflow home into an inventory.

const SCAN_OPTIONS = {
  ...HOME_OPTIONS,
  json: { type: 'boolean' },
  'use-env': { type: 'boolean' },
} satisfies Options;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, SCAN_OPTIONS);
  if (values.help) return printUsage(io);
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
