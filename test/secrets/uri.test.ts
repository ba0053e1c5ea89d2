import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConnectionUri } from '../../src/secrets/airflow-uri.js';
import { mapSecrets, secretsBackendOptions } from '../../src/secrets/mapping.js';
import type { ConnectionFields, SecretItem } from '../../src/secrets/model.js';
import { emptyFields } from '../../src/secrets/model.js';
import { ROOT } from '../helpers.js';
import { requires } from '../support/requires.js';

// Connection URIs checked against Airflow's own parser (a faithful Python port of
// Connection._parse_from_uri on Python's urllib, in airflow_parse_uri.py).

const hasPython = requires(import.meta.url, 'python3');

type Parsed = Omit<ConnectionFields, 'description'> | { error: string };

function airflowParse(uris: string[], airflow1 = false): Parsed[] {
  const out = execFileSync('python3', [join(ROOT, 'test', 'secrets', 'airflow_parse_uri.py'), ...(airflow1 ? ['--airflow1'] : [])], { input: JSON.stringify(uris), encoding: 'utf8' });
  return JSON.parse(out) as Parsed[];
}

/** What a connection means to Airflow: '' and null alike, extra as parsed JSON ({} as none). */
function meaning(f: Parsed | ConnectionFields): unknown {
  if ('error' in f) return f;
  let extra: unknown = f.extra ?? null;
  if (typeof extra === 'string' && extra.trim() !== '') {
    try {
      extra = JSON.parse(extra);
    } catch {
      // kept as text
    }
  } else extra = null;
  if (extra !== null && typeof extra === 'object' && Object.keys(extra).length === 0) extra = null;
  return { conn_type: f.conn_type, host: f.host || null, login: f.login || null, password: f.password || null, schema: f.schema || null, port: f.port || null, extra };
}

const conn = (id: string, fields: Partial<ConnectionFields>): SecretItem => ({ kind: 'connection', id, fields: { ...emptyFields(), ...fields }, source: { kind: 'connections-export', file: 'c.json' } });

const TRICKY: SecretItem[] = [
  conn('pg_full', {
    conn_type: 'postgres',
    host: 'db.example.com',
    login: 'user@corp',
    password: 'CANARY_SM_p@ss/w:rd% 1 ?#&=+',
    schema: 'analytics/v2',
    port: 5432,
    extra: '{"sslmode": "require", "application_name": "a b&c=d"}',
  }),
  conn('no_login_password', { conn_type: 'mysql', host: 'h', password: 'CANARY_SM_only_password' }),
  conn('empty_login_password', { conn_type: 'mysql', host: 'h', login: '', password: 'pw:with:colons' }),
  conn('ipv6', { conn_type: 'redis', host: '::1', port: 6379 }),
  conn('ipv6_full', { conn_type: 'redis', host: 'fe80::1:2:3', port: 6380, password: 'x' }),
  conn('capital_host', { conn_type: 'postgres', host: 'DB.Example.COM', schema: 'MixedCase' }),
  conn('host_protocol', { conn_type: 'http', host: 'https://api.example.com/v1/Path', login: 'svc', password: 'CANARY_SM_http' }),
  conn('host_same_protocol', { conn_type: 'http', host: 'http://x.example', port: 8080 }),
  conn('nested_extra', { conn_type: 'http', host: 'h', extra: '{"headers": {"X-Token": "CANARY_SM_hdr"}, "timeout": 30, "verify": false, "list": [1, "two"]}' }),
  conn('not_json_extra', { conn_type: 'generic', extra: 'plain text, not JSON' }),
  conn('underscored_type', { conn_type: 'google_cloud_platform', extra: '{"project": "p-1", "key_path": "/keys/k.json"}' }),
  conn('port_only', { conn_type: 'generic', port: 8080 }),
  conn('unicode', { conn_type: 'ftp', host: 'ftp.exämple.org', login: 'ünï', password: 'pässwörd € 😀', schema: 'dir?#%/sub' }),
  conn('control_chars', { conn_type: 'ssh', host: 'h', password: 'line1\nline2\ttab\r', login: ' spaced ' }),
  conn('extra_key_like', { conn_type: 'aws', extra: '{"__extra__": "x", "region_name": "us-east-1"}' }),
  conn('aws', { conn_type: 'aws', login: 'AKIAEXAMPLE', password: 'CANARY_SM_aws/secret+key=', extra: '{"region_name": "eu-west-1", "role_arn": "arn:aws:iam::123456789012:role/x"}' }),
  conn('empty_extra', { conn_type: 'sqlite', host: '/tmp/x.db', extra: '{}' }),
];

describe('connection secrets read back through Airflow’s URI parser', () => {
  it.skipIf(!hasPython).each(['2.7.2', '2.10.3', '3.0.6'])('every tricky connection round-trips for Airflow %s', (version) => {
    const { secrets, problems } = mapSecrets(TRICKY, { airflowVersion: version });
    expect(problems).toEqual([]);
    expect(secrets.map((s) => s.name)).toEqual(TRICKY.map((i) => `airflow/connections/${(i as { id: string }).id}`));
    const parsed = airflowParse(secrets.map((s) => s.value));
    const got = Object.fromEntries(secrets.map((s, i) => [s.id, meaning(parsed[i]!)]));
    const want = Object.fromEntries(TRICKY.map((i) => [(i as { id: string }).id, meaning((i as { fields: ConnectionFields }).fields)]));
    expect(got).toEqual(want);
    // Only what Airflow cannot carry is noted: none of these lose a field.
    expect(secrets.flatMap((s) => s.notes)).toEqual([]);
  });

  it.skipIf(!hasPython)('Airflow 1.10 (no __extra__): flat extras round-trip, nested ones are noted', () => {
    const flat = TRICKY.filter((i) => !['nested_extra', 'not_json_extra', 'extra_key_like', 'host_same_protocol'].includes((i as { id: string }).id));
    const { secrets } = mapSecrets(flat, { airflowVersion: '1.10.12' });
    const parsed = airflowParse(secrets.map((s) => s.value), true);
    expect(Object.fromEntries(secrets.map((s, i) => [s.id, meaning(parsed[i]!)]))).toEqual(Object.fromEntries(flat.map((i) => [(i as { id: string }).id, meaning((i as { fields: ConnectionFields }).fields)])));
    const nested = mapSecrets([TRICKY.find((i) => (i as { id: string }).id === 'nested_extra')!], { airflowVersion: '1.10.12' }).secrets[0]!;
    expect(nested.notes).toEqual(['extra has nested or non-string values: Airflow 1.10 reads them back as strings']);
  });

  it('notes what Airflow itself changes or drops, and refuses what Secrets Manager cannot hold', () => {
    const { secrets, problems } = mapSecrets(
      [
        conn('dashed', { conn_type: 'my-type', host: 'h' }),
        conn('described', { conn_type: 'http', host: 'h', description: 'CANARY_SM_desc' }),
        conn('aws_default', { conn_type: 'aws' }),
        conn('no_type', { host: 'h' }),
        conn('bad id!', { conn_type: 'http' }),
        { kind: 'variable', key: 'empty', value: '', source: { kind: 'variables-export', file: 'v.json' } },
        { kind: 'variable', key: 'huge', value: 'x'.repeat(70_000), source: { kind: 'variables-export', file: 'v.json' } },
      ],
      { airflowVersion: '2.10.3' },
    );
    expect(Object.fromEntries(secrets.map((s) => [s.id, s.notes]))).toEqual({
      dashed: ['conn_type my-type reads back as my_type (Airflow normalises connection types in URIs)'],
      described: ['description is not carried: the Secrets Manager backend has no field for it'],
      aws_default: ["MWAA's connections_lookup_pattern skips aws_default, so Airflow will not read this secret"],
    });
    expect(problems.map((p) => [p.item, p.message])).toEqual([
      ['connection no_type', 'has no conn_type: Airflow cannot read a connection without one'],
      ['connection bad id!', 'secret name airflow/connections/bad id! is not valid in Secrets Manager (letters, digits and /_+=.@- only, at most 512)'],
      ['variable empty', 'the value is empty: Secrets Manager does not store an empty secret string'],
      ['variable huge', "the secret would be larger than Secrets Manager's 65536 bytes"],
    ]);
  });

  it('uses the configured prefixes; variables map to their value', () => {
    const { secrets } = mapSecrets([{ kind: 'variable', key: 'k', value: 'v', source: { kind: 'env-file', file: '.env', line: 1 } }, conn('c', { conn_type: 'http' })], {
      airflowVersion: '2.10.3',
      connectionsPrefix: 'mwaa/conns',
      variablesPrefix: 'mwaa/vars',
    });
    expect(secrets.map((s) => [s.name, s.value])).toEqual([
      ['mwaa/vars/k', 'v'],
      ['mwaa/conns/c', 'http://'],
    ]);
    expect(() => mapSecrets([], { airflowVersion: '2.10.3', connectionsPrefix: 'x/' })).toThrow(/neither starts nor ends with/);
    expect(() => mapSecrets([], { airflowVersion: '2.10.3', connectionsPrefix: 'same', variablesPrefix: 'same' })).toThrow(/different prefixes/);
  });
});

describe.skipIf(!hasPython)('reading AIRFLOW_CONN_* style URIs gives what Airflow gives', () => {
  it('matches the Python port on hand-written URIs', () => {
    const uris = [
      'postgresql://user:p%40ss@Host.Example:5432/db?a=1&b=&c',
      'mysql://:pw@h',
      'http://https://host.com:443/path?x=1',
      'aws://?__extra__=%7B%22a%22%3A+1%7D',
      'sqlite:///%2Ftmp%2Fx.db',
      'my-type://[::1]:80/s',
      'google-cloud-platform://?extra__google_cloud_platform__project=p&x=%C3%A9',
      'ssh://user@host:22/?key_file=%2Fk&no_host_key_check=true&a=1&a=2',
      'redis://h:99999',
      'a://b://c://d',
    ];
    const python = airflowParse(uris);
    const ours = uris.map((u): Parsed => {
      try {
        const { description: _, ...f } = parseConnectionUri(u);
        return f;
      } catch {
        return { error: 'ValueError' };
      }
    });
    expect(ours).toEqual(python);
  });
});

describe('secrets backend configuration per MWAA Airflow version', () => {
  it('uses the contrib class on 1.10, the provider class after, the lookup pattern from 2.6, workers kwargs on 3', () => {
    expect(secretsBackendOptions({ airflowVersion: '1.10.12' })).toEqual({
      'secrets.backend': 'airflow.contrib.secrets.aws_secrets_manager.SecretsManagerBackend',
      'secrets.backend_kwargs': '{"connections_prefix":"airflow/connections","variables_prefix":"airflow/variables"}',
    });
    expect(secretsBackendOptions({ airflowVersion: '2.5.1' })['secrets.backend_kwargs']).not.toContain('lookup_pattern');
    const kwargs = '{"connections_prefix":"airflow/connections","variables_prefix":"airflow/variables","connections_lookup_pattern":"^(?!aws_default$).*$"}';
    expect(secretsBackendOptions({ airflowVersion: '2.10.3' })).toEqual({
      'secrets.backend': 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend',
      'secrets.backend_kwargs': kwargs,
    });
    expect(secretsBackendOptions({ airflowVersion: '3.0.6' })).toEqual({
      'secrets.backend': 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend',
      'secrets.backend_kwargs': kwargs,
      'workers.secrets_backend_kwargs': kwargs,
    });
  });
});
