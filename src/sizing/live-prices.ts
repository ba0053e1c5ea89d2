import { UsageError } from '../exit.js';
import { sizingData, type Fact, type RegionPrices } from './table.js';

// --live-prices: the region's prices read from the public AWS Price List offer file for MWAA
// (no credentials) in place of the bundled table. Any failure is an error naming the URL: a
// silent fall-back would print old prices as if they were current.

/** Points the offer file URL at a mirror or a test server (the part before /offers/...). */
export const PRICE_LIST_URL_ENV = 'MWAA_MIGRATE_PRICE_LIST_URL';
const FETCH_TIMEOUT_MS = 30_000;

/** The parts of an offer file this reads (the AWS Price List bulk API's JSON). */
interface OfferFile {
  publicationDate?: unknown;
  products?: Record<string, { sku?: string; attributes?: { usagetype?: string } }>;
  terms?: { OnDemand?: Record<string, Record<string, { priceDimensions?: Record<string, { beginRange?: string; pricePerUnit?: Record<string, string> }> }>> };
}

/** The offer file URL for a region: the pattern from mwaa.yaml, its origin replaced when the environment says so. */
export function offerFileUrl(region: string, env: Record<string, string | undefined>): string {
  const url = sizingData().pricing.priceListUrl.value.replace('<region>', region);
  const base = env[PRICE_LIST_URL_ENV];
  return base ? `${base.replace(/\/+$/, '')}${new URL(url).pathname}` : url;
}

export async function fetchRegionPrices(region: string, env: Record<string, string | undefined>): Promise<RegionPrices> {
  const url = offerFileUrl(region, env);
  const fail = (why: string): never => {
    throw new UsageError(`--live-prices: ${url}: ${why}`);
  };
  let offer: OfferFile;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) fail(`HTTP ${response.status}${response.status === 403 || response.status === 404 ? ' (no MWAA offer file for this region?)' : ''}`);
    offer = (await response.json()) as OfferFile;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return fail(e instanceof SyntaxError ? 'not JSON' : (cause?.code ?? cause?.message ?? (e as Error).message));
  }
  return pricesFromOffer(offer, url, fail);
}

/** Usage types are "<REGIONPREFIX>-Airflow-<Size><Component>", e.g. USE1-Airflow-SmallWorker; this is the part after "Airflow-", lower case. */
const usageKey = (usagetype: string): string | null => /(?:^|-)Airflow-(\w+)$/i.exec(usagetype)?.[1]!.toLowerCase() ?? null;

function pricesFromOffer(offer: OfferFile, url: string, fail: (why: string) => never): RegionPrices {
  const published = typeof offer.publicationDate === 'string' ? offer.publicationDate : fail('no publicationDate: not an AWS Price List offer file');
  if (typeof offer.products !== 'object' || offer.products === null || typeof offer.terms?.OnDemand !== 'object') fail('no products or terms.OnDemand: not an AWS Price List offer file');
  const prices = new Map<string, Fact<number>>();
  for (const [sku, product] of Object.entries(offer.products!)) {
    const usagetype = product.attributes?.usagetype;
    const key = usagetype ? usageKey(usagetype) : null;
    if (!key) continue;
    const dimensions = Object.values(offer.terms!.OnDemand![sku] ?? {}).flatMap((t) => Object.values(t.priceDimensions ?? {}));
    // Tiered prices start at 0; MWAA's are flat, so the first tier is the price.
    const usd = (dimensions.find((d) => d.beginRange === '0') ?? dimensions[0])?.pricePerUnit?.['USD'];
    const value = usd === undefined ? Number.NaN : Number(usd);
    if (!Number.isFinite(value) || value < 0) fail(`${usagetype} (sku ${sku}) has no on-demand USD price`);
    prices.set(key, { value, source: `${usagetype} (sku ${sku})` });
  }
  if (!prices.size) fail('no Airflow usage types: not the MWAA offer file');
  const rates = (component: string): Record<string, Fact<number | null>> =>
    Object.fromEntries(
      sizingData().classes.map((c) => {
        const key = `${c.name.replace(/^mw1\./, '')}${component}`;
        return [c.name, prices.get(key) ?? { value: null, source: `no Airflow-${key} usage type in the offer file` }];
      }),
    );
  return {
    asOf: `offer file published ${published}`,
    source: [url],
    confidence: 'official (AWS Price List, read at run time)',
    environmentPerHour: rates('environment'),
    additionalWorkerPerHour: rates('worker'),
    additionalSchedulerPerHour: rates('scheduler'),
    additionalWebserverPerHour: rates('webserver'),
    metadataGbMonth: prices.get('standarddatabasestorage') ?? { value: null, source: 'no Airflow-StandardDatabaseStorage usage type in the offer file' },
    live: { url, published },
  };
}
