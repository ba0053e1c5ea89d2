// mwaa.json: the Airflow versions MWAA offers and the configuration options it owns.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const output = 'mwaa.json';

export function generate(ref) {
  const m = parse(readFileSync(join(ref, 'mwaa/mwaa.yaml'), 'utf8'));
  const av = m.airflow_versions;
  const inModel = new Set(av.api_model_valid_values_2026_05);
  return {
    description: "MWAA facts the rules use, generated from the MWAA reference (mwaa.yaml); do not edit by hand.",
    gathered: m.meta?.gathered ?? null,
    versions: av.versions.map((v) => ({
      version: v.version,
      python: v.python,
      status: v.status,
      inApiModel: inModel.has(v.version),
    })),
    // The newest version the API model accepts is the default target.
    defaultTarget: av.api_model_valid_values_2026_05.at(-1),
  };
}
