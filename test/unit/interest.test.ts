import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { analysisInterest } from '../../src/check/interest.js';
import { scanHome } from '../../src/home/scan.js';
import { analyzePython } from '../../src/python/analyze.js';

// The scan keeps only the context reads and method calls some rule looks at. Whatever it drops
// must be what no rule reads: the whole catalogue finds the same with and without the interest.

const catalog = loadCatalog();
const interest = analysisInterest(catalog);

const CODE = `
from airflow.operators.python import PythonOperator

def load(ds, execution_date, **kwargs):
    log.info("loading %s", ds)
    rows = session.query(DagRun).all()
    print(kwargs["next_ds"], kwargs.get("ts"), kwargs["dag_run"].external_trigger)
    return "{{ ds }} {{ prev_ds }}"
`;

describe('analysis interest', () => {
  it('is drawn from the catalogue: the context table keys and the methods of the removed-method and metadata-db rules', () => {
    expect(interest.contextKeys).toContain('execution_date');
    expect(interest.contextKeys).toContain('dag_run.external_trigger');
    expect(interest.contextKeys).not.toContain('ds');
    expect(interest.methods).toContain('query'); // a session method (metadata-db)
    expect(interest.methods).not.toContain('info');
    // Sorted: equal catalogues give equal interests, and so one scan cache.
    expect(interest.contextKeys).toEqual([...interest.contextKeys].sort());
    expect(interest.methods).toEqual([...interest.methods].sort());
  });

  it('keeps only the wanted reads and calls; everything without an interest', () => {
    const all = analyzePython(CODE);
    const kept = analyzePython(CODE, interest);
    expect(all.contextReads.map((r) => r.key)).toEqual(['ds', 'execution_date', 'next_ds', 'ts', 'dag_run.external_trigger', 'dag_run', 'ds', 'prev_ds']);
    expect(kept.contextReads.map((r) => r.key)).toEqual(['execution_date', 'next_ds', 'dag_run.external_trigger', 'prev_ds']);
    expect(all.methodCalls.map((m) => m.method)).toEqual(['info', 'all', 'query', 'get']);
    expect(kept.methodCalls.map((m) => m.method)).toEqual(['query', 'get']);
    // Nothing else changes.
    expect({ ...kept, contextReads: [], methodCalls: [] }).toEqual({ ...all, contextReads: [], methodCalls: [] });
  });

  const homes = [
    ...['airflow1', 'airflow2', 'airflow3', 'mixed'].map((h) => join('fixtures/homes', h)),
    ...readdirSync('fixtures/oracle').map((h) => join('fixtures/oracle', h)),
  ];
  it.each(homes)('finds the same in %s with and without it', async (home) => {
    const findings = async (withInterest: boolean) => {
      const inv = await scanHome(home, { cache: false, workers: 0, ...(withInterest ? { interest } : {}) });
      return check(inv, catalog, { now: new Date('2026-06-01T00:00:00Z') }).findings;
    };
    const all = await findings(false);
    expect(all.length).toBeGreaterThan(0);
    expect(await findings(true)).toEqual(all);
  });

  it('keeps analyses of another interest in a cache file of their own, beside one digest file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interest-cache-'));
    await scanHome('fixtures/homes/airflow2', { cacheDir: dir, workers: 0 });
    await scanHome('fixtures/homes/airflow2', { cacheDir: dir, workers: 0, interest });
    const files = readdirSync(dir).sort();
    expect(files.filter((f) => f.endsWith('.digests.json'))).toHaveLength(1);
    expect(files.filter((f) => !f.endsWith('.digests.json'))).toHaveLength(2);
    const rescanned = await scanHome('fixtures/homes/airflow2', { cacheDir: dir, workers: 0, interest });
    const fresh = await scanHome('fixtures/homes/airflow2', { cache: false, workers: 0, interest });
    expect(rescanned.dagFiles.map((f) => f.analysis)).toEqual(fresh.dagFiles.map((f) => f.analysis));
  });
});
