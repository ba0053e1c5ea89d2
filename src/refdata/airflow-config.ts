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
  /** Options an uncaptured patch release adds or stops listing, on top of the capture of its line. */
  patchReleases: Record<string, { added: string[]; removed: string[] }>;
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
  // Asked for each option's default, with the same few versions.
  let found = catalogVersions.get(version);
  if (found === undefined) catalogVersions.set(version, (found = standingFor(version)));
  return found;
}
const catalogVersions = new Map<string, string | null>();

function standingFor(version: string): string | null {
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

/**
 * Airflow's default for an option at an exact version (3.0.6, or a capture's name such as 3.0),
 * undefined where that version lacks the option. The capture standing for the version, with the
 * patch releases up to it applied: 3.0.6 has [api] expose_config (moved in 3.0.1) and still
 * [webserver] page_size (moved in 3.1.0), which neither the 3.0 nor the 3.1 capture says alone.
 */
export function defaultAt(full: string, version: string): string | null | undefined {
  const cat = airflowConfigCatalog();
  const entry = cat.options[full];
  const base = catalogVersionFor(version);
  if (!entry || !base) return undefined;
  let present = entry.present.includes(base);
  for (const [release, change] of Object.entries(cat.patchReleases)) {
    if (compareVersions(release, base) <= 0 || compareVersions(release, version) > 0) continue;
    if (change.added.includes(full)) present = true;
    if (change.removed.includes(full)) present = false;
  }
  if (!present) return undefined;
  // A backported option's default is the one of the first capture that lists it.
  const from = entry.present.includes(base) ? base : entry.present.find((v) => compareVersions(v, base) > 0);
  return from ? defaultIn(entry, from) : undefined;
}

/** Whether Airflow `version` accepts the _CMD/_SECRET forms for an option (sensitive options only). */
export function takesSecretFormAt(full: string, version: string): boolean {
  const cat = airflowConfigCatalog();
  const base = catalogVersionFor(version);
  if (!base || defaultAt(full, version) === undefined) return false;
  if ((cat.cmdSecretOptions[base] ?? []).includes(full)) return true;
  // Moved by a patch release: sensitive in the capture that first lists it under this name.
  return !cat.options[full]!.present.includes(base) && (cat.options[full]!.sensitiveIn ?? []).some((v) => compareVersions(v, base) > 0);
}

/** Options Airflow treats as secrets in any captured version (sensitive flag or _CMD/_SECRET support). */
export function sensitiveOptions(): Set<string> {
  const cat = airflowConfigCatalog();
  const out = new Set<string>(Object.values(cat.cmdSecretOptions).flat());
  for (const [key, o] of Object.entries(cat.options)) if (o.sensitiveIn?.length) out.add(key);
  return out;
}
