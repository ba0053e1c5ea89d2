import { dataTable } from '../refdata/data.js';

// The generated class and price table (rules/data/mwaa-sizing.json, from mwaa.yaml) and the
// regions it covers: apart from sizing.ts, so that the usage text and the flag checks can name
// the regions without loading the sizing itself.

/** A number (or name) and where it came from: an mwaa.yaml path, a config line, or "derived: ...". */
export interface Fact<T> {
  value: T;
  source: string;
}

interface Range {
  min: Fact<number>;
  max: Fact<number>;
  default?: Fact<number>;
}

export interface EnvironmentClass {
  name: string;
  dagCapacity: Fact<number>;
  tasksPerWorker: Fact<number>;
  autoscaling: Fact<boolean>;
  workers: Range & { maxNote?: string };
  schedulers: Range;
  webservers: Range;
  airflowVersions: { text: string; established: boolean; range: string | null; source: string };
}

export type Rates = Record<string, Fact<number | null>>;

export interface RegionPrices {
  asOf: string;
  source: string[];
  confidence: string;
  environmentPerHour: Rates;
  additionalWorkerPerHour: Rates;
  additionalSchedulerPerHour: Rates;
  additionalWebserverPerHour: Rates;
  metadataGbMonth: Fact<number | null>;
  /** Set when the prices were read from the AWS Price List at run time (--live-prices). */
  live?: { url: string; published: string };
}

interface SizingData {
  classes: EnvironmentClass[];
  pricing: {
    currency: string;
    included: { workers: Fact<number>; schedulers: Fact<number>; webservers: Fact<number> };
    priceListUrl: Fact<string>;
    regions: Record<string, RegionPrices>;
    notEstablished: string[];
  };
}

export const sizingData = dataTable<SizingData>('mwaa-sizing.json');

export const DEFAULT_REGION = 'us-east-1';

/** The regions the price table covers; the default when it covers us-east-1. */
export const knownRegions = (): string[] => Object.keys(sizingData().pricing.regions).sort();
export const defaultRegion = (): string => (knownRegions().includes(DEFAULT_REGION) ? DEFAULT_REGION : knownRegions()[0]!);
