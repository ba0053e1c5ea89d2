import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/exit.js';
import { parseDatabaseUrl, readMetadataDb } from '../../src/secrets/metadata-db.js';
import type { Collected } from '../../src/secrets/model.js';
import { startMariadb, startPostgres, type DbServer } from '../support/databases.js';
import { requires } from '../support/requires.js';
import { ddl, ERAS, expectedIn, fixtureCanaries, inserts, makeFixture, type Era, type Fixture } from './fixture.js';

// The metadata database as a source: PostgreSQL, MariaDB and SQLite, each with the connection
// and variable tables of Airflow 1.10, 2.x and 3.x, encrypted by Python's cryptography.

let fixture: Fixture;
let pgServer: DbServer;
let mariadb: DbServer;
let tmp: string;
const urls: Record<string, Record<Era, string>> = {};
const dbName = (era: Era) => `airflow_${era.replace('.', '_')}`;

// Every database test reads the fixture; SQLite is Node's own, the servers are not.
const hasFixture = requires(import.meta.url, 'python3 with cryptography');
const ready = { sqlite: hasFixture, postgresql: hasFixture && requires(import.meta.url, 'PostgreSQL 15'), mysql: hasFixture && requires(import.meta.url, 'MariaDB') };

beforeAll(async () => {
  if (!hasFixture) return;
  fixture = makeFixture();
  tmp = mkdtempSync(join(tmpdir(), 'mwaa-sqlite-'));
  await Promise.all([ready.postgresql && startPostgres().then((s) => (pgServer = s)), ready.mysql && startMariadb().then((s) => (mariadb = s))]);
  urls['postgresql'] = {} as Record<Era, string>;
  urls['mysql'] = {} as Record<Era, string>;
  urls['sqlite'] = {} as Record<Era, string>;
  for (const era of ERAS) {
    if (ready.postgresql) {
      await pgServer.seed(dbName(era), [...ddl(era, 'postgresql').map((s) => [s] as [string]), ...inserts(fixture, era, 'postgresql')]);
      urls['postgresql'][era] = pgServer.url(dbName(era));
    }
    if (ready.mysql) {
      await mariadb.seed(dbName(era), [...ddl(era, 'mysql').map((s) => [s] as [string]), ...inserts(fixture, era, 'mysql')]);
      urls['mysql'][era] = mariadb.url(dbName(era));
    }
    const file = join(tmp, `${dbName(era)}.db`);
    const db = new DatabaseSync(file);
    for (const s of ddl(era, 'sqlite')) db.exec(s);
    for (const [sql, params] of inserts(fixture, era, 'sqlite')) db.prepare(sql).run(...(params as (string | number | null)[]));
    db.close();
    urls['sqlite'][era] = `sqlite:///${file}`;
  }
}, 90_000);

afterAll(async () => {
  await Promise.all([pgServer?.stop(), mariadb?.stop()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function expectNoLeak(text: string): void {
  expect(fixtureCanaries(fixture).filter((c) => text.includes(c))).toEqual([]);
}

async function usageError(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UsageError);
  const message = (e as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

describe.each(['postgresql', 'mysql', 'sqlite'] as const)('%s metadata database', (dialect) => {
  it.skipIf(!ready[dialect]).each(ERAS)('reads Airflow %s tables: decrypts with current and rotated keys, reads unencrypted rows, reports the unknown key per row', async (era) => {
    const got: Collected = await readMetadataDb(urls[dialect]![era], fixture.fernet_key);
    const connections = Object.fromEntries(got.items.flatMap((i) => (i.kind === 'connection' ? [[i.id, i.fields]] : [])));
    const variables = Object.fromEntries(got.items.flatMap((i) => (i.kind === 'variable' ? [[i.key, i.value]] : [])));
    const want = Object.fromEntries(fixture.connections.filter((c) => c.expected).map((c) => [c.row['conn_id'], expectedIn(era, c.expected!)]));
    expect(connections).toEqual(want);
    expect(variables).toEqual(Object.fromEntries(fixture.variables.filter((v) => v.expected !== null).map((v) => [v.row['key'], v.expected])));
    expect(got.problems.map((p) => [p.item, p.message])).toEqual([
      ['connection lost_key', expect.stringContaining('password cannot be decrypted')],
      ['variable lost_var', expect.stringContaining('value cannot be decrypted')],
    ]);
    expect(got.items.every((i) => i.source.kind === 'metadata-db')).toBe(true);
    expectNoLeak(JSON.stringify(got.problems) + JSON.stringify(got.notes) + JSON.stringify(got.items.map((i) => i.source)));
  });

  it.skipIf(!ready[dialect])('without a fernet key reads only the unencrypted rows and names the others', async () => {
    const got = await readMetadataDb(urls[dialect]!['2.x'], null);
    expect(got.items.map((i) => (i.kind === 'connection' ? i.id : i.key)).sort()).toEqual(['plain_gcp', 'plain_var', 'redis_v6']);
    expect(got.problems.map((p) => p.item).sort()).toEqual(
      ['connection http_rotated', 'connection lost_key', 'connection pg_main', 'variable api_token', 'variable json_var', 'variable lost_var', 'variable rotated_var'].sort(),
    );
    expect(got.problems.every((p) => /encrypted but no fernet key/.test(p.message))).toBe(true);
  });

  it.skipIf(!ready[dialect])('with only the rotated-out key reports what the current key encrypted', async () => {
    const got = await readMetadataDb(urls[dialect]!['3.x'], fixture.keys.rotated);
    expect(got.items.map((i) => (i.kind === 'connection' ? i.id : i.key)).sort()).toEqual(['http_rotated', 'plain_gcp', 'plain_var', 'redis_v6', 'rotated_var']);
    expectNoLeak(JSON.stringify(got.problems));
  });
});

describe('metadata database errors: one line, no password', () => {
  it.skipIf(!ready.postgresql)('a refused connection', async () => {
    const url = pgServer.url('x').replace(`:${pgServer.port}/`, ':1/');
    const message = await usageError(readMetadataDb(url, null));
    expect(message).toMatch(/^metadata database postgresql\+psycopg2:\/\/airflow@127\.0\.0\.1:1\/x: connection refused$/);
    expect(message).not.toContain(pgServer.password);
  });

  it.skipIf(!ready.postgresql || !ready.mysql)('a wrong password (PostgreSQL and MariaDB)', async () => {
    for (const server of [pgServer, mariadb]) {
      const url = server.url(dbName('2.x')).replace(server.password, 'CANARY_SM_WRONG_PW');
      const message = await usageError(readMetadataDb(url, null));
      expect(message).toContain('authentication failed');
      expect(message).not.toContain('CANARY_SM_WRONG_PW');
    }
  });

  it.skipIf(!ready.postgresql || !ready.mysql)('a database that is not Airflow’s, a missing database, a missing SQLite file', async () => {
    await pgServer.seed('empty', []);
    expect(await usageError(readMetadataDb(pgServer.url('empty'), null))).toMatch(/has neither a connection nor a variable table/);
    expect(await usageError(readMetadataDb(mariadb.url('nope'), null))).toMatch(/database does not exist|access to the database denied/);
    expect(await usageError(readMetadataDb(`sqlite:///${join(tmp, 'missing.db')}`, null))).toMatch(/no such file$/);
  });

  it.skipIf(!hasFixture)('a malformed fernet key and an unsupported dialect', async () => {
    expect(await usageError(readMetadataDb(urls['sqlite']!['2.x'], `${fixture.keys.current},not-a-key`))).toBe('fernet key: key 2 of the comma-separated fernet_key is not 32 url-safe base64-encoded bytes');
    expect(await usageError(readMetadataDb('mssql+pyodbc://u:CANARY_SM_X@h/db', null))).toMatch(/dialect mssql is not supported/);
  });
});

describe('SQLAlchemy URLs', () => {
  it('parses the forms Airflow configurations use, without showing passwords', () => {
    expect(parseDatabaseUrl('postgresql+psycopg2://air%40flow:p%2Fw@db.example:5433/airflow?sslmode=require')).toMatchObject({
      dialect: 'postgresql',
      user: 'air@flow',
      password: 'p/w',
      host: 'db.example',
      port: 5433,
      database: 'airflow',
      query: { sslmode: 'require' },
      display: 'postgresql+psycopg2://air@flow@db.example:5433/airflow',
    });
    expect(parseDatabaseUrl('mysql+mysqldb://u:pw@[::1]:3306/af?charset=utf8mb4')).toMatchObject({ dialect: 'mysql', host: '::1', port: 3306, display: 'mysql+mysqldb://u@[::1]:3306/af' });
    expect(parseDatabaseUrl('sqlite:////abs/airflow.db')).toMatchObject({ dialect: 'sqlite', database: '/abs/airflow.db', display: 'sqlite:////abs/airflow.db' });
    expect(parseDatabaseUrl('sqlite:///relative.db')).toMatchObject({ database: 'relative.db' });
    expect(() => parseDatabaseUrl('not a url')).toThrow(UsageError);
  });
});
