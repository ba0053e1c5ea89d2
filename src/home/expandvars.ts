import type { EnvVar } from './config.js';
import type { Expansion } from './inventory.js';
import { holdsCredential, isCredentialKey, isSensitiveName } from './secrets.js';

// Airflow runs every configuration value through os.path.expandvars, so `$PORT` in airflow.cfg was
// the old host's environment variable: MWAA's processes have another environment, so a carried
// value must be expanded here, from the env file, or left out.

// posixpath's _varprog: `$name` (ASCII word characters) or `${anything}`.
const REFERENCE = /\$(\w+|\{[^}]*\})/g;
// Airflow's expand_env_var repeats until the value stops changing; a cycle stops here.
const MAX_ROUNDS = 10;

const nameOf = (ref: string) => (ref.startsWith('{') ? ref.slice(1, -1) : ref);

/** The expansion of a value that has references, or undefined when it has none. */
export function expandValue(value: string, env: EnvVar[]): Expansion | undefined {
  if (!/\$(\w|\{)/.test(value)) return undefined;
  const vars = new Map(env.map((v) => [v.name, v.value]));
  const missing = new Set<string>();
  const secret = new Set<string>();
  let current = value;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = current.replace(REFERENCE, (whole, ref: string) => {
      const name = nameOf(ref);
      const v = vars.get(name);
      // expandvars leaves an unknown name as it is.
      if (v === undefined) missing.add(name);
      else if (isSensitiveName(name) || isCredentialKey(name) || holdsCredential(v)) secret.add(name);
      else return v;
      return whole;
    });
    if (next === current) break;
    current = next;
  }
  const resolved = missing.size === 0 && secret.size === 0 && !holdsCredential(current);
  return { value: resolved ? current : null, missing: [...missing].sort(), secret: [...secret].sort() };
}
