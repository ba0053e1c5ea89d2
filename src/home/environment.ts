import type { EnvVar } from './config.js';
import type { HostVariable, PyFile } from './inventory.js';
import { outlineOf } from './outline.js';
import { holdsCredential, isCredentialKey, isSensitiveName } from './secrets.js';
import { compareNames } from '../collate.js';

// The old host's own environment variables that its DAG and plugin code reads by name: MWAA starts
// its processes without them. Airflow's own variables (AIRFLOW__*, AIRFLOW_CONN_*, AIRFLOW_VAR_*)
// are configuration, connections and variables, handled as such.

const AIRFLOWS_OWN = /^AIRFLOW(__|_CONN_|_VAR_)/;

/** Names read by a literal in any checked file. */
function namesRead(files: PyFile[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) for (const name of outlineOf(f)?.envReads ?? []) names.add(name);
  return names;
}

/**
 * Variables of the env file (and, with --use-env, of this process: `processEnv`) that the code
 * reads. A later source wins, as in the scan. Secret values (by name or by what they hold) are
 * never kept.
 */
export function hostEnvironment(fileVars: EnvVar[], processEnv: Record<string, string | undefined>, files: PyFile[]): HostVariable[] {
  const read = namesRead(files);
  const found = new Map<string, HostVariable>();
  const add = (name: string, value: string, source: HostVariable['source']) => {
    if (!read.has(name) || AIRFLOWS_OWN.test(name)) return;
    const secret = isSensitiveName(name) || isCredentialKey(name) || holdsCredential(value);
    found.set(name, { name, source, secret, value: secret ? null : value });
  };
  for (const v of fileVars) add(v.name, v.value, v.source);
  for (const [name, value] of Object.entries(processEnv)) if (value !== undefined) add(name, value, { kind: 'env', name, origin: 'process' });
  return [...found.values()].sort((a, b) => compareNames(a.name, b.name));
}
