import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { scanHome } from '../../src/home/scan.js';

// A folder of DAGs without airflow.cfg and without any option from the environment says nothing
// about how the home it came from is configured: no finding may claim an unset option's default
// as its value ("This home runs SequentialExecutor"). With an airflow.cfg that leaves it unset,
// the default is what Airflow runs, and is judged.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-config-unknown-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function home(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const DAG = 'from datetime import datetime\nfrom airflow import DAG\n\nDAG("d", start_date=datetime(2024, 1, 1), schedule=None)\n';

async function executorFindings(dir: string) {
  const inv = await scanHome(dir, { cache: false, workers: 0, airflowVersion: '2.9.2' });
  return check(inv, loadCatalog(), { target: '2.10.3', select: ['MWAA002'] }).findings;
}

describe('options left unset', () => {
  it('are not judged on their defaults when nothing of the configuration is known', async () => {
    expect(await executorFindings(home('dags-only', { 'dags/d.py': DAG }))).toEqual([]);
  });

  it('are judged on their defaults when airflow.cfg leaves them unset', async () => {
    const found = await executorFindings(home('with-cfg', { 'dags/d.py': DAG, 'airflow.cfg': '[core]\nload_examples = False\n' }));
    expect(found.map((f) => f.message)).toEqual([expect.stringContaining("SequentialExecutor (Airflow 2.9.2's default)")]);
  });
});
