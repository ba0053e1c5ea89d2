import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/home/inventory.js';
import { cli } from '../helpers.js';

// The same home gives the same output whatever the machine's locale. Collation differs by locale
// (Danish sorts "aa" after "z", Lithuanian "y" before "k"), and the inventory's order, which the
// input fingerprint hashes, followed it.

const DAG = (id: string) => `from airflow import DAG\nfrom airflow.operators.dummy_operator import DummyOperator\n\nwith DAG("${id}", schedule_interval="@daily") as dag:\n    DummyOperator(task_id="t")\n`;

describe('locale', () => {
  const home = mkdtempSync(join(tmpdir(), 'locale-home-'));
  mkdirSync(join(home, 'dags'));
  for (const name of ['aa_load', 'b_load', 'i_load', 'k_load', 'y_load', 'z_load']) writeFileSync(join(home, 'dags', `${name}.py`), DAG(name));
  const run = (lang: string, args: string[]) => cli([...args, home, '--no-cache'], { env: { LANG: lang, LC_ALL: lang } });

  it('orders the inventory, the findings and the fingerprint the same under LANG=C, da_DK and lt_LT', () => {
    const outputs = ['C', 'da_DK.UTF-8', 'lt_LT.UTF-8'].map((lang) => {
      const scan = run(lang, ['scan', '--json']);
      const report = run(lang, ['report', '--format', 'json', '--fail-on', 'never']);
      expect(scan.code, scan.stderr).toBe(0);
      expect(report.code, report.stderr).toBe(0);
      return { files: (JSON.parse(scan.stdout) as Inventory).dagFiles.map((f) => f.path), report: report.stdout };
    });
    expect(outputs[0]!.files).toEqual(['aa_load', 'b_load', 'i_load', 'k_load', 'y_load', 'z_load'].map((n) => `dags/${n}.py`));
    for (const o of outputs.slice(1)) expect(o).toEqual(outputs[0]);
  });
});
