import wrapAnsi from 'wrap-ansi';
import { shippedInterest } from '../check/interest.js';
import { EXIT_OK } from '../exit.js';
import { scanHome } from '../home/scan.js';
import { style, useColor } from '../report/style.js';
import { renderSizingText } from '../sizing/render.js';
import { sizeEnvironment } from '../sizing/sizing.js';
import { airflowVersionFlag, homeArg, parse } from './args.js';
import { printUsage } from './help.js';
import type { CliIO } from './io.js';
import { SIZE_OPTIONS, sizingFlags } from './size-flags.js';

// size: recommend an MWAA environment size and its monthly cost. Its flags are report's too (size-flags.ts).

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { ...SIZE_OPTIONS, json: { type: 'boolean' } }, 'size');
  if (values.help) return printUsage(io, 'size');
  const sizingOptions = await sizingFlags(values, io.env);
  const airflowVersion = airflowVersionFlag(values['airflow-version']);
  const home = homeArg('size', positionals, io.env);
  const inventory = await scanHome(home.path, { envFile: values['env-file'], env: io.env, airflowVersion, cache: !values['no-cache'], interest: shippedInterest(), deferAnalyses: true });
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
