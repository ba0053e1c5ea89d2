import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Zip, ZipDeflate } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

// Hostile Airflow homes, generated here (no binary is committed): each is scanned and reported
// by the real CLI in a process of its own. Every case must end on its own with exit 0, 1, 2 or 4,
// at most one line on stderr and no stack trace, under 500 MB. The time of each is printed.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-fuzz-'));
afterAll(() => {
  chmodSync(tmp, 0o755);
  rmSync(tmp, { recursive: true, force: true });
});

const DAG = 'from airflow import DAG\nwith DAG("d") as dag:\n    pass\n';
const fifo = (path: string) => execFileSync('mkfifo', [path]);

/** A zip whose entries each inflate to `mb` MB of zeros, built a megabyte at a time (this process stays small). */
function bomb(path: string, names: string[], mb: number): void {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    parts.push(data);
  });
  const chunk = new Uint8Array(1024 * 1024);
  for (const name of names) {
    const entry = new ZipDeflate(name, { level: 9 });
    zip.add(entry);
    for (let i = 0; i < mb; i++) entry.push(chunk, i === mb - 1);
  }
  zip.end();
  writeFileSync(path, Buffer.concat(parts));
}

interface Case {
  name: string;
  build: (home: string) => void;
  /** Extra arguments (the env file case); exit 2 expected when given. */
  args?: (home: string) => string[];
}

const CASES: Case[] = [
  { name: 'FIFO as a plugin', build: (h) => fifo(join(h, 'plugins', 'x.py')) },
  { name: 'FIFO as requirements.txt', build: (h) => fifo(join(h, 'requirements.txt')) },
  { name: 'FIFO as airflow.cfg', build: (h) => fifo(join(h, 'airflow.cfg')) },
  { name: 'FIFO as the env file', build: (h) => fifo(join(h, 'airflow.env')), args: (h) => ['--env-file', join(h, 'airflow.env')] },
  { name: 'dags_folder = /', build: (h) => writeFileSync(join(h, 'airflow.cfg'), '[core]\ndags_folder = /\n') },
  { name: 'dags_folder under /proc', build: (h) => writeFileSync(join(h, 'airflow.cfg'), '[core]\ndags_folder = /proc/self\n') },
  { name: 'symlink to / in dags', build: (h) => symlinkSync('/', join(h, 'dags', 'root')) },
  { name: 'symlink to /etc in dags', build: (h) => symlinkSync('/etc', join(h, 'dags', 'etc')) },
  { name: 'symlink loop', build: (h) => symlinkSync('..', join(h, 'dags', 'up')) },
  { name: '5 MB single-line .py', build: (h) => writeFileSync(join(h, 'dags', 'long.py'), `from airflow import DAG\nx = [${'"abc", '.repeat(800_000)}]\n`) },
  { name: '12 MB .py (over the limit)', build: (h) => writeFileSync(join(h, 'dags', 'huge.py'), `# ${'x'.repeat(12 * 1024 * 1024)}\n`) },
  { name: 'nested parentheses', build: (h) => writeFileSync(join(h, 'dags', 'deep.py'), `x = ${'('.repeat(50_000)}1${')'.repeat(50_000)}\n`) },
  { name: 'nested brackets and calls', build: (h) => writeFileSync(join(h, 'dags', 'calls.py'), `x = ${'f(['.repeat(20_000)}1${'])'.repeat(20_000)}\n`) },
  { name: 'nested f-strings', build: (h) => writeFileSync(join(h, 'dags', 'fs.py'), `x = ${'f"{'.repeat(200)}1${'}"'.repeat(200)}\n`) },
  { name: '50,000-term binary operation', build: (h) => writeFileSync(join(h, 'dags', 'wide.py'), `from airflow import DAG\nx = ${Array.from({ length: 50_000 }, (_, i) => `a${i}`).join(' + ')}\n`) },
  {
    name: '5,000 tasks in one chain',
    build: (h) => {
      const tasks = Array.from({ length: 5000 }, (_, i) => `    t${i} = EmptyOperator(task_id="t${i}")`).join('\n');
      const chain = Array.from({ length: 5000 }, (_, i) => `t${i}`).join(' >> ');
      writeFileSync(join(h, 'dags', 'many.py'), `from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\nwith DAG("many") as dag:\n${tasks}\n    ${chain}\n`);
    },
  },
  { name: 'zip bomb as a DAG zip', build: (h) => bomb(join(h, 'dags', 'bomb.zip'), ['a.py', 'b.py', 'c.py'], 300) },
  { name: 'zip bomb as plugins.zip', build: (h) => bomb(join(h, 'plugins.zip'), ['a.py'], 1000) },
  { name: 'string escapes CPython rejects', build: (h) => writeFileSync(join(h, 'dags', 'esc.py'), `${DAG}p = "C:\\users\\me"\nq = "\\U00110000"\nr = "\\xZZ"\n`) },
  { name: 'binary .py and not UTF-8', build: (h) => (writeFileSync(join(h, 'dags', 'bin.py'), Buffer.from([0, 1, 2, 0xff])), writeFileSync(join(h, 'dags', 'latin.py'), Buffer.from('x = "caf\xe9"\n', 'latin1'))) },
  { name: 'Python 2', build: (h) => writeFileSync(join(h, 'dags', 'py2.py'), 'from airflow import DAG\nprint "hello"\nexcept Exception, e:\n') },
  { name: 'malformed airflow.cfg', build: (h) => writeFileSync(join(h, 'airflow.cfg'), 'no section\n[core\n= value\n[core]\ndags_folder\n%(x)s\n') },
  {
    name: 'hostile requirements.txt',
    build: (h) => {
      writeFileSync(join(h, 'requirements.txt'), `-r a.txt\n${'pandas \\\n'.repeat(2000)}\n\\\n\\\n-r requirements.txt\n${'x'.repeat(200_000)}\n`);
      for (let i = 0; i < 500; i++) writeFileSync(join(h, i === 0 ? 'a.txt' : `r${i}.txt`), `-r r${i + 1}.txt\n-r requirements.txt\nflask==${i}.0\n`);
    },
  },
  { name: 'unreadable folder', build: (h) => (mkdirSync(join(h, 'dags', 'locked')), writeFileSync(join(h, 'dags', 'locked', 'x.py'), DAG), chmodSync(join(h, 'dags', 'locked'), 0o000)) },
];

function home(name: string): string {
  const h = join(tmp, name.replace(/\W+/g, '-'));
  mkdirSync(join(h, 'dags'), { recursive: true });
  mkdirSync(join(h, 'plugins'));
  writeFileSync(join(h, 'dags', 'good.py'), DAG);
  return h;
}

/** The CLI through bench/cli-once.mjs, which reports the process's peak memory. */
function once(args: string[]): Promise<{ exitCode: number; maxRssMB: number; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    // `--`: Node would take the env-file case's --env-file as its own flag and read the FIFO itself.
    const child = spawn(process.execPath, ['--', join(ROOT, 'bench', 'cli-once.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'], HOME: process.env['HOME'], NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', () => {
      try {
        resolve({ ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as { exitCode: number; maxRssMB: number; ms: number }), stderr });
      } catch {
        reject(new Error(`no result line: ${stderr.slice(0, 500)}`));
      }
    });
  });
}

describe('hostile homes', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const h = home(c.name);
      c.build(h);
      const extra = c.args?.(h) ?? [];
      for (const command of [['scan', h, '--json', '--no-cache'], ['report', h, '--format', 'json', '--no-cache']]) {
        const r = await once([...command, '--output', '/dev/null', ...extra].filter((a, i, all) => !(command[0] === 'scan' && (a === '--output' || all[i - 1] === '--output'))));
        console.log(`${c.name}: ${command[0]} exit ${r.exitCode}, ${r.ms} ms, ${r.maxRssMB} MB`);
        expect(extra.length ? [2] : [0, 1, 4], `${command[0]}: ${r.stderr}`).toContain(r.exitCode);
        expect(r.stderr.trim().split('\n').filter(Boolean).length, r.stderr).toBeLessThanOrEqual(1);
        expect(r.stderr).not.toMatch(/^\s+at |internal error|Maximum call stack/m);
        expect(r.maxRssMB).toBeLessThan(500);
      }
    }, 60_000);
  }
});
