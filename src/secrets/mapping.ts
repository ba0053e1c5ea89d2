import { UsageError } from '../exit.js';
import { connectionUri, parseConnectionUri } from './airflow-uri.js';
import type { ConnectionFields, ConnectionItem, ItemSource, SecretItem, SecretProblem } from './model.js';
import { itemName } from './model.js';

// Items -> the secrets MWAA's Secrets Manager backend reads (shared/reference/mwaa/mwaa.yaml
// secrets_manager_backend). Connections are written as Airflow connection URIs, the format the
// MWAA guide documents and every backend version reads; JSON secrets are not used because the
// amazon provider re-maps JSON keys through aliases and drops all but seven fields, differently
// across the provider versions MWAA ships, while the URI built here reads back exactly.

export const DEFAULT_CONNECTIONS_PREFIX = 'airflow/connections';
export const DEFAULT_VARIABLES_PREFIX = 'airflow/variables';

export interface SecretsTarget {
  /** The MWAA environment's Airflow version, e.g. "2.10.3". */
  airflowVersion: string;
  connectionsPrefix?: string;
  variablesPrefix?: string;
}

export interface MappedSecret {
  /** The Secrets Manager secret name, `<prefix>/<conn_id or key>`. */
  name: string;
  what: 'connection' | 'variable';
  /** conn_id or variable key. */
  id: string;
  /** The SecretString: held in memory only. */
  value: string;
  /** Value-free remarks on how the target will read it back. */
  notes: string[];
  source: ItemSource;
}

// Secrets Manager's name rules (CreateSecret Name): these characters, up to 512 of them.
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const MAX_SECRET_BYTES = 65_536;
// MWAA's own default backend_kwargs skip aws_default, so it keeps using the execution role.
const MWAA_CONNECTIONS_LOOKUP_PATTERN = '^(?!aws_default$).*$';

function versionTuple(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(v.trim());
  if (!m) throw new UsageError(`Airflow version ${v} is not a version number like 2.10.3`);
  return [Number(m[1]), Number(m[2])];
}
const atLeast = (v: string, major: number, minor: number): boolean => {
  const [a, b] = versionTuple(v);
  return a > major || (a === major && b >= minor);
};

function prefixes(target: SecretsTarget): { connections: string; variables: string } {
  const check = (p: string, flag: string) => {
    if (!/^[A-Za-z0-9/_+=.@-]+$/.test(p) || p.startsWith('/') || p.endsWith('/')) {
      throw new UsageError(`${flag} ${p}: a secret name prefix takes letters, digits and /_+=.@- and neither starts nor ends with "/"`);
    }
    return p;
  };
  const connections = check(target.connectionsPrefix ?? DEFAULT_CONNECTIONS_PREFIX, 'connections prefix');
  const variables = check(target.variablesPrefix ?? DEFAULT_VARIABLES_PREFIX, 'variables prefix');
  if (connections === variables) throw new UsageError(`connections and variables need different prefixes (both are ${connections})`);
  return { connections, variables };
}

/** Key-order-free comparison of parsed JSON. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The extra as Airflow's extra_dejson sees it ({} for none), or the raw text when it is not JSON. */
function extraKey(extra: string | null): string {
  if (extra === null || extra.trim() === '') return '{}';
  try {
    return canonical(JSON.parse(extra));
  } catch {
    return `text:${extra}`;
  }
}

/**
 * The fields that differ between what was stored and what Airflow reads back, treating as equal
 * what Airflow treats as equal: an empty string and no value, no extra and an empty one.
 */
function differingFields(a: ConnectionFields, b: ConnectionFields): (keyof ConnectionFields)[] {
  const out: (keyof ConnectionFields)[] = [];
  if ((a.conn_type ?? '') !== (b.conn_type ?? '')) out.push('conn_type');
  for (const k of ['host', 'login', 'password', 'schema'] as const) if ((a[k] ?? '') !== (b[k] ?? '')) out.push(k);
  if ((a.port || null) !== (b.port || null)) out.push('port');
  if (extraKey(a.extra) !== extraKey(b.extra)) out.push('extra');
  return out;
}

function mapConnection(item: ConnectionItem, name: string, target: SecretsTarget): MappedSecret | string {
  const f = item.fields;
  if (!f.conn_type) return 'has no conn_type: Airflow cannot read a connection without one';
  const airflow1 = !atLeast(target.airflowVersion, 2, 0);
  const value = connectionUri(f, airflow1 ? 'query-only' : 'query-or-extra-key');
  const notes: string[] = [];
  const back = parseConnectionUri(value);
  const differ = differingFields(f, back);
  if (differ.includes('conn_type')) notes.push(`conn_type ${f.conn_type} reads back as ${back.conn_type} (Airflow normalises connection types in URIs)`);
  // On 1.10 extras are checked against its own query-only reading, below.
  const others = differ.filter((k) => k !== 'conn_type' && !(airflow1 && k === 'extra'));
  if (others.length > 0) notes.push(`${others.join(', ')} will not read back exactly from the URI`);
  if (airflow1 && f.extra && extraKey(f.extra) !== extraKey(flatExtra(f.extra))) notes.push('extra has nested or non-string values: Airflow 1.10 reads them back as strings');
  if (f.port === 0) notes.push('port 0 is dropped (Airflow omits a zero port from URIs)');
  if (f.description) notes.push('description is not carried: the Secrets Manager backend has no field for it');
  if (item.id === 'aws_default' && atLeast(target.airflowVersion, 2, 6)) notes.push(`MWAA's connections_lookup_pattern skips aws_default, so Airflow will not read this secret`);
  return { name, what: 'connection', id: item.id, value, notes, source: item.source };
}

/** What Airflow 1.10's query-only parsing makes of an extra: every value a string. */
function flatExtra(extra: string): string {
  try {
    const o = JSON.parse(extra) as Record<string, unknown>;
    return JSON.stringify(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
  } catch {
    return extra;
  }
}

/** Each item as a secret for the target; items that cannot be stored become problems. */
export function mapSecrets(items: SecretItem[], target: SecretsTarget): { secrets: MappedSecret[]; problems: SecretProblem[] } {
  const p = prefixes(target);
  const secrets: MappedSecret[] = [];
  const problems: SecretProblem[] = [];
  for (const item of items) {
    const id = item.kind === 'connection' ? item.id : item.key;
    const name = `${item.kind === 'connection' ? p.connections : p.variables}/${id}`;
    const problem = (message: string) => problems.push({ item: itemName(item), source: item.source, message });
    if (!SECRET_NAME.test(name)) {
      problem(`secret name ${name} is not valid in Secrets Manager (letters, digits and /_+=.@- only, at most 512)`);
      continue;
    }
    const mapped: MappedSecret | string =
      item.kind === 'connection' ? mapConnection(item, name, target) : { name, what: 'variable', id, value: item.value, notes: [], source: item.source };
    if (typeof mapped === 'string') problem(mapped);
    else if (mapped.value === '') problem('the value is empty: Secrets Manager does not store an empty secret string');
    else if (Buffer.byteLength(mapped.value, 'utf8') > MAX_SECRET_BYTES) problem(`the secret would be larger than Secrets Manager's ${MAX_SECRET_BYTES} bytes`);
    else secrets.push(mapped);
  }
  return { secrets, problems };
}

/**
 * The AirflowConfigurationOptions that point the target at these secrets: the backend class for
 * its Airflow version and backend_kwargs with the prefixes (plus MWAA's own default lookup
 * pattern from 2.6 on, which setting backend_kwargs would otherwise remove; Airflow 3 workers
 * read their own copy of the kwargs).
 */
export function secretsBackendOptions(target: SecretsTarget): Record<string, string> {
  const p = prefixes(target);
  const airflow1 = !atLeast(target.airflowVersion, 2, 0);
  const kwargs: Record<string, string> = { connections_prefix: p.connections, variables_prefix: p.variables };
  // connections_lookup_pattern exists in the amazon provider from 7.x; MWAA 2.6.3 ships 8.2.0.
  if (atLeast(target.airflowVersion, 2, 6)) kwargs['connections_lookup_pattern'] = MWAA_CONNECTIONS_LOOKUP_PATTERN;
  const options: Record<string, string> = {
    'secrets.backend': airflow1 ? 'airflow.contrib.secrets.aws_secrets_manager.SecretsManagerBackend' : 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend',
    'secrets.backend_kwargs': JSON.stringify(kwargs),
  };
  if (atLeast(target.airflowVersion, 3, 0)) options['workers.secrets_backend_kwargs'] = options['secrets.backend_kwargs']!;
  return options;
}
