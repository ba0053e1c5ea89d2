import wrapAnsi from 'wrap-ansi';
import { SEVERITIES, type Severity } from '../check/types.js';
import { alsoAt, byFile, byName, countsLabel, fileHeading, detectedLabel, locationLabel, NO_FILE, plural, VERSION_SOURCES, type Report, type SeverityCounts } from './model.js';
import { renderSizingText } from '../sizing/render.js';
import { style, type Style } from './style.js';

// `report --format text`: findings grouped by file then line, then a table of counts. Plain
// columns that survive a pipe, `less` and a CI log; colour only when style.ts allows it.

/** The text report a line at a time (each with its newline): written as rendered, never held whole. */
export function* renderReportTextChunks(r: Report, opts: { color: boolean; width: number }): Generator<string> {
  for (const line of reportTextLines(r, opts)) yield `${line}\n`;
}

function* reportTextLines(r: Report, opts: { color: boolean; width: number }): Generator<string> {
  const s = style(opts.color);
  // Narrower than this, the columns leave no room for the message; lines then overflow instead.
  const width = Math.max(60, opts.width);
  const paint: Record<Severity, (t: string) => string> = { error: s.red, warning: s.yellow, info: s.cyan };
  /** A paragraph wrapped to the width: `indent` spaces before the first line, two more after. */
  const para = (text: string, indent = 2) => {
    const lines = wrapAnsi(text, width - indent - 2, { hard: true, trim: true }).split('\n');
    return [' '.repeat(indent) + lines[0], ...lines.slice(1).map((l) => ' '.repeat(indent + 2) + l)];
  };

  yield* para(s.bold(`mwaa-migrate report: ${r.home}`), 0);
  const v = r.airflowVersion;
  yield* para(`${detectedLabel(r)} (from ${VERSION_SOURCES[v.source]}, confidence ${v.confidence}) -> MWAA Airflow ${r.target.version}${r.target.isDefault ? ' (default target)' : ''}`);
  yield* para(`${plural(r.counts.bySeverity.total, 'finding')}: ${countsLabel(r.counts.bySeverity)}${r.counts.suppressed ? `; ${r.counts.suppressed} suppressed` : ''}`);
  const i = r.inventory;
  yield* para(`checked ${plural(i.dagFiles, 'DAG file')}, ${plural(i.moduleFiles, 'module')} and ${plural(i.pluginFiles, 'plugin file')}`);
  if (r.filters.select.length || r.filters.ignore.length) {
    const only = [r.filters.select.length && `only ${r.filters.select.join(',')}`, r.filters.ignore.length && `not ${r.filters.ignore.join(',')}`];
    yield* para(s.dim(`rules: ${only.filter(Boolean).join('; ')}`));
  }

  const loc = (f: { line: number; col: number }) => (f.line ? `${f.line}:${f.col}` : '-');
  // A loop, not Math.max(...list): 100,000 arguments overflow the stack.
  let locWidth = 1;
  let idWidth = 0;
  for (const f of r.findings) {
    locWidth = Math.max(locWidth, loc(f).length);
    idWidth = Math.max(idWidth, f.ruleId.length);
  }
  const sevWidth = Math.max(...SEVERITIES.map((x) => x.length));
  const hang = 2 + locWidth + 2 + sevWidth + 2 + idWidth + 2;
  // Too narrow a column for the message reads worse than starting it on the next line.
  const inline = width - hang >= 40;
  const textIndent = inline ? hang : 6;
  const wrap = (t: string) => wrapAnsi(t, width - textIndent, { hard: true, trim: true }).split('\n');

  for (const [file, findings] of byFile(r.findings)) {
    yield* ['', ...para(s.bold(fileHeading(file, findings[0]!.fileKind)), 0)];
    for (const { first: f, others } of byName(findings)) {
      const head = `  ${loc(f).padStart(locWidth)}  ${paint[f.severity](f.severity.padEnd(sevWidth))}  ${s.dim(f.ruleId.padEnd(idWidth))}`;
      const also = alsoAt(others);
      const body = [...wrap(f.message), ...(also ? wrap(s.dim(also)) : []), ...wrap(`fix: ${f.fix}`).map((l, i) => (i === 0 ? s.green('fix:') + l.slice(4) : l))];
      if (inline) yield* [`${head}  ${body[0]}`, ...body.slice(1).map((l) => ' '.repeat(textIndent) + l)];
      else yield* [head, ...body.map((l) => ' '.repeat(textIndent) + l)];
    }
  }
  if (!r.findings.length) yield* ['', s.green('No findings: nothing in this home needs changing for the target version.')];

  yield* ['', s.bold('Summary'), ...countsTable(r, s)];
  if (r.counts.suppressed) {
    yield* para(s.dim(`${plural(r.counts.suppressed, 'suppressed finding')} (by # mwaa-migrate: ignore comments or the project file) not counted above.`));
  }

  if (r.problems.length) {
    yield* ['', s.bold(`Scan problems (${r.problems.length})`)];
    for (const p of r.problems) {
      const where = p.file ? `${locationLabel({ file: p.file, line: p.line ?? 0 })}: ` : '';
      yield* para(`${s.yellow(p.code)} ${where}${p.message}`);
    }
  }

  if (r.sizing) yield* ['', s.bold('MWAA sizing'), ...renderSizingText(r.sizing, (t) => (t ? para(t) : ['']))];

  yield* ['', ...para(s.dim(`mwaa-migrate ${r.tool.version}, rules ${r.catalogVersion}, input ${r.inputFingerprint.slice(0, 19)}${r.timestamp ? `, ${r.timestamp}` : ''}`), 0)];
}

function countsTable(r: Report, s: Style): string[] {
  const head = ['family', ...SEVERITIES, 'total'];
  const row = (name: string, c: SeverityCounts) => [name, ...SEVERITIES.map((x) => String(c[x])), String(c.total)];
  const rows = [...Object.entries(r.counts.byFamily).map(([family, c]) => row(family, c)), row('total', r.counts.bySeverity)];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  return [s.dim(line(head)), ...rows.slice(0, -1).map(line), s.bold(line(rows.at(-1)!))];
}
