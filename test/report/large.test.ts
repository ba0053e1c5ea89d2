import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { scanHome } from '../../src/home/scan.js';
import { batched } from '../../src/report/json-chunks.js';
import { buildReport, type Report, type ReportFinding } from '../../src/report/model.js';
import { REPORT_FORMATS, reportRenderer } from '../../src/report/render.js';
import { SARIF_MAX_RESULTS, sarifLog } from '../../src/report/report-sarif.js';
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
    const render = await reportRenderer(format);
    for (const piece of batched(render(report, { color: false, width: 100 }))) {
      size += piece.length;
      last = piece;
    }
    expect(size).toBeGreaterThan(format === 'markdown' ? 10_000 : MANY * 20);
    // The end of the report is there: the footer naming the tool (json: its closing brace).
    expect(last).toMatch(format === 'json' ? /}\n$/ : format === 'sarif' ? /}\s*$/ : /mwaa-migrate/);
  }, 120_000);

  it('keeps a SARIF run within what GitHub code scanning accepts: the most severe results, with their own fingerprints', async () => {
    const report = await largeReport();
    // Severities mixed through few files, so the cut falls inside one of them and findings that
    // share a rule, file and text (numbered in the fingerprint) are cut between them.
    // Each on a line of its own, to be found again in the full log.
    const findings = report.findings.map((f, i) => ({ ...f, file: `dags/dag_${i % 40}.py`, line: i + 1, severity: (['info', 'warning', 'error'] as const)[i % 3]! }));
    const capped = { ...report, findings: findings.slice(0, 5_000) };
    type Result = { level: string; partialFingerprints: Record<string, string>; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] };
    const run = (max: number) => JSON.parse(JSON.stringify(sarifLog(capped, max))).runs[0] as { results: Result[]; invocations: { toolExecutionNotifications: { descriptor: { id: string }; message: { text: string } }[] }[] };
    const full = run(Infinity);
    const cut = run(2_000);
    expect(full.results).toHaveLength(5_000);
    expect(cut.results).toHaveLength(2_000);
    // All 1,666 errors, then the first 334 warnings; no note.
    expect(cut.results.filter((r) => r.level === 'error')).toHaveLength(1_666);
    expect(cut.results.filter((r) => r.level === 'warning')).toHaveLength(334);
    expect(cut.results.filter((r) => r.level === 'note')).toHaveLength(0);
    // Each kept result has the fingerprint it has in the full log, though some sharing its rule,
    // file and text (numbered in the fingerprint) were left out before it.
    const line = (r: Result) => r.locations[0]!.physicalLocation.region.startLine;
    const fullPrint = new Map(full.results.map((r) => [line(r), r.partialFingerprints]));
    expect(cut.results.filter((r) => JSON.stringify(r.partialFingerprints) !== JSON.stringify(fullPrint.get(line(r))))).toEqual([]);
    expect(cut.results.map(line)).toEqual([...cut.results.map(line)].sort((a, b) => a - b));
    const notes = cut.invocations[0]!.toolExecutionNotifications.filter((n) => n.descriptor.id === 'results-left-out');
    expect(notes.map((n) => n.message.text)).toEqual([expect.stringMatching(/^3,000 more results left out: GitHub code scanning rejects a run of over 2,000/)]);
    expect(full.invocations[0]!.toolExecutionNotifications.some((n) => n.descriptor.id === 'results-left-out')).toBe(false);

    let text = '';
    for (const piece of batched((await reportRenderer('sarif'))(report, { color: false, width: 100 }))) text += piece;
    expect(JSON.parse(text).runs[0].results).toHaveLength(SARIF_MAX_RESULTS);
  }, 120_000);
});
