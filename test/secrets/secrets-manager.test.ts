import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/aws/journal.js';
import { readSecretsState, requestToken, secretsManagerClient, upsertSecrets, type UpsertProgress } from '../../src/aws/secrets-manager.js';
import { UsageError } from '../../src/exit.js';
import { fingerprint } from '../../src/home/secrets.js';
import { mapSecrets, type MappedSecret } from '../../src/secrets/mapping.js';
import type { ConnectionFields } from '../../src/secrets/model.js';
import { planSecrets, type OnConflict } from '../../src/secrets/plan.js';
import { collectSecrets, type SourceSpec } from '../../src/secrets/sources.js';
import { ROOT } from '../helpers.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requires } from '../support/requires.js';
import { ddl, fixtureCanaries, inserts, makeFixture, type Fixture } from './fixture.js';

// Metadata DB and export file -> Secrets Manager (moto_server), and back through Airflow's parser.

let moto: Moto;
let sm: SecretsManagerClient;
let dir: string;
let fixture: Fixture;
let sources: SourceSpec[];
const writes: string[] = [];
/** Every text the tool produced, for the canary check at the end. */
const outputs: string[] = [];

const WRITE_COMMANDS = new Set(['CreateSecretCommand', 'PutSecretValueCommand', 'UpdateSecretVersionStageCommand', 'RestoreSecretCommand']);

const FILE_CONNECTIONS = {
  tricky: { conn_type: 'postgres', login: 'user@corp', password: 'CANARY_SM_MOTO_p@ss/w:rd% 1', host: 'DB.Example.com', port: 5432, schema: 'a/b', extra: '{"nested": {"k": [1]}}' },
  v6: { conn_type: 'redis', host: 'fe80::1', port: 6379, password: 'CANARY_SM_MOTO_v6' },
};

const ready = requires(import.meta.url, 'python3 with cryptography', 'moto_server');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mwaa-sm-'));
  process.env['XDG_CONFIG_HOME'] = dir; // the fingerprint key, kept out of the real home
  fixture = makeFixture();
  const file = join(dir, 'airflow.db');
  const db = new DatabaseSync(file);
  for (const s of ddl('2.x', 'sqlite')) db.exec(s);
  for (const [sql, params] of inserts(fixture, '2.x', 'sqlite')) db.prepare(sql).run(...(params as (string | number | null)[]));
  db.close();
  writeFileSync(join(dir, 'connections.json'), JSON.stringify(FILE_CONNECTIONS));
  sources = [
    { kind: 'metadata-db', url: `sqlite:///${file}`, fernetKey: fixture.fernet_key },
    { kind: 'connections-export', file: join(dir, 'connections.json') },
  ];
  moto = await startMoto();
  sm = secretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint });
  sm.middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITE_COMMANDS.has(context.commandName ?? '')) writes.push(context.commandName!);
      return next(args);
    },
    { step: 'initialize', name: 'countWrites' },
  );
});

afterAll(async () => {
  sm?.destroy();
  await moto?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function mapped(prefix: string): Promise<MappedSecret[]> {
  const collected = await collectSecrets(sources);
  outputs.push(JSON.stringify(collected.problems), JSON.stringify(collected.notes));
  const { secrets, problems } = mapSecrets(collected.items, { airflowVersion: '2.10.3', connectionsPrefix: `${prefix}/connections`, variablesPrefix: `${prefix}/variables` });
  outputs.push(JSON.stringify(problems));
  return secrets;
}

async function plan(prefix: string, onConflict: OnConflict = 'fail') {
  const secrets = await mapped(prefix);
  const state = await readSecretsState(sm, secrets.map((s) => s.name));
  const p = planSecrets(secrets, state, onConflict);
  outputs.push(JSON.stringify(p));
  return { secrets, plan: p };
}

async function apply(prefix: string, p: Awaited<ReturnType<typeof plan>>['plan'], extra: Partial<Parameters<typeof upsertSecrets>[0]> = {}) {
  const progress: UpsertProgress[] = [];
  const result = await upsertSecrets({ client: sm, actions: p.actions, current: await mapped(prefix), onProgress: (x) => progress.push(x), ...extra });
  outputs.push(JSON.stringify(result), JSON.stringify(progress));
  return { result, progress };
}

// By stage: moto 5 answers an unstaged GetSecretValue from the version it last created, even after
// UpdateSecretVersionStage moved AWSCURRENT (AWS answers AWSCURRENT).
const valueOf = async (name: string) => (await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }))).SecretString!;
const versionsOf = async (name: string) => (await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }))).Versions ?? [];

function airflowParse(uris: string[]): ConnectionFields[] {
  return JSON.parse(execFileSync('python3', [join(ROOT, 'test', 'secrets', 'airflow_parse_uri.py')], { input: JSON.stringify(uris), encoding: 'utf8' })) as ConnectionFields[];
}
const meaning = (f: ConnectionFields) => ({
  conn_type: f.conn_type,
  host: f.host || null,
  login: f.login || null,
  password: f.password || null,
  schema: f.schema || null,
  port: f.port || null,
  extra: f.extra ? JSON.parse(f.extra) : null,
});

async function errorOf(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => null,
    (err: unknown) => err as Error,
  );
  expect(e).toBeInstanceOf(UsageError);
  outputs.push(e!.message, String(e!.stack));
  return e!;
}

describe.skipIf(!ready)('connections and variables to Secrets Manager', () => {
  it('writes every secret once, tagged, with a deterministic version id; Airflow reads back the same fields', async () => {
    writes.length = 0;
    const { plan: p } = await plan('rt');
    expect(p.conflicts).toEqual([]);
    expect(p.actions.map((a) => [a.name, a.change])).toEqual(
      [
        'rt/connections/http_rotated',
        'rt/connections/pg_main',
        'rt/connections/plain_gcp',
        'rt/connections/redis_v6',
        'rt/connections/tricky',
        'rt/connections/v6',
        'rt/variables/api_token',
        'rt/variables/json_var',
        'rt/variables/plain_var',
        'rt/variables/rotated_var',
      ].map((n) => [n, 'create']),
    );
    const journal = new Journal(join(dir, 'rt.journal.jsonl'));
    const { result, progress } = await apply('rt', p, { journal, tags: { project: 'x' } });
    expect(result).toEqual({ total: 10, written: 10, skipped: 0, failed: 0, failures: [] });
    expect(progress.at(-1)).toEqual({ total: 10, written: 10, skipped: 0, failed: 0 });
    expect(writes.filter((w) => w === 'CreateSecretCommand')).toHaveLength(10);

    const conns = p.actions.filter((a) => a.what === 'connection');
    const parsed = airflowParse(await Promise.all(conns.map((a) => valueOf(a.name))));
    const original: Record<string, ConnectionFields> = {
      ...Object.fromEntries(fixture.connections.filter((c) => c.expected).map((c) => [c.row['conn_id'] as string, c.expected!])),
      ...Object.fromEntries(Object.entries(FILE_CONNECTIONS).map(([id, f]) => [id, { description: null, ...f } as ConnectionFields])),
    };
    expect(Object.fromEntries(conns.map((a, i) => [a.id, meaning(parsed[i]!)]))).toEqual(Object.fromEntries(conns.map((a) => [a.id, meaning(original[a.id]!)])));
    for (const v of fixture.variables.filter((x) => x.expected !== null)) expect(await valueOf(`rt/variables/${v.row['key'] as string}`)).toBe(v.expected);

    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'rt/connections/pg_main' }));
    expect(d.Tags).toEqual(expect.arrayContaining([{ Key: 'mwaa-migrate:created-by', Value: 'mwaa-migrate' }, { Key: 'project', Value: 'x' }]));
    const pg = p.actions.find((a) => a.id === 'pg_main')!;
    expect(Object.keys(d.VersionIdsToStages ?? {})).toEqual([requestToken(pg.name, pg.fingerprint)]);
    expect(readFileSync(join(dir, 'rt.journal.jsonl'), 'utf8').trim().split('\n')).toHaveLength(10);
  });

  it('a re-run writes nothing: a fresh plan is all unchanged, the old plan is skipped by journal or by value', async () => {
    writes.length = 0;
    const { plan: again } = await plan('rt');
    expect(new Set(again.actions.map((a) => a.change))).toEqual(new Set(['unchanged']));
    const { result } = await apply('rt', again);
    expect(result.total).toBe(0);

    const { plan: old } = await plan('rt-old');
    const journal = new Journal(join(dir, 'rt-old.journal.jsonl'));
    await apply('rt-old', old, { journal });
    writes.length = 0;
    expect((await apply('rt-old', old, { journal })).result).toMatchObject({ written: 0, skipped: 10 });
    expect((await apply('rt-old', old)).result).toMatchObject({ written: 0, skipped: 10 }); // no journal: the values show it
    expect(writes).toEqual([]);
  });

  it('interrupted runs (stopped, or a write whose answer was lost) resume to one correct version per secret', async () => {
    const { plan: p } = await plan('kill');
    const journal = new Journal(join(dir, 'kill.journal.jsonl'));
    const stop = new AbortController();
    const first = await apply('kill', p, { journal, concurrency: 1, signal: stop.signal, onProgress: (x) => x.written >= 3 && stop.abort() });
    expect(first.result.written).toBe(3);

    // The 5th write reaches Secrets Manager but its answer is lost: not journaled.
    let seen = 0;
    sm.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === 'CreateSecretCommand' && ++seen === 2) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        return out;
      },
      { step: 'initialize', name: 'loseAnswer' },
    );
    const second = await apply('kill', p, { journal, concurrency: 1 });
    sm.middlewareStack.remove('loseAnswer');
    expect(second.result).toMatchObject({ written: 6, skipped: 3, failed: 1 });
    expect(second.result.failures).toEqual([{ name: expect.any(String), reason: 'socket hang up' }]);

    writes.length = 0;
    const third = await apply('kill', p, { journal, concurrency: 1 });
    expect(third.result).toMatchObject({ written: 0, skipped: 10, failed: 0 });
    expect(writes).toEqual([]);
    const values = new Map((await mapped('kill')).map((s) => [s.name, s.value]));
    for (const a of p.actions) {
      expect(await versionsOf(a.name)).toHaveLength(1);
      expect(fingerprint(await valueOf(a.name))).toBe(fingerprint(values.get(a.name)!));
    }
  });

  it('conflicts: fail lists them and apply refuses; skip leaves them; overwrite replaces them', async () => {
    const { plan: p } = await plan('cf');
    await apply('cf', p);
    await sm.send(new PutSecretValueCommand({ SecretId: 'cf/variables/plain_var', SecretString: 'changed by someone' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'cf/connections/plain_gcp', RecoveryWindowInDays: 7 }));

    const failing = (await plan('cf', 'fail')).plan;
    expect(failing.conflicts).toEqual(['cf/connections/plain_gcp', 'cf/variables/plain_var']);
    expect(failing.actions.filter((a) => a.change !== 'unchanged').map((a) => [a.name, a.change, a.notes])).toEqual([
      ['cf/connections/plain_gcp', 'conflict', ['the secret is scheduled for deletion']],
      ['cf/variables/plain_var', 'conflict', []],
    ]);
    expect((await errorOf(apply('cf', failing))).message).toBe('secrets exist with other values: cf/connections/plain_gcp, cf/variables/plain_var; plan again choosing to skip or overwrite them');

    writes.length = 0;
    const skipping = (await plan('cf', 'skip')).plan;
    expect(skipping.actions.filter((a) => a.change === 'conflict-skipped')).toHaveLength(2);
    expect((await apply('cf', skipping)).result.total).toBe(0);
    expect(writes).toEqual([]);

    const overwriting = (await plan('cf', 'overwrite')).plan;
    expect(overwriting.actions.filter((a) => a.change !== 'unchanged').map((a) => a.change)).toEqual(['restore-and-update', 'update']);
    expect((await apply('cf', overwriting)).result).toMatchObject({ written: 2, failed: 0 });
    expect(await valueOf('cf/variables/plain_var')).toBe('hello world');
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'cf/connections/plain_gcp' }))).DeletedDate).toBeUndefined();
  });

  it('a source that changed since the plan is refused as stale, before any write', async () => {
    const { plan: p } = await plan('stale');
    const file = join(dir, 'connections.json');
    const saved = readFileSync(file, 'utf8');
    writeFileSync(file, JSON.stringify({ ...FILE_CONNECTIONS, v6: { ...FILE_CONNECTIONS.v6, password: 'CANARY_SM_MOTO_new' } }));
    writes.length = 0;
    try {
      expect((await errorOf(apply('stale', p))).message).toBe('the sources changed since the plan for stale/connections/v6; plan again');
    } finally {
      writeFileSync(file, saved);
    }
    expect(writes).toEqual([]);
  });

  it('no secret value in errors, problems, notes, plans, journals or progress', () => {
    const journals = ['rt', 'rt-old', 'kill'].map((j) => readFileSync(join(dir, `${j}.journal.jsonl`), 'utf8'));
    const text = [...outputs, ...journals].join('\n');
    const canaries = [...fixtureCanaries(fixture), 'CANARY_SM_MOTO_p@ss/w:rd% 1', 'CANARY_SM_MOTO_v6', 'CANARY_SM_MOTO_new', 'hello world', 'changed by someone'];
    expect(canaries.filter((c) => text.includes(c) || text.includes(encodeURIComponent(c)))).toEqual([]);
    expect(outputs.length).toBeGreaterThan(20);
  });
});
