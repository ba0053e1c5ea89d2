import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { lazyYaml } from '../lazy-yaml.js';
import { UsageError } from '../exit.js';
import { parseDotenv } from '../home/dotenv.js';
import { ConnectionUriError, parseConnectionUri } from './airflow-uri.js';
import type { Collected, ConnectionFields, ItemSource, SecretItem, SecretProblem } from './model.js';
import { emptyFields } from './model.js';
import { pyJsonDumps } from './pyjson.js';

// Connections and variables from files: `airflow connections export` (.json, .yaml/.yml, .env),
// `airflow variables export` (.json), and AIRFLOW_CONN_* / AIRFLOW_VAR_* in a dotenv file. A file
// that cannot be read at all is a UsageError; a bad entry is a problem and the rest is read.
// Parser errors are reduced to a position: their excerpts of the text could hold secrets.

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : 'cannot be read';
    throw new UsageError(`${what} ${file}: ${reason}`);
  }
}

function parseJson(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = /line \d+ column \d+/.exec(String((e as Error).message));
    throw new UsageError(`${what} ${file}: not valid JSON${at ? ` (${at[0]})` : ''}`);
  }
}

function parseYamlText(text: string, file: string, what: string): unknown {
  const { parse: parseYaml, YAMLParseError } = lazyYaml();
  try {
    return parseYaml(text);
  } catch (e) {
    const pos = e instanceof YAMLParseError ? e.linePos?.[0] : undefined;
    throw new UsageError(`${what} ${file}: not valid YAML${pos ? ` (line ${pos.line} column ${pos.col})` : ''}`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// The keys Airflow's local-filesystem loader (secrets/local_filesystem.py _create_connection)
// takes in a connection mapping; `airflow connections export` writes the first eight.
const FIELD_KEYS = new Set(['conn_type', 'host', 'login', 'password', 'schema', 'port', 'extra', 'description', 'extra_dejson', 'conn_id', 'uri', 'conn_uri']);

/**
 * A connection given as a mapping (export file entry, AIRFLOW_CONN_* JSON form): its fields, or a
 * problem message naming what is wrong (never a value).
 */
function connectionFromMapping(value: Record<string, unknown>): ConnectionFields | string {
  const unknown = Object.keys(value).filter((k) => !FIELD_KEYS.has(k));
  if (unknown.length > 0) return `unexpected key(s) ${unknown.sort().join(', ')}`;
  const uri = value['uri'] ?? value['conn_uri'];
  if (uri !== undefined) {
    if (typeof uri !== 'string') return 'uri is not a string';
    const f = fromUri(uri);
    if (typeof f === 'string') return f;
    if (typeof value['description'] === 'string') f.description = value['description'];
    return f;
  }
  const f = emptyFields();
  for (const k of ['conn_type', 'host', 'login', 'password', 'schema', 'description'] as const) {
    const v = value[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return `${k} is not a string`;
    f[k] = v;
  }
  const port = value['port'];
  if (port !== undefined && port !== null && port !== '') {
    const n = typeof port === 'number' ? port : typeof port === 'string' && /^\s*\d+\s*$/.test(port) ? Number(port) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 65535) return 'port is not a whole number from 0 to 65535';
    f.port = n;
  }
  if (value['extra'] !== undefined && value['extra_dejson'] !== undefined) return 'has both extra and extra_dejson';
  const extra = value['extra'] ?? value['extra_dejson'];
  if (typeof extra === 'string') f.extra = extra;
  else if (extra !== undefined && extra !== null) f.extra = pyJsonDumps(extra);
  return f;
}

function fromUri(uri: string): ConnectionFields | string {
  try {
    return parseConnectionUri(uri.trim());
  } catch (e) {
    if (e instanceof ConnectionUriError) return e.message;
    throw e;
  }
}

/** An AIRFLOW_CONN_* / exported env value: JSON (Airflow 2.3+) when it starts with '{', else a URI. */
function connectionFromText(text: string): ConnectionFields | string {
  const t = text.trim();
  if (!t.startsWith('{')) return fromUri(t);
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return 'starts with "{" but is not valid JSON';
  }
  return isRecord(parsed) ? connectionFromMapping(parsed) : 'is not a JSON object';
}

/** Reads an `airflow connections export` file; the format follows the extension, as Airflow's. */
export function readConnectionsExport(file: string): Collected {
  const what = 'connections file';
  const text = readText(file, what);
  const ext = extname(file).toLowerCase();
  const out: Collected = { items: [], problems: [], notes: [] };
  const add = (id: string, f: ConnectionFields | string, source: ItemSource) => {
    if (typeof f === 'string') out.problems.push({ item: `connection ${id}`, source, message: f });
    else out.items.push({ kind: 'connection', id, fields: f, source });
  };
  if (ext === '.env') {
    const parsed = parseDotenv(text, file);
    for (const p of parsed.problems) out.problems.push({ source: { kind: 'connections-export', file, line: p.line }, message: p.message });
    for (const e of parsed.entries) add(e.name, connectionFromText(e.value), { kind: 'connections-export', file, line: e.line });
    return out;
  }
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') throw new UsageError(`${what} ${file}: unknown format (expected .json, .yaml, .yml or .env, as airflow connections export writes)`);
  const data = ext === '.json' ? parseJson(text, file, what) : parseYamlText(text, file, what);
  if (!isRecord(data)) throw new UsageError(`${what} ${file}: expected a mapping of connection ids to connections`);
  const source: ItemSource = { kind: 'connections-export', file };
  for (const [id, value] of Object.entries(data)) {
    if (typeof value === 'string') add(id, connectionFromText(value), source);
    else if (isRecord(value)) add(id, connectionFromMapping(value), source);
    else add(id, 'is neither a URI nor a mapping of fields', source);
  }
  return out;
}

/**
 * Reads an `airflow variables export` file: key -> value, where Airflow wrote a value that parses
 * as JSON as that JSON (and newer versions may write {value, description}). Non-string values are
 * stored as `airflow variables import` would store them: Python's json.dumps of them.
 */
export function readVariablesExport(file: string): Collected {
  const what = 'variables file';
  const data = parseJson(readText(file, what), file, what);
  if (!isRecord(data)) throw new UsageError(`${what} ${file}: expected a JSON object of variable keys to values`);
  const source: ItemSource = { kind: 'variables-export', file };
  const items: SecretItem[] = [];
  for (const [key, raw] of Object.entries(data)) {
    const withDescription = isRecord(raw) && 'value' in raw && Object.keys(raw).every((k) => k === 'value' || k === 'description');
    const value = withDescription ? raw['value'] : raw;
    items.push({ kind: 'variable', key, value: typeof value === 'string' ? value : pyJsonDumps(value), source });
  }
  return { items, problems: [], notes: [] };
}

/**
 * AIRFLOW_CONN_* and AIRFLOW_VAR_* of a dotenv file. Airflow looks them up by the upper-cased id,
 * so the original case is unknown: ids and keys are taken in lower case (a note says so when the
 * name has letters).
 */
export function readEnvFile(file: string): Collected {
  const parsed = parseDotenv(readText(file, 'env file'), file);
  const out: Collected = { items: [], problems: [], notes: [] };
  for (const p of parsed.problems) out.problems.push({ source: { kind: 'env-file', file, line: p.line }, message: p.message });
  let lowered = 0;
  for (const e of parsed.entries) {
    const source: ItemSource = { kind: 'env-file', file, line: e.line };
    const conn = /^AIRFLOW_CONN_(.+)$/.exec(e.name);
    const variable = /^AIRFLOW_VAR_(.+)$/.exec(e.name);
    if (conn) {
      const id = conn[1]!.toLowerCase();
      const f = connectionFromText(e.value);
      if (typeof f === 'string') out.problems.push({ item: `connection ${id}`, source, message: f } satisfies SecretProblem);
      else out.items.push({ kind: 'connection', id, fields: f, source });
    } else if (variable) out.items.push({ kind: 'variable', key: variable[1]!.toLowerCase(), value: e.value, source });
    else continue;
    if (/[A-Z]/.test(e.name.replace(/^AIRFLOW_(CONN|VAR)_/, ''))) lowered++;
  }
  if (lowered > 0) {
    out.notes.push(
      `${file}: ${lowered} AIRFLOW_CONN_*/AIRFLOW_VAR_* name(s) taken in lower case; Secrets Manager names are case-sensitive, so a DAG that asks for another case will not find them`,
    );
  }
  return out;
}
