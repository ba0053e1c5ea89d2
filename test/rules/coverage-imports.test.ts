import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { importRows } from '../../src/check/matchers/imports.js';
import { scanHome } from '../../src/home/scan.js';
import { ROOT } from '../helpers.js';

// Every row of the reference table (../shared/reference/airflow/imports-changes.yml, via the
// generated rules/data/imports.json) is caught by the IMP rule of its group, on a generated DAG
// file that imports the old path.

const GROUP_RULE: Record<string, { rule: string; target: string }> = {
  'moved-2.0': { rule: 'IMP001', target: '2.10.3' },
  'removed-3.0': { rule: 'IMP002', target: '3.0.6' },
  'provider-3.0': { rule: 'IMP003', target: '3.0.6' },
  'deprecated-3.0': { rule: 'IMP004', target: '3.0.6' },
  'provider-shim-3.0': { rule: 'IMP005', target: '3.0.6' },
  'moved-3.1': { rule: 'IMP006', target: '3.3.1' },
};

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-imports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A concrete name for a row: `**` becomes one or two sample segments. */
const example = (old: string) => old.replace(/\.\*\*$/, '.sample.module.Name').replace(/\.\*\*\./g, '.sample.');

describe('imports-changes.yml coverage', () => {
  const rows = importRows();

  it('covers every row of the reference table', async () => {
    const reference = parse(readFileSync(join(ROOT, '..', 'shared', 'reference', 'airflow', 'imports-changes.yml'), 'utf8')) as { changes: unknown[] };
    expect(rows).toHaveLength(reference.changes.length);
    mkdirSync(join(tmp, 'dags'));
    rows.forEach((row, i) => {
      const name = example(row.old);
      const dot = name.lastIndexOf('.');
      writeFileSync(join(tmp, 'dags', `row_${i}.py`), `# a dag\nfrom ${name.slice(0, dot)} import ${name.slice(dot + 1)}\n`);
    });
    const inv = await scanHome(tmp, { cache: false, workers: 0, airflowVersion: '1.10.15' });
    const catalog = loadCatalog();
    const perGroup = new Map<string, { rows: number; caught: number }>();
    const missed: string[] = [];
    for (const [group, { rule, target }] of Object.entries(GROUP_RULE)) {
      const found = new Set(check(inv, catalog, { target, select: [rule] }).findings.map((f) => `${f.file}|${f.text}`));
      rows.forEach((row, i) => {
        if (row.group !== group) return;
        const stat = perGroup.get(group) ?? { rows: 0, caught: 0 };
        stat.rows++;
        if (found.has(`dags/row_${i}.py|${example(row.old)}`)) stat.caught++;
        else missed.push(`${rule} ${row.old}`);
        perGroup.set(group, stat);
      });
    }
    const lines = [...perGroup].map(([g, s]) => `  ${g.padEnd(18)} ${s.caught}/${s.rows} (${((100 * s.caught) / s.rows).toFixed(1)}%)`);
    const total = [...perGroup.values()].reduce((a, s) => ({ rows: a.rows + s.rows, caught: a.caught + s.caught }), { rows: 0, caught: 0 });
    console.log(`imports-changes.yml coverage: ${total.caught}/${total.rows}\n${lines.join('\n')}`);
    expect(missed).toEqual([]);
    expect(total.rows).toBe(786);
  });
});
