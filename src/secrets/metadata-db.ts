import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../exit.js';
import { FernetError, MultiFernet } from './fernet.js';
import type { Collected, ConnectionFields, ItemSource } from './model.js';

// Connections and variables straight from Airflow's metadata database, read-only, decrypted with
// [core] fernet_key. The tables are read with SELECT * so the 1.10, 2.x and 3.x layouts all work:
// connection(conn_id, conn_type, [description 2.0+], host, schema, login, password, port, extra,
// is_encrypted, is_extra_encrypted) and variable(key, val, [description 2.0+], is_encrypted).
// A row that cannot be decrypted is a problem naming its conn_id / key; the rest is read.

export type Dialect = 'sqlite' | 'postgresql' | 'mysql';

export interface DatabaseUrl {
  dialect: Dialect;
  /** For messages: the URL without its password. */
  display: string;
  host: string | null;
  port: number | null;
  user: string | null;
  password: string | null;
  database: string | null;
  query: Record<string, string>;
}

// SQLAlchemy's URL pattern (sqlalchemy/engine/url.py _parse_url).
const URL_PATTERN =
  /^(?<name>[\w+]+):\/\/(?:(?<username>[^:/]*)(?::(?<password>[^@]*))?@)?(?:(?:\[(?<ipv6host>[^/?]+)\]|(?<ipv4host>[^/:?]+))?(?::(?<port>[^/?]*))?)?(?:\/(?<database>[^?]*))?(?:\?(?<query>.*))?$/s;

const DIALECTS: Record<string, Dialect> = { sqlite: 'sqlite', postgresql: 'postgresql', postgres: 'postgresql', mysql: 'mysql', mariadb: 'mysql' };

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** A SQLAlchemy URL (postgresql+psycopg2://, mysql+mysqldb://, sqlite:////abs/path, ...). */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  const m = URL_PATTERN.exec(url.trim());
  const g = m?.groups;
  if (!g) throw new UsageError('metadata database URL is not a SQLAlchemy URL (dialect[+driver]://user:password@host:port/database)');
  const name = g['name']!.toLowerCase();
  const dialect = DIALECTS[name.split('+')[0]!];
  if (!dialect) throw new UsageError(`metadata database URL: dialect ${name.split('+')[0]} is not supported (sqlite, postgresql, mysql/mariadb)`);
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(g['query'] ?? '')) query[k] = v;
  const host = g['ipv6host'] ?? g['ipv4host'] ?? null;
  const portText = g['port'] ?? '';
  if (portText !== '' && !/^\d+$/.test(portText)) throw new UsageError('metadata database URL: the port is not a number');
  const user = g['username'] !== undefined && g['username'] !== '' ? decode(g['username']) : null;
  const parsed: DatabaseUrl = {
    dialect,
    display: '',
    host,
    port: portText === '' ? null : Number(portText),
    user,
    password: g['password'] !== undefined ? decode(g['password']) : null,
    database: g['database'] !== undefined && g['database'] !== '' ? g['database'] : null,
    query,
  };
  parsed.display =
    dialect === 'sqlite'
      ? `sqlite:///${parsed.database ?? ''}`
      : `${name}://${user ? `${user}@` : ''}${host ? (host.includes(':') ? `[${host}]` : host) : ''}${parsed.port ? `:${parsed.port}` : ''}/${parsed.database ?? ''}`;
  return parsed;
}

type Row = Record<string, unknown>;

const text = (v: unknown): string | null => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const flag = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't' || (Buffer.isBuffer(v) && v[0] === 1);

/** Reads both tables in one read-only session. */
async function readTables(db: DatabaseUrl): Promise<{ connection: Row[] | null; variable: Row[] | null }> {
  switch (db.dialect) {
    case 'sqlite':
      return readSqlite(db);
    case 'postgresql':
      return readPostgres(db);
    case 'mysql':
      return readMysql(db);
  }
}

/**
 * node:sqlite, loaded when a SQLite database is read: Node 22 marks it experimental and warns on
 * load, which would otherwise print on every command. That one warning is dropped; others pass.
 */
async function sqlite(): Promise<typeof import('node:sqlite')> {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!String(typeof warning === 'string' ? warning : warning.message).startsWith('SQLite is an experimental feature')) (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await import('node:sqlite');
  } finally {
    process.emitWarning = emit;
  }
}

async function readSqlite(db: DatabaseUrl): Promise<{ connection: Row[] | null; variable: Row[] | null }> {
  const { DatabaseSync } = await sqlite();
  // sqlite:////abs/path has database "/abs/path"; sqlite:///rel/path is relative to the working folder.
  const path = db.database;
  if (!path || path === ':memory:') throw new UsageError(`metadata database ${db.display}: no database file in the URL`);
  const file = resolve(path.startsWith('file:') ? path.slice(5) : path);
  if (!existsSync(file)) throw new UsageError(`metadata database ${db.display}: no such file`);
  const conn = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = new Set((conn.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name));
    const all = (t: string, order: string) => (tables.has(t) ? (conn.prepare(`SELECT * FROM "${t}" ORDER BY "${order}"`).all() as Row[]) : null);
    return { connection: all('connection', 'conn_id'), variable: all('variable', 'key') };
  } finally {
    conn.close();
  }
}

async function readPostgres(db: DatabaseUrl): Promise<{ connection: Row[] | null; variable: Row[] | null }> {
  // Each driver loads only when its database is read: most commands never touch one.
  const { default: pg } = await import('pg');
  const sslmode = db.query['sslmode'];
  const client = new pg.Client({
    // SQLAlchemy/psycopg2 take a socket folder as ?host=.
    host: db.host ?? db.query['host'] ?? undefined,
    port: db.port ?? undefined,
    user: db.user ?? undefined,
    password: db.password ?? undefined,
    database: db.database ?? undefined,
    connectionTimeoutMillis: 10_000,
    ssl: sslmode && sslmode !== 'disable' && sslmode !== 'allow' && sslmode !== 'prefer' ? { rejectUnauthorized: sslmode === 'verify-full' || sslmode === 'verify-ca' } : undefined,
  });
  client.on('error', () => {}); // a dropped connection then fails the pending query instead
  await client.connect();
  try {
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const tables = new Set((await client.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)).rows.map((r) => r.table_name));
    const all = async (t: string, order: string) => (tables.has(t) ? (await client.query(`SELECT * FROM "${t}" ORDER BY "${order}"`)).rows as Row[] : null);
    const result = { connection: await all('connection', 'conn_id'), variable: await all('variable', 'key') };
    await client.query('ROLLBACK');
    return result;
  } finally {
    await client.end().catch(() => {});
  }
}

async function readMysql(db: DatabaseUrl): Promise<{ connection: Row[] | null; variable: Row[] | null }> {
  const { default: mysql } = await import('mysql2/promise');
  const conn = await mysql.createConnection({
    host: db.host ?? undefined,
    port: db.port ?? undefined,
    user: db.user ?? undefined,
    password: db.password ?? undefined,
    database: db.database ?? undefined,
    socketPath: db.query['unix_socket'],
    connectTimeout: 10_000,
    charset: 'utf8mb4',
  });
  conn.on('error', () => {});
  try {
    await conn.query('START TRANSACTION READ ONLY');
    const [tableRows] = await conn.query(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()`);
    const tables = new Set((tableRows as Row[]).map((r) => String(r['t'])));
    const all = async (t: string, order: string) => (tables.has(t) ? ((await conn.query(`SELECT * FROM \`${t}\` ORDER BY \`${order}\``))[0] as Row[]) : null);
    const result = { connection: await all('connection', 'conn_id'), variable: await all('variable', 'key') };
    await conn.query('ROLLBACK');
    return result;
  } finally {
    await conn.end().catch(() => {});
  }
}

/** A driver error as one line naming the database, never its password. */
function describeFailure(db: DatabaseUrl, e: unknown): string {
  const err = e as { code?: string; errno?: number; message?: string };
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found',
    ETIMEDOUT: 'timed out',
    ENOENT: 'no such socket',
    EHOSTUNREACH: 'host unreachable',
    '28P01': 'authentication failed',
    '28000': 'authentication failed',
    '3D000': 'database does not exist',
    ER_ACCESS_DENIED_ERROR: 'authentication failed',
    ER_BAD_DB_ERROR: 'database does not exist',
    ER_DBACCESS_DENIED_ERROR: 'access to the database denied',
  };
  let reason = (err.code && known[err.code]) ?? (/timeout/i.test(err.message ?? '') ? 'timed out' : (err.message ?? String(e)).split('\n')[0]!);
  if (db.password) reason = reason.split(db.password).join('***');
  return `metadata database ${db.display}: ${reason}`;
}

/**
 * All connections and variables of a metadata database. `fernetKey` null: Airflow ran without
 * one, so only unencrypted rows can be read (encrypted ones are reported).
 */
export async function readMetadataDb(url: string, fernetKey: string | null): Promise<Collected> {
  const db = parseDatabaseUrl(url);
  let fernet: MultiFernet | null = null;
  if (fernetKey !== null && fernetKey.trim() !== '') {
    try {
      fernet = new MultiFernet(fernetKey);
    } catch (e) {
      if (e instanceof FernetError) throw new UsageError(`fernet key: ${e.message}`);
      throw e;
    }
  }
  let tables: Awaited<ReturnType<typeof readTables>>;
  try {
    tables = await readTables(db);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(describeFailure(db, e));
  }
  if (!tables.connection && !tables.variable) throw new UsageError(`metadata database ${db.display}: has neither a connection nor a variable table (not an Airflow metadata database, or not initialised)`);

  const out: Collected = { items: [], problems: [], notes: [] };
  const open = (value: string | null, encrypted: boolean, what: string): string | null | Error => {
    if (!encrypted || value === null || value === '') return value;
    if (!fernet) return new Error(`${what} is encrypted but no fernet key was given`);
    try {
      return fernet.decrypt(value);
    } catch (e) {
      if (e instanceof FernetError) return new Error(`${what} cannot be decrypted: ${e.message} (wrong key, or a key rotated out of fernet_key)`);
      throw e;
    }
  };

  const connSource: ItemSource = { kind: 'metadata-db', db: db.display, table: 'connection' };
  for (const row of tables.connection ?? []) {
    const id = text(row['conn_id']) ?? '';
    const item = `connection ${id}`;
    const password = open(text(row['password']), flag(row['is_encrypted']), 'password');
    const extra = open(text(row['extra']), flag(row['is_extra_encrypted']), 'extra');
    const failed = [password, extra].filter((v): v is Error => v instanceof Error);
    if (failed.length > 0) {
      out.problems.push({ item, source: connSource, message: failed.map((f) => f.message).join('; ') });
      continue;
    }
    const port = row['port'] === null || row['port'] === undefined ? null : Number(row['port']);
    const fields: ConnectionFields = {
      conn_type: text(row['conn_type']),
      host: text(row['host']),
      login: text(row['login']),
      password: password as string | null,
      schema: text(row['schema']),
      port: Number.isInteger(port) ? port : null,
      extra: extra as string | null,
      description: text(row['description']),
    };
    out.items.push({ kind: 'connection', id, fields, source: connSource });
  }

  const varSource: ItemSource = { kind: 'metadata-db', db: db.display, table: 'variable' };
  for (const row of tables.variable ?? []) {
    const key = text(row['key']) ?? '';
    const value = open(text(row['val']), flag(row['is_encrypted']), 'value');
    if (value instanceof Error) out.problems.push({ item: `variable ${key}`, source: varSource, message: value.message });
    else out.items.push({ kind: 'variable', key, value: value ?? '', source: varSource });
  }
  return out;
}
