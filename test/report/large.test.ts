import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { scanHome } from '../../src/home/scan.js';
import { batched } from '../../src/report/json-chunks.js';
import { buildReport, type Report, type ReportFinding } from '../../src/report/model.js';
import { REPORT_FORMATS, renderReportChunks } from '../../src/report/render.js';
import { HOMES } from '../helpers.js';

// A home with 150,000 findings (the 10,000-file bench home has 135,000): every format renders it.
// Math.max(...findings) once overflowed the stack there, and `report` (text, the default) died.

const MANY = 150_000;

async function largeReport(): Promise<Report> {
  const inv = await scanHome(join(HOMES, 'airflow2'), { cache: false, envFile: join(HOMES, 'airflow2', '.env') });
  const catalog = loadCatalog();
  const report = buildReport({
    inventory: inv,
    result: check(inv, catalog),
    catalog,
    home: 'big',
    targetIsDefault: true,
    filters: { select: [], ignore: [] },
    sources: { excerpt: () => undefined },
  });
  const seed = report.findings;
  const findings: ReportFinding[] = Array.from({ length: MANY }, (_, i) => ({ ...seed[i % seed.length]!, file: `dags/team_${i % 97}/dag_${i % 7001}.py`, line: 1 + (i % 400) }));
  const total = { error: 0, warning: 0, info: 0, total: MANY };
  for (const f of findings) total[f.severity]++;
  return { ...report, findings, counts: { ...report.counts, bySeverity: total } };
}

describe('a report of 150,000 findings', () => {
  it.each(REPORT_FORMATS)('renders as %s', async (format) => {
    const report = await largeReport();
    let size = 0;
    let last = '';
    for (const piece of batched(renderReportChunks(report, format, { color: false, width: 100 }))) {
      size += piece.length;
      last = piece;
    }
    expect(size).toBeGreaterThan(format === 'markdown' ? 10_000 : MANY * 20);
    // The end of the report is there: the footer naming the tool (json: its closing brace).
    expect(last).toMatch(format === 'json' ? /}\n$/ : format === 'sarif' ? /}\s*$/ : /mwaa-migrate/);
  }, 120_000);
});
