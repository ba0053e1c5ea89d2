import { shippedInterest } from '../check/interest.js';
import { EXIT_OK } from '../exit.js';
import { scanHome } from '../home/scan.js';
import { batched, jsonChunks } from '../report/json-chunks.js';
import { renderScanText } from '../report/scan-text.js';
import { useColor } from '../report/style.js';
import { airflowVersionFlag, HOME_OPTIONS, homeArg, parse, type Options } from './args.js';
import { printUsage } from './help.js';
import { streamOut, type CliIO } from './io.js';

// scan: read an Airflow home into an inventory.

const SCAN_OPTIONS = {
  ...HOME_OPTIONS,
  json: { type: 'boolean' },
  'use-env': { type: 'boolean' },
} satisfies Options;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, SCAN_OPTIONS, 'scan');
  if (values.help) return printUsage(io, 'scan');
  const home = homeArg('scan', positionals, io.env);
  const inventory = await scanHome(home.path, {
    envFile: values['env-file'],
    useEnv: values['use-env'],
    env: io.env,
    airflowVersion: airflowVersionFlag(values['airflow-version']),
    cache: !values['no-cache'],
    interest: shippedInterest(),
    // The text reads outlines alone; the JSON, every analysis.
    deferAnalyses: !values.json,
  });
  // A terminal's own width; 100 columns in a pipe or a file.
  if (!values.json) io.stdout(renderScanText(inventory, { color: useColor(io), width: io.isTTY ? Math.max(60, io.columns ?? 100) : 100 }));
  else {
    // Written as it is rendered, one DAG file at a time: the JSON of a large home is 200 MB.
    await streamOut(io, batched(jsonChunks(inventory, 2)));
    io.stdout('\n');
  }
  return EXIT_OK;
}
