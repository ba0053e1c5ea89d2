import { UsageError } from '../exit.js';
import type { Inventory } from '../home/inventory.js';
import { resolveHomeDatabase } from './home-db.js';
import { DEFAULT_CONNECTIONS_PREFIX, DEFAULT_VARIABLES_PREFIX, mapSecrets, type MappedSecret } from './mapping.js';
import { parseDatabaseUrl } from './metadata-db.js';
import { describeSource } from './model.js';
import type { OnConflict, SecretAction } from './plan.js';
import { collectSecrets, type SourceSpec } from './sources.js';

// The secrets step as plan, apply and the secrets command share it: which sources to read (named
// in the plan without any secret, so apply can read them again), and the values they give now.

/** A source as the plan records it: a database URL only as displayed (no password), never a key. */
export type SecretSourceRef =
  | { kind: 'connections-export' | 'variables-export' | 'env-file'; file: string }
  | { kind: 'metadata-db'; from: 'home' | 'flag'; display: string };

export interface SecretsRequest {
  sources: SecretSourceRef[];
  connectionsPrefix: string;
  variablesPrefix: string;
  onConflict: OnConflict;
  /** KMS key for the secrets (Secrets Manager's default key when undefined). */
  kmsKey?: string;
}

/** The secrets part of a plan: names, fingerprints and changes, never a value. */
export interface SecretsPart extends SecretsRequest {
  actions: SecretAction[];
  /** Names that exist with another value. */
  conflicts: string[];
  /** Items that cannot be moved (a row the key does not decrypt, an unusable name), one line each. */
  problems: string[];
  notes: string[];
}

/** Where the home's metadata database and key come from, and what apply needs given again. */
export interface SourceContext {
  home: string;
  envFile?: string;
  env: Record<string, string | undefined>;
  /** --metadata-db-url, given again to apply (it may hold a password, so the plan does not). */
  metadataDbUrl?: string;
}

export interface SecretsFlags {
  connectionsFiles: string[];
  variablesFiles: string[];
  envFile?: string;
  fromMetadataDb: boolean;
  metadataDbUrl?: string;
  connectionsPrefix?: string;
  variablesPrefix?: string;
  onConflict: OnConflict;
  kmsKey?: string;
}

/** The request from the flags, or null when no source is named (the step is then skipped). */
export function secretsRequest(f: SecretsFlags): SecretsRequest | null {
  // The order Airflow itself looks connections up in: the database, then files, then the environment.
  const sources: SecretSourceRef[] = [];
  if (f.metadataDbUrl !== undefined) sources.push({ kind: 'metadata-db', from: 'flag', display: parseDatabaseUrl(f.metadataDbUrl).display });
  else if (f.fromMetadataDb) sources.push({ kind: 'metadata-db', from: 'home', display: "the home's sql_alchemy_conn" });
  sources.push(...f.connectionsFiles.map((file) => ({ kind: 'connections-export' as const, file })));
  sources.push(...f.variablesFiles.map((file) => ({ kind: 'variables-export' as const, file })));
  if (f.envFile !== undefined) sources.push({ kind: 'env-file', file: f.envFile });
  if (sources.length === 0) return null;
  const prefix = (flag: string, v: string | undefined, d: string) => {
    const p = (v ?? d).replace(/^\/+|\/+$/g, '');
    if (!/^[A-Za-z0-9/_+=.@-]{1,200}$/.test(p)) throw new UsageError(`--${flag} ${v}: a Secrets Manager name prefix, e.g. ${d}`);
    return p;
  };
  return {
    sources,
    connectionsPrefix: prefix('connections-prefix', f.connectionsPrefix, DEFAULT_CONNECTIONS_PREFIX),
    variablesPrefix: prefix('variables-prefix', f.variablesPrefix, DEFAULT_VARIABLES_PREFIX),
    onConflict: f.onConflict,
    ...(f.kmsKey ? { kmsKey: f.kmsKey } : {}),
  };
}

/**
 * The request with the home's env file as one more source, when it holds AIRFLOW_CONN_ or
 * AIRFLOW_VAR_ entries (the scan has read them): migrate and the walkthrough move them by default.
 */
export function withEnvFileSource(request: SecretsRequest | null, envFile: string | undefined, inv: Pick<Inventory, 'connections' | 'variables'>): SecretsRequest | null {
  const fromFile = [...inv.connections, ...inv.variables].some((s) => s.source.kind === 'env' && s.source.origin === 'env-file');
  if (envFile === undefined || !fromFile || request?.sources.some((s) => s.kind === 'env-file' && s.file === envFile)) return request;
  if (!request) return secretsRequest({ connectionsFiles: [], variablesFiles: [], envFile, fromMetadataDb: false, onConflict: 'fail' });
  return { ...request, sources: [...request.sources, { kind: 'env-file', file: envFile }] };
}

/** The readable specs for the sources, resolving the home's database settings (never running _cmd). */
function specs(sources: SecretSourceRef[], c: SourceContext): SourceSpec[] {
  return sources.map((s): SourceSpec => {
    if (s.kind !== 'metadata-db') return s;
    const db = resolveHomeDatabase(c.home, { envFile: c.envFile, env: c.env });
    let url: string | null;
    if (s.from === 'flag') {
      if (c.metadataDbUrl === undefined) throw new UsageError(`the plan reads connections from ${s.display}: give --metadata-db-url again (it is not stored in the plan)`);
      url = c.metadataDbUrl;
    } else {
      if (db.sqlAlchemyConn.unresolvable) throw new UsageError(`${db.sqlAlchemyConn.unresolvable}; give --metadata-db-url`);
      url = db.sqlAlchemyConn.value;
    }
    if (db.fernetKey.unresolvable) throw new UsageError(`${db.fernetKey.unresolvable}; put AIRFLOW__CORE__FERNET_KEY in the --env-file`);
    return { kind: 'metadata-db', url: url!, fernetKey: db.fernetKey.value };
  });
}

export interface ReadSecrets {
  secrets: MappedSecret[];
  problems: string[];
  notes: string[];
}

/** Reads every source now and maps each item to its secret for the target. Values stay in memory. */
export async function readSecrets(r: SecretsRequest, target: string, c: SourceContext): Promise<ReadSecrets> {
  const collected = await collectSecrets(specs(r.sources, c));
  const mapped = mapSecrets(collected.items, { airflowVersion: target, connectionsPrefix: r.connectionsPrefix, variablesPrefix: r.variablesPrefix });
  const line = (p: { item?: string; source: Parameters<typeof describeSource>[0]; message: string }) => `${p.item ? `${p.item} ` : ''}(${describeSource(p.source)}): ${p.message}`;
  return { secrets: mapped.secrets, problems: [...collected.problems, ...mapped.problems].map(line), notes: collected.notes };
}
