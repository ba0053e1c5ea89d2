import wrapAnsi from 'wrap-ansi';
import { shippedInterest } from '../check/interest.js';
import { EXIT_OK, UsageError } from '../exit.js';
import { scanHome } from '../home/scan.js';
import { style, useColor } from '../report/style.js';
import { fetchRegionPrices } from '../sizing/live-prices.js';
import { readLoadFile } from '../sizing/load-file.js';
import { renderSizingText } from '../sizing/render.js';
import { regionPrices, sizeEnvironment, type SizingOptions } from '../sizing/sizing.js';
import { defaultRegion } from '../sizing/table.js';
import { airflowVersionFlag, HOME_OPTIONS, homeArg, parse, REGION_NAME, targetVersionFlag, type Options } from './args.js';
import { printUsage } from './help.js';
import type { CliIO } from './io.js';

// size: recommend an MWAA environment size and its monthly cost. Its flags are report's too.

// What report and size both take to size an environment.
export const SIZE_OPTIONS = {
  ...HOME_OPTIONS,
  'target-version': { type: 'string' },
  region: { type: 'string' },
  'load-file': { type: 'string' },
  'live-prices': { type: 'boolean' },
} satisfies Options;

/** The sizing options from the flags: all checked, the load file read and live prices fetched, before any scan. */
export async function sizingFlags(
  values: { 'target-version'?: string; region?: string; 'load-file'?: string; 'live-prices'?: boolean },
  env: CliIO['env'],
): Promise<SizingOptions> {
  const target = targetVersionFlag(values['target-version']);
  const region = values.region ?? defaultRegion();
  // The region becomes part of the offer file URL: only a region's shape may go there.
  if (values['live-prices'] && !REGION_NAME.test(region)) throw new UsageError(`--region ${region}: not an AWS region name`);
  const prices = values['live-prices'] ? await fetchRegionPrices(region, env) : regionPrices(region);
  const loadFile = values['load-file'];
  const load = loadFile === undefined ? undefined : readLoadFile(loadFile).hourly;
  return { target, region, prices, ...(load ? { load, loadFile } : {}) };
}

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
