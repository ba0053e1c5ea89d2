import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { freePort } from './moto.js';
import { PG_BIN } from './requires.js';

// Throwaway PostgreSQL and MariaDB servers for the tests: each in its own temp folder, on a free
// loopback port, with fsync off (nothing here needs to survive a crash). Both refuse to run as
// root the normal way: PostgreSQL is run as the unprivileged user "nobody", MariaDB is told
// --user=root explicitly.

export interface DbServer {
  /** A SQLAlchemy URL for one database on this server. */
  url(database: string): string;
  /** Creates a database and runs the statements in it (as the test user). */
  seed(database: string, statements: [sql: string, params?: unknown[]][]): Promise<void>;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** As "nobody" when root (initdb and postgres refuse root), else as is. */
function asUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', cmd, ...args]] : [cmd, args];
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args[0] ?? ''} failed (${r.status ?? r.error?.message}):\n${r.stderr}${r.stdout}`.slice(0, 4000));
}

function childStopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

async function waitFor(what: string, child: ChildProcess, log: () => string, attempt: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(100)) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${log()}`);
    try {
      await attempt();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what} did not answer in ${timeoutMs} ms (${(e as Error).message}):\n${log()}`);
    }
  }
}

export async function startPostgres(): Promise<DbServer> {
  if (!existsSync(join(PG_BIN, 'initdb'))) throw new Error(`PostgreSQL is not installed (no ${PG_BIN}/initdb): apt-get install postgresql`);
  const dir = mkdtempSync(join(tmpdir(), 'mwaa-pg-'));
  const data = join(dir, 'data');
  const user = 'airflow';
  const password = 'pg-test-password';
  writeFileSync(join(dir, 'pw'), password);
  if (isRoot) chownSync(dir, NOBODY, NOBODY), chownSync(join(dir, 'pw'), NOBODY, NOBODY);
  run(...asUser(join(PG_BIN, 'initdb'), ['-D', data, '-U', user, `--pwfile=${join(dir, 'pw')}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync', '--no-instructions']));
  const port = await freePort();
  const [cmd, args] = asUser(join(PG_BIN, 'postgres'), ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-F', '-c', 'full_page_writes=off', '-c', 'shared_buffers=16MB']);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const client = () => new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
  const stop = childStopper(child, dir);
  try {
    await waitFor('postgres', child, () => log, async () => {
      const c = client();
      await c.connect();
      await c.end();
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port,
    user,
    password,
    url: (db) => `postgresql+psycopg2://${user}:${password}@127.0.0.1:${port}/${db}`,
    async seed(db, statements) {
      const admin = client();
      await admin.connect();
      await admin.query(`CREATE DATABASE "${db}"`);
      await admin.end();
      const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: db });
      await c.connect();
      for (const [sql, params] of statements) await c.query(sql, params);
      await c.end();
    },
    stop,
  };
}

export async function startMariadb(): Promise<DbServer> {
  const installDb = ['mariadb-install-db', 'mysql_install_db'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
  if (!installDb) throw new Error('MariaDB is not installed (no mariadb-install-db): apt-get install mariadb-server');
  const dir = mkdtempSync(join(tmpdir(), 'mwaa-mariadb-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const common = ['--no-defaults', `--datadir=${data}`, ...(isRoot ? ['--user=root'] : [])];
  run(installDb, [...common, '--auth-root-authentication-method=normal', '--skip-test-db']);
  const port = await freePort();
  const server = existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mysqld';
  const child = spawn(
    server,
    [
      ...common,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      '--innodb-flush-log-at-trx-commit=0',
      '--innodb-doublewrite=0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const stop = childStopper(child, dir);
  const user = 'airflow';
  const password = 'maria-test-password';
  try {
    await waitFor('mariadbd', child, () => log, async () => {
      const c = await mysql.createConnection({ socketPath: socket, user: 'root' });
      await c.query(`CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${password}'`);
      await c.query(`GRANT ALL ON *.* TO '${user}'@'%'`);
      await c.end();
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port,
    user,
    password,
    url: (db) => `mysql+mysqldb://${user}:${password}@127.0.0.1:${port}/${db}?charset=utf8mb4`,
    async seed(db, statements) {
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user, password, multipleStatements: false });
      await c.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
      await c.changeUser({ database: db });
      for (const [sql, params] of statements) await c.execute(sql, params as never);
      await c.end();
    },
    stop,
  };
}
