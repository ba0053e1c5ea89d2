import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/exit.js';
import { readConnectionsExport, readEnvFile, readVariablesExport } from '../../src/secrets/files.js';
import { resolveHomeDatabase } from '../../src/secrets/home-db.js';
import { emptyFields, type Collected } from '../../src/secrets/model.js';
import { collectSecrets } from '../../src/secrets/sources.js';
import { requires } from '../support/requires.js';
import { ddl, inserts, makeFixture, type Fixture } from './fixture.js';

// Export files, env files, a home's database settings, and the precedence between sources.

let dir: string;
let fixture: Fixture;
const at = (name: string) => join(dir, name);
const write = (name: string, text: string) => {
  writeFileSync(at(name), text);
  return at(name);
};

// As `airflow connections export` writes them (extra is the stored JSON text).
const EXPORTED = {
  pg: { conn_type: 'postgres', description: 'the db', login: 'u', password: 'CANARY_SM_FILE_PW', host: 'h', port: 5432, schema: 'db', extra: '{"a": "b"}' },
  bare: { conn_type: 'http', description: null, login: null, password: null, host: null, port: null, schema: null, extra: null },
};
const PG_FIELDS = { ...emptyFields(), ...EXPORTED.pg };
const BARE_FIELDS = emptyFields();
BARE_FIELDS.conn_type = 'http';

// Only the last test reads the fixture; the rest run without Python.
const hasFixture = requires(import.meta.url, 'python3 with cryptography');
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mwaa-sources-'));
  if (hasFixture) fixture = makeFixture();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const byId = (c: Collected) => Object.fromEntries(c.items.map((i) => (i.kind === 'connection' ? [i.id, i.fields] : [i.key, i.value])));

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('airflow connections export files', () => {
  it('reads JSON and YAML exports, with per-entry problems for bad entries', () => {
    const data = { ...EXPORTED, as_uri: 'mysql://u:p%40w@h:3306/db', bad_port: { conn_type: 'x', port: 'abc' }, unknown_key: { conn_type: 'x', bogus: 'CANARY_SM_BOGUS' }, dejson: { conn_type: 'x', extra_dejson: { k: 1 } } };
    const json = readConnectionsExport(write('c.json', JSON.stringify(data, null, 2)));
    const yaml = readConnectionsExport(
      write(
        'c.yml',
        'pg:\n  conn_type: postgres\n  description: the db\n  login: u\n  password: CANARY_SM_FILE_PW\n  host: h\n  port: 5432\n  schema: db\n  extra: \'{"a": "b"}\'\nbare:\n  conn_type: http\nas_uri: mysql://u:p%40w@h:3306/db\nbad_port:\n  conn_type: x\n  port: abc\nunknown_key:\n  conn_type: x\n  bogus: CANARY_SM_BOGUS\ndejson:\n  conn_type: x\n  extra_dejson: {k: 1}\n',
      ),
    );
    for (const got of [json, yaml]) {
      expect(byId(got)).toEqual({
        pg: PG_FIELDS,
        bare: BARE_FIELDS,
        as_uri: { ...emptyFields(), conn_type: 'mysql', login: 'u', password: 'p@w', host: 'h', port: 3306, schema: 'db' },
        dejson: { ...emptyFields(), conn_type: 'x', extra: '{"k": 1}' },
      });
      expect(got.problems.map((p) => [p.item, p.message])).toEqual([
        ['connection bad_port', 'port is not a whole number from 0 to 65535'],
        ['connection unknown_key', 'unexpected key(s) bogus'],
      ]);
    }
  });

  it('reads .env exports: conn_id=URI, and conn_id=JSON (--serialization-format json)', () => {
    const got = readConnectionsExport(write('c.env', 'pg=postgres://u:CANARY_SM_ENV_PW@h:5432/db?a=b\njson_conn={"conn_type": "http", "host": "h", "extra": {"k": "v"}}\nbad=a://b://c://d\n'));
    expect(byId(got)).toEqual({
      pg: { ...emptyFields(), conn_type: 'postgres', login: 'u', password: 'CANARY_SM_ENV_PW', host: 'h', port: 5432, schema: 'db', extra: '{"a": "b"}' },
      json_conn: { ...emptyFields(), conn_type: 'http', host: 'h', extra: '{"k": "v"}' },
    });
    expect(got.problems).toEqual([{ item: 'connection bad', source: { kind: 'connections-export', file: at('c.env'), line: 3 }, message: 'invalid connection URI (more than two "://")' }]);
  });

  it('whole-file failures are one line without any of the file’s text', () => {
    const messages = [
      usageMessage(() => readConnectionsExport(write('broken.json', '{"pg": {"password": "CANARY_SM_BROKEN_JSON" '))),
      usageMessage(() => readConnectionsExport(write('broken.yaml', 'pg:\n  password: "CANARY_SM_BROKEN_YAML\n  - [\n'))),
      usageMessage(() => readConnectionsExport(write('list.json', '["CANARY_SM_LIST"]'))),
      usageMessage(() => readConnectionsExport(at('missing.json'))),
      usageMessage(() => readConnectionsExport(write('c.txt', 'x'))),
      usageMessage(() => readVariablesExport(write('v-broken.json', '{"k": CANARY_SM_BROKEN_VAR}'))),
    ];
    expect(messages[0]).toMatch(/^connections file .*broken\.json: not valid JSON( \(line \d+ column \d+\))?$/);
    expect(messages[1]).toMatch(/^connections file .*broken\.yaml: not valid YAML \(line \d+ column \d+\)$/);
    expect(messages[2]).toMatch(/expected a mapping of connection ids to connections$/);
    expect(messages[3]).toMatch(/missing\.json: no such file$/);
    expect(messages[4]).toMatch(/unknown format/);
    expect(messages[5]).toMatch(/^variables file .*: not valid JSON/);
    for (const m of messages) expect([m, m.includes('CANARY')]).toEqual([m, false]);
  });
});

describe('airflow variables export files', () => {
  it('keeps strings, stores other JSON values as Airflow’s variables import would, takes {value, description}', () => {
    const got = readVariablesExport(write('v.json', JSON.stringify({ s: 'CANARY_SM_VAR', obj: { k: [1, 'é'] }, num: 3, flag: true, described: { value: 'v', description: 'd' } })));
    expect(byId(got)).toEqual({ s: 'CANARY_SM_VAR', obj: '{"k": [1, "\\u00e9"]}', num: '3', flag: 'true', described: 'v' });
  });
});

describe('AIRFLOW_CONN_* and AIRFLOW_VAR_* in an env file', () => {
  it('reads URI and JSON connections and variables, lower-casing ids with a note', () => {
    const got = readEnvFile(
      write(
        '.env',
        [
          'AIRFLOW_CONN_MY_PG=postgres://u:CANARY_SM_ENVFILE@h:5432/db',
          `export AIRFLOW_CONN_J='{"conn_type": "http", "extra": {"k": "v"}, "port": "8080"}'`,
          'AIRFLOW_VAR_TOKEN="CANARY_SM_ENV_VAR with spaces"',
          'AIRFLOW__CORE__FERNET_KEY=ignored-here',
          'AIRFLOW_CONN_BAD={not json CANARY_SM_BADJSON',
          'this line is malformed CANARY_SM_MALFORMED',
        ].join('\n'),
      ),
    );
    expect(byId(got)).toEqual({
      my_pg: { ...emptyFields(), conn_type: 'postgres', login: 'u', password: 'CANARY_SM_ENVFILE', host: 'h', port: 5432, schema: 'db' },
      j: { ...emptyFields(), conn_type: 'http', port: 8080, extra: '{"k": "v"}' },
      token: 'CANARY_SM_ENV_VAR with spaces',
    });
    expect(got.problems.map((p) => [p.item, p.message])).toEqual([
      [undefined, 'line 6 is not NAME=VALUE'],
      ['connection bad', 'starts with "{" but is not valid JSON'],
    ]);
    expect(got.notes).toEqual([expect.stringContaining('4 AIRFLOW_CONN_*/AIRFLOW_VAR_* name(s) taken in lower case')]);
    expect(JSON.stringify(got.problems) + got.notes.join('')).not.toContain('CANARY');
  });
});

describe('the metadata database settings of a home', () => {
  it('takes airflow.cfg, env-file and environment overrides in Airflow’s order, and never runs _cmd/_secret', () => {
    const home = at('home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'airflow.cfg'), '[core]\nsql_alchemy_conn = sqlite:////old/core.db\nfernet_key = CANARY_SM_CFG_KEY\n[database]\nsql_alchemy_conn = postgresql://u:p@%(host)s/af\nhost = db.example\n');
    let r = resolveHomeDatabase(home);
    expect(r.sqlAlchemyConn).toEqual({ value: 'postgresql://u:p@db.example/af', from: 'airflow.cfg [database] sql_alchemy_conn' });
    expect(r.fernetKey).toEqual({ value: 'CANARY_SM_CFG_KEY', from: 'airflow.cfg [core] fernet_key' });

    const envFile = write('home.env', 'AIRFLOW__CORE__SQL_ALCHEMY_CONN=mysql://u:p@h/af\nAIRFLOW__CORE__FERNET_KEY_CMD=cat /secret\n');
    r = resolveHomeDatabase(home, { envFile });
    expect(r.sqlAlchemyConn).toEqual({ value: 'mysql://u:p@h/af', from: `AIRFLOW__CORE__SQL_ALCHEMY_CONN (${envFile})` });
    expect(r.fernetKey).toEqual({
      value: null,
      from: `AIRFLOW__CORE__FERNET_KEY_CMD (${envFile})`,
      unresolvable: `fernet_key is read from a command or a secrets backend (AIRFLOW__CORE__FERNET_KEY_CMD (${envFile})), which this tool does not run`,
    });

    r = resolveHomeDatabase(home, { envFile, env: { AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_SECRET: 'db_conn', AIRFLOW__CORE__FERNET_KEY: 'k' } });
    expect(r.sqlAlchemyConn.unresolvable).toMatch(/^sql_alchemy_conn is read from a command or a secrets backend \(AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_SECRET \(environment\)\)/);
    expect(r.fernetKey).toEqual({ value: 'k', from: 'AIRFLOW__CORE__FERNET_KEY (environment)' });

    const bare = at('bare-home');
    mkdirSync(bare, { recursive: true });
    expect(resolveHomeDatabase(bare)).toEqual({
      sqlAlchemyConn: { value: `sqlite:///${join(bare, 'airflow.db')}`, from: 'default (airflow.db in the home)' },
      fernetKey: { value: null, from: 'unset' },
    });
  });
});

describe.skipIf(!hasFixture)('several sources together', () => {
  it('later sources override earlier ones, with a note naming both', async () => {
    const file = at('meta.db');
    const db = new DatabaseSync(file);
    for (const s of ddl('2.x', 'sqlite')) db.exec(s);
    for (const [sql, params] of inserts(fixture, '2.x', 'sqlite')) db.prepare(sql).run(...(params as (string | number | null)[]));
    db.close();
    const conns = write('override.json', JSON.stringify({ pg_main: EXPORTED.pg }));
    const env = write('override.env', 'AIRFLOW_VAR_API_TOKEN=from-env\n');
    const got = await collectSecrets([
      { kind: 'metadata-db', url: `sqlite:///${file}`, fernetKey: fixture.fernet_key },
      { kind: 'connections-export', file: conns },
      { kind: 'env-file', file: env },
    ]);
    expect(byId(got)['pg_main']).toEqual(PG_FIELDS);
    expect(byId(got)['api_token']).toBe('from-env');
    expect(got.notes).toEqual([
      `connection pg_main from ${conns} overrides the one from metadata db sqlite:///${file} (table connection)`,
      `${env}: 1 AIRFLOW_CONN_*/AIRFLOW_VAR_* name(s) taken in lower case; Secrets Manager names are case-sensitive, so a DAG that asks for another case will not find them`,
      `variable api_token from ${env} line 1 overrides the one from metadata db sqlite:///${file} (table variable)`,
    ]);
    expect(got.problems.map((p) => p.item)).toEqual(['connection lost_key', 'variable lost_var']);
  });
});
