// The configuration MWAA's own runtime images apply, per Airflow version, read from the verbatim
// copies of their config layer (mwaa/runtime/<version>/airflow.py and setup_environment.py):
//   essential    options MWAA sets and a customer cannot override (get_essential_airflow_config)
//   opinionated  MWAA's defaults a customer may override (get_opinionated_airflow_config)
//   protected    environment variables a startup script cannot change (_is_protected_os_environ)
// The image code is read as text, function by function: it is a fixed reference, and any shape
// this reader does not expect stops the generator instead of guessing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const output = 'mwaa-runtime.json';

/** Top-level functions of a Python module: name -> body text. */
function functions(text) {
  const out = new Map();
  const starts = [...text.matchAll(/^def (\w+)\(/gm)];
  starts.forEach((m, i) => {
    const end = starts[i + 1]?.index ?? text.length;
    out.set(m[1], text.slice(m.index, end));
  });
  return out;
}

// `"AIRFLOW__SECTION__KEY": value` in a dict, or `config["AIRFLOW__SECTION__KEY"] = value`.
const OPTION_KEY = /"AIRFLOW__([A-Z0-9_]+?)__([A-Z0-9_]+)"\s*(?::|\]\s*=)\s*("(?:[^"\\]|\\.)*"|[^,\n}]+)/g;

/**
 * The options the functions that `entry` spreads (`**_get_essential_..._config()`) put in a dict,
 * literal values kept. The CloudWatch metrics function is left out: it applies only when MWAA's
 * metrics integration is on, and MWAA's sidecar honours the customer's values (mwaa-options.json).
 */
function options(fns, entry, version) {
  const body = fns.get(entry);
  if (!body) throw new Error(`mwaa/runtime/${version}/airflow.py: no ${entry}`);
  const parts = [...body.matchAll(/\*\*(\w+)\(/g)].map((m) => m[1]).filter((n) => n !== '_get_mwaa_cloudwatch_integration_config');
  const found = new Map();
  for (const part of parts) {
    if (!fns.has(part)) throw new Error(`mwaa/runtime/${version}/airflow.py: ${entry} spreads ${part}, which is not defined here`);
    for (const m of fns.get(part).matchAll(OPTION_KEY)) {
      const option = `${m[1].toLowerCase()}.${m[2].toLowerCase()}`;
      const literal = /^"(.*)"$/.exec(m[3].trim());
      const value = literal ? literal[1] : null;
      // A key set in two branches (the local runner's and the service's) keeps no single value.
      found.set(option, found.has(option) && found.get(option) !== value ? null : value);
    }
  }
  return Object.fromEntries([...found].sort(([a], [b]) => a.localeCompare(b)));
}

function protectedEnv(setup, version) {
  const body = functions(setup).get('_is_protected_os_environ');
  if (!body) throw new Error(`mwaa/runtime/${version}/setup_environment.py: no _is_protected_os_environ`);
  const list = /protected_vars\s*=\s*\[([\s\S]*?)\n\s*\]/.exec(body);
  if (!list) throw new Error(`mwaa/runtime/${version}: _is_protected_os_environ has no protected_vars list`);
  const names = [...list[1].replace(/#.*$/gm, '').matchAll(/"([A-Za-z0-9_]+)"/g)].map((m) => m[1]);
  const prefixes = [...body.matchAll(/\.startswith\(\s*"([A-Za-z0-9_]+)"\s*\)/g)].map((m) => m[1]);
  return { names: [...new Set(names)].sort(), prefixes: [...new Set(prefixes)].sort() };
}

/** The Python of each image, from the runtime README's table (`| 2.9.2, 2.10.1 | 3.11.9 |`). */
export function pythons(readme) {
  const out = {};
  for (const m of readme.matchAll(/^\|\s*([\d., ]+?)\s*\|\s*(\d+\.\d+\.\d+)\s*\|$/gm)) for (const v of m[1].split(/\s*,\s*/)) out[v] = m[2];
  return out;
}

export function generate(ref) {
  const dir = join(ref, 'mwaa/runtime');
  const python = pythons(readFileSync(join(dir, 'README.md'), 'utf8'));
  const images = {};
  const versions = readdirSync(dir).filter((v) => /^\d+\.\d+\.\d+$/.test(v) && existsSync(join(dir, v, 'airflow.py')));
  versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const version of versions) {
    const fns = functions(readFileSync(join(dir, version, 'airflow.py'), 'utf8'));
    const essential = options(fns, 'get_essential_airflow_config', version);
    const opinionated = options(fns, 'get_opinionated_airflow_config', version);
    if (!('core.executor' in essential)) throw new Error(`mwaa/runtime/${version}/airflow.py: core.executor is not among the essential options; the reader needs a look`);
    if (!python[version]) throw new Error(`mwaa/runtime/README.md names no Python for ${version}`);
    images[version] = {
      python: python[version],
      essential,
      opinionated,
      protectedEnv: protectedEnv(readFileSync(join(dir, version, 'setup_environment.py'), 'utf8'), version),
    };
  }
  return {
    description:
      "MWAA's runtime configuration per Airflow version, generated from the configuration layer of MWAA's own runtime images (aws/amazon-mwaa-docker-images, images/airflow/<version>/python/mwaa/config/); do not edit by hand. `essential`: options MWAA sets that a customer cannot override (value: what MWAA sets when it is a literal, else null). `opinionated`: MWAA's defaults a customer may override. `protectedEnv`: environment variables (names and prefixes) a startup script cannot change. Versions without an image use mwaa-options.json (collected from MWAA's documentation).",
    images,
  };
}
