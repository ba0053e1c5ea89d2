import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import type { ConnectionFields } from '../../src/secrets/model.js';

// The metadata-database fixture, made by Python's cryptography (make_metadata.py), and the
// table layouts of Airflow's three eras, per SQL dialect.

export interface Fixture {
  keys: { current: string; rotated: string; lost: string };
  fernet_key: string;
  connections: { row: Record<string, unknown>; expected: ConnectionFields | null }[];
  variables: { row: Record<string, unknown>; expected: string | null }[];
  tokens: { key: 'current' | 'rotated' | 'lost'; plaintext: string; token: string }[];
}

export const makeFixture = (): Fixture =>
  JSON.parse(execFileSync('python3', [join(ROOT, 'test', 'secrets', 'make_metadata.py')], { encoding: 'utf8' })) as Fixture;

/** Every canary the fixture's secret values hold. */
export const fixtureCanaries = (f: Fixture): string[] => {
  const all = JSON.stringify(f.connections.map((c) => c.expected ?? {})) + JSON.stringify(f.variables.map((v) => v.expected ?? ''));
  const secrets = [...f.connections.flatMap((c) => [c.row['password']]), ...f.variables.map((v) => v.expected)].filter((x): x is string => typeof x === 'string');
  return [...new Set([...(all.match(/CANARY_SM_[A-Za-z0-9_]+/g) ?? []), ...Object.values(f.keys), ...secrets.filter((s) => s.startsWith('gAAAA'))])];
};

export type Era = '1.10' | '2.x' | '3.x';
export type Dialect = 'postgresql' | 'mysql' | 'sqlite';
export const ERAS: Era[] = ['1.10', '2.x', '3.x'];

/**
 * CREATE TABLE statements after Airflow's models: 1.10 (airflow/models/connection.py,
 * variable.py: no description columns, String(5000) password/extra), 2.x (description added,
 * login/password/extra Text), 3.x (as 2.x in airflow-core/src/airflow/models/connection.py, plus
 * a column this tool does not read, standing for the ones later versions add).
 */
export function ddl(era: Era, dialect: Dialect): string[] {
  const q = (n: string) => (dialect === 'mysql' ? `\`${n}\`` : `"${n}"`);
  const id = dialect === 'postgresql' ? 'id SERIAL PRIMARY KEY' : dialect === 'mysql' ? 'id INTEGER AUTO_INCREMENT PRIMARY KEY' : 'id INTEGER PRIMARY KEY AUTOINCREMENT';
  const text = (n: number) => (era === '1.10' ? `VARCHAR(${n})` : 'TEXT');
  const desc = era === '1.10' ? '' : `, description TEXT`;
  const later = era === '3.x' ? `, team_name VARCHAR(50)` : '';
  return [
    `CREATE TABLE connection (${id}, conn_id VARCHAR(250) NOT NULL UNIQUE, conn_type VARCHAR(500) NOT NULL${desc}, host VARCHAR(500), ${q('schema')} VARCHAR(500), login ${text(500)}, password ${text(5000)}, port INTEGER, extra ${text(5000)}, is_encrypted BOOLEAN, is_extra_encrypted BOOLEAN${later})`,
    `CREATE TABLE variable (${id}, ${q('key')} VARCHAR(250) UNIQUE, val TEXT${desc}, is_encrypted BOOLEAN${later})`,
  ];
}

/** INSERTs of the fixture's rows (the era's columns only). */
export function inserts(f: Fixture, era: Era, dialect: Dialect): [string, unknown[]][] {
  const q = (n: string) => (dialect === 'mysql' ? `\`${n}\`` : `"${n}"`);
  const out: [string, unknown[]][] = [];
  const add = (table: string, row: Record<string, unknown>) => {
    const cols = Object.keys(row).filter((c) => era !== '1.10' || c !== 'description');
    const marks = cols.map((_, i) => (dialect === 'postgresql' ? `$${i + 1}` : '?'));
    const values = cols.map((c) => (dialect === 'sqlite' && typeof row[c] === 'boolean' ? Number(row[c]) : row[c]));
    out.push([`INSERT INTO ${table} (${cols.map(q).join(', ')}) VALUES (${marks.join(', ')})`, values]);
  };
  for (const c of f.connections) add('connection', c.row);
  for (const v of f.variables) add('variable', v.row);
  return out;
}

/** What a connection reads as in an era (1.10 has no description). */
export function expectedIn(era: Era, fields: ConnectionFields): ConnectionFields {
  return era === '1.10' ? { ...fields, description: null } : fields;
}
