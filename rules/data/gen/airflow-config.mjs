// airflow-config.json: Airflow's option catalogue per captured version, and what patch releases
// between the captures add or move.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const output = 'airflow-config.json';

// The two 3.x catalogues are main-branch points, close to 3.0.0 / 3.1.0; we name them by their line.
const versionName = (v) => v.replace(/-main-branchpoint$/, '');

const parts = (v) => String(v).split('.').map((p) => Number.parseInt(p, 10) || 0);
function compare(a, b) {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** The capture that stands for a version: same major.minor, else the newest before it (as src/refdata/airflow-config.ts). */
function baseOf(versions, v) {
  const mm = parts(v).slice(0, 2).join('.');
  return versions.find((c) => parts(c).slice(0, 2).join('.') === mm) ?? versions.filter((c) => compare(c, v) <= 0).at(-1);
}

/**
 * Patch releases we hold no capture of (3.0.1-3.0.6, 2.10.3, 2.11.0...) differ from the capture
 * that stands for them: options backported to them sit in a later capture with that
 * version_added, and renames dated to them sit in Airflow's deprecated_options table. Without
 * these, 3.0.6 would be judged by the 3.0.0 option list, which lacks [api] expose_config.
 */
function patchReleases(matrix, changes, versions) {
  const out = {};
  const entry = (v) => (out[v] ??= { added: [], removed: [] });
  const after = (v) => {
    const base = baseOf(versions, v);
    return base !== undefined && compare(v, base) > 0;
  };
  for (const [key, o] of Object.entries(matrix.options)) {
    const v = o.version_added;
    const present = o.present_in.map(versionName);
    if (v && after(v) && !present.includes(baseOf(versions, v)) && present.some((c) => compare(c, v) > 0)) entry(v).added.push(key);
  }
  for (const c of changes) {
    if (!/deprecated_options/.test(c.source) || !c.new_section || c.option === '*' || !after(c.since)) continue;
    entry(String(c.since)).added.push(`${c.new_section}.${c.new_option}`);
    entry(String(c.since)).removed.push(`${c.section}.${c.option}`);
  }
  const sorted = Object.keys(out).sort(compare);
  const unique = (list) => [...new Set(list)].sort();
  return Object.fromEntries(sorted.map((v) => [v, { added: unique(out[v].added), removed: unique(out[v].removed) }]));
}

export function generate(ref) {
  const matrix = JSON.parse(readFileSync(join(ref, 'airflow/config-options-matrix.json'), 'utf8'));
  const cmdSecret = parse(readFileSync(join(ref, 'airflow/cmd-secret-options.yml'), 'utf8'));
  const changes = parse(readFileSync(join(ref, 'airflow/config-changes.yml'), 'utf8')).changes;
  const versions = matrix.versions.map(versionName);
  const options = {};
  for (const [key, o] of Object.entries(matrix.options).sort(([a], [b]) => a.localeCompare(b))) {
    const entry = { type: o.type === 'int' ? 'integer' : o.type, present: o.present_in.map(versionName) };
    if (o.default_by_version) {
      entry.defaultByVersion = Object.fromEntries(Object.entries(o.default_by_version).map(([v, d]) => [versionName(v), d]));
    } else {
      entry.default = o.default ?? null;
    }
    if (o.version_added) entry.versionAdded = o.version_added;
    if (o.sensitive_in?.length) entry.sensitiveIn = o.sensitive_in.map(versionName);
    options[key] = entry;
  }
  return {
    description:
      "Airflow's configuration options per captured version: where each exists, its default, whether Airflow marks it sensitive, and which options accept the _CMD/_SECRET forms. `patchReleases`: options uncaptured patch releases add (backports, by version_added in a later capture) or move (deprecated_options rows dated to them), applied on top of the capture of their line. Generated from Airflow's own config.yml files and configuration.py tables; do not edit by hand.",
    versions,
    approximateVersions: { '3.0': 'main branch point before 3.1.0.dev0', '3.1': 'main branch point before 3.2.0.dev0' },
    cmdSecretOptions: Object.fromEntries(Object.entries(cmdSecret.by_version).map(([v, d]) => [versionName(v), [...d.options].sort()])),
    patchReleases: patchReleases(matrix, changes, versions),
    options,
  };
}
