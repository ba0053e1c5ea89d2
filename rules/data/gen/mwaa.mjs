// mwaa.json: the Airflow versions MWAA offers and the configuration options it owns.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { pythons } from './mwaa-runtime.mjs';

export const output = 'mwaa.json';

export function generate(ref) {
  const m = parse(readFileSync(join(ref, 'mwaa/mwaa.yaml'), 'utf8'));
  const av = m.airflow_versions;
  const inModel = new Set(av.api_model_valid_values_2026_05);
  // The Python of MWAA's runtime image where there is one; mwaa.yaml's (from the Dockerfiles of
  // the local runner and older images) for versions without an image in the reference.
  const images = pythons(readFileSync(join(ref, 'mwaa/runtime/README.md'), 'utf8'));
  return {
    description:
      "MWAA facts the rules use, generated from the MWAA reference (mwaa.yaml; each version's Python from its runtime image, mwaa/runtime/README.md, where one exists); do not edit by hand. `pythonFrom` says which; `pythonFull` is the image's exact Python (null without an image). `constraintsUrl`: Airflow's constraints file for a version and its Python.",
    gathered: m.meta?.gathered ?? null,
    versions: av.versions.map((v) => ({
      version: v.version,
      python: images[v.version]?.split('.').slice(0, 2).join('.') ?? v.python,
      pythonFull: images[v.version] ?? null,
      pythonFrom: images[v.version] ? 'its runtime image' : 'mwaa.yaml, from the local runner; no runtime image',
      status: v.status,
      inApiModel: inModel.has(v.version),
    })),
    constraintsUrl: av.constraints_url_pattern,
    // The newest version the API model accepts is the default target.
    defaultTarget: av.api_model_valid_values_2026_05.at(-1),
  };
}
