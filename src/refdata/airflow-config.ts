import { dataTable } from './data.js';

// Airflow's option catalogue per version, generated into rules/data/ by rules/data/generate.mjs.

export interface CatalogOption {
  type: string;
  present: string[];
  default?: string | null;
  defaultByVersion?: Record<string, string | null>;
  versionAdded?: string;
  sensitiveIn?: string[];
}

export interface AirflowConfigCatalog {
  versions: string[];
  cmdSecretOptions: Record<string, string[]>;
  options: Record<string, CatalogOption>;
}

export const airflowConfigCatalog = dataTable<AirflowConfigCatalog>('airflow-config.json');

// From 2.7 these sections live in provider packages' provider.yaml, not in core config.yml:
// their absence from the 2.7+ catalogues is not a removal.
export const PROVIDER_SECTIONS = new Set([
  'celery',
  'celery_kubernetes_executor',
  'celery_broker_transport_options',
  'kubernetes',
  'kubernetes_executor',
  'local_kubernetes_executor',
  'elasticsearch',
  'elasticsearch_configs',
  'dask',
  'hive',
]);

const parts = (v: string) => v.split('.').map((p) => Number.parseInt(p, 10) || 0);
export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The captured catalogue that stands for a given Airflow version: same major.minor, else the newest before it. */
export function catalogVersionFor(version: string): string | null {
  const { versions } = airflowConfigCatalog();
  const mm = parts(version).slice(0, 2).join('.');
  const same = versions.find((v) => parts(v).slice(0, 2).join('.') === mm);
  if (same) return same;
  const older = versions.filter((v) => compareVersions(v, version) <= 0);
  return older.at(-1) ?? versions[0] ?? null;
}

export function defaultIn(option: CatalogOption, version: string): string | null | undefined {
  if (!option.present.includes(version)) return undefined;
  return option.defaultByVersion ? option.defaultByVersion[version] ?? null : option.default ?? null;
}

/** Options Airflow treats as secrets in any captured version (sensitive flag or _CMD/_SECRET support). */
export function sensitiveOptions(): Set<string> {
  const cat = airflowConfigCatalog();
  const out = new Set<string>(Object.values(cat.cmdSecretOptions).flat());
  for (const [key, o] of Object.entries(cat.options)) if (o.sensitiveIn?.length) out.add(key);
  return out;
}
