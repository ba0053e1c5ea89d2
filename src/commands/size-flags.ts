import { UsageError } from '../exit.js';
import { fetchRegionPrices } from '../sizing/live-prices.js';
import { readLoadFile } from '../sizing/load-file.js';
import { regionPrices, type SizingOptions } from '../sizing/sizing.js';
import { defaultRegion } from '../sizing/table.js';
import { HOME_OPTIONS, REGION_NAME, targetVersionFlag, type Options } from './args.js';
import type { CliIO } from './io.js';

// The flags report and size both take to size an environment, apart from size's text output (and
// its wrapping): report loads only these.

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
