// airflow-config.json: Airflow's option catalogue per captured version.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const output = 'airflow-config.json';

// The two 3.x catalogues are main-branch points, close to 3.0.0 / 3.1.0; we name them by their line.
const versionName = (v) => v.replace(/-main-branchpoint$/, '');

export function generate(ref) {
  const matrix = JSON.parse(readFileSync(join(ref, 'airflow/config-options-matrix.json'), 'utf8'));
  const cmdSecret = parse(readFileSync(join(ref, 'airflow/cmd-secret-options.yml'), 'utf8'));
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
      "Airflow's configuration options per captured version: where each exists, its default, whether Airflow marks it sensitive, and which options accept the _CMD/_SECRET forms. Generated from Airflow's own config.yml files; do not edit by hand.",
    versions: matrix.versions.map(versionName),
    approximateVersions: { '3.0': 'main branch point before 3.1.0.dev0', '3.1': 'main branch point before 3.2.0.dev0' },
    cmdSecretOptions: Object.fromEntries(Object.entries(cmdSecret.by_version).map(([v, d]) => [versionName(v), [...d.options].sort()])),
    options,
  };
}
