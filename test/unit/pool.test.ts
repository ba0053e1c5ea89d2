import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shippedInterest } from '../../src/check/interest.js';
import { scanHome } from '../../src/home/scan.js';
import { asciiJson } from '../../src/python/pool.js';
import { cli, HOMES, ROOT } from '../helpers.js';

// The built CLI spreads a scan of 200 files or more over worker threads, the pool's thread
// reading ahead for them; the in-process scan of the sources analyses inline. Both must give
// the same inventory, file for file.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-pool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the worker pool', () => {
  it('gives the inventory the inline scan gives, on a home big enough to use it', async () => {
    const home = join(tmp, 'big-home');
    cpSync(join(HOMES, 'airflow2'), home, { recursive: true });
    const sources = readdirSync(join(HOMES, 'airflow2', 'dags')).filter((f) => f.endsWith('.py'));
    // Copies under other names (and one empty file, one not UTF-8): more than the pool's threshold.
    for (let i = 0; i < 240; i++) {
      const src = sources[i % sources.length]!;
      writeFileSync(join(home, 'dags', `copy_${i}_${src}`), readFileSync(join(HOMES, 'airflow2', 'dags', src), 'utf8').replaceAll('dag_id', `dag_id_${i}`));
    }
    writeFileSync(join(home, 'dags', 'empty_dag.py'), '');
    writeFileSync(join(home, 'dags', 'latin1_dag.py'), Buffer.from('# airflow dag\nname = "caf\xe9"\n', 'latin1'));
    // Refused by the fast parser: the worker that meets it loads tree-sitter then, and only then.
    writeFileSync(join(home, 'dags', 'broken_dag.py'), 'from airflow import DAG\n\ndef build(:\n    return DAG("broken")\n');
    const r = cli(['scan', home, '--json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const pooled = JSON.parse(r.stdout) as Awaited<ReturnType<typeof scanHome>>;
    // The CLI keeps the reads and calls its rules look at, in the workers as inline.
    const inline = await scanHome(home, { cache: false, workers: 0, interest: shippedInterest() });
    expect(pooled.dagFiles.filter((f) => f.analysis).length).toBeGreaterThan(240);
    const facts = (inv: typeof inline) => inv.dagFiles.map((f) => ({ path: f.path, sha256: f.sha256, md5: f.md5, analysis: f.analysis }));
    expect(facts(pooled)).toEqual(facts(inline));
    expect(pooled.problems).toEqual(inline.problems);
    expect(pooled.problems).toContainEqual(expect.objectContaining({ code: 'syntax-error', file: 'dags/broken_dag.py' }));
  });
});

describe('the built pool', () => {
  it('answers every job by its id when a long queue brings in a worker on the shared core', async () => {
    // The compiled pool (npm test builds first): from the sources it never starts workers.
    const built = (await import(join(ROOT, 'dist', 'python', 'pool.js'))) as typeof import('../../src/python/pool.js');
    const dir = join(tmp, 'many');
    mkdirSync(dir);
    const jobs = Array.from({ length: built.SHARED_CORE_FROM + 200 }, (_, i) => {
      const abs = join(dir, `m${i}.py`);
      writeFileSync(abs, `from airflow.operators.dummy import DummyOperator\nX_${i} = ${i}\n`);
      return { abs, analyze: true };
    });
    const got = new Map<number, string>();
    const pool = new built.AnalysisPool({ workers: 2, interest: shippedInterest(), onResult: (id, outcome) => got.set(id, JSON.stringify(outcome)) });
    // Added at once: past SHARED_CORE_FROM waiting the pool starts its second worker, which must answer too.
    jobs.forEach((job, id) => pool.add(id, job));
    expect((pool as unknown as { slots: unknown[] }).slots).toHaveLength(2);
    await pool.settle();
    await pool.close();
    expect(got.size).toBe(jobs.length);
    for (const i of [0, 1, 2199, jobs.length - 1]) {
      expect(JSON.parse(got.get(i)!)).toEqual(JSON.parse(JSON.stringify(await built.runJob(jobs[i]!, undefined, shippedInterest()))));
    }
  });
});

describe('a worker that stops', () => {
  it('fails the scan instead of leaving it waiting for answers that never come', async () => {
    const built = (await import(join(ROOT, 'dist', 'python', 'pool.js'))) as typeof import('../../src/python/pool.js');
    const dir = join(tmp, 'stopped');
    mkdirSync(dir);
    const pool = new built.AnalysisPool({ workers: 2, onResult: () => {} });
    for (let id = 0; id < 300; id++) {
      const abs = join(dir, `m${id}.py`);
      writeFileSync(abs, `X = ${id}\n`);
      pool.add(id, { abs, analyze: true });
    }
    // As if the system had killed it: the pool did not stop it.
    const [slot] = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    await slot!.worker.terminate();
    await expect(pool.settle()).rejects.toThrow(/analysis worker stopped/);
    await pool.close();
  });
});

describe('asciiJson', () => {
  it('writes any text as ASCII that JSON.parse reads back the same', () => {
    for (const s of ['plain', 'Latin-1 ÿ and é', 'check ✓', 'emoji 🚀', 'lone \ud800 surrogate', '\u0080\u00ff\uffff']) {
      const json = asciiJson({ s, list: [s] });
      expect(json).toMatch(/^[\x00-\x7f]*$/);
      expect(JSON.parse(json)).toEqual({ s, list: [s] });
    }
  });
});
