import { jsonChunks } from './json-chunks.js';
import type { Report } from './model.js';
import { renderReportHtml, renderReportHtmlChunks } from './report-html.js';
import { renderReportMarkdown } from './report-markdown.js';
import { sarifLog } from './report-sarif.js';
import { renderReportText, renderReportTextChunks } from './report-text.js';

// Every format of `report`, each a pure function of the report model.

export const REPORT_FORMATS = ['text', 'json', 'markdown', 'sarif', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const isReportFormat = (f: string): f is ReportFormat => (REPORT_FORMATS as readonly string[]).includes(f);

export function renderReport(r: Report, format: ReportFormat, opts: { color: boolean; width: number }): string {
  switch (format) {
    case 'text':
      return renderReportText(r, opts);
    case 'json':
      return `${JSON.stringify(r, null, 2)}\n`;
    case 'markdown':
      return renderReportMarkdown(r);
    case 'sarif':
      return `${JSON.stringify(sarifLog(r), null, 2)}\n`;
    case 'html':
      return renderReportHtml(r);
  }
}

/** The rendered report in pieces to write one after another: JSON, SARIF, HTML and text are streamed; Markdown (a PR comment, capped at GitHub's size) is one piece. */
export function* renderReportChunks(r: Report, format: ReportFormat, opts: { color: boolean; width: number }): Generator<string> {
  switch (format) {
    case 'text':
      return yield* renderReportTextChunks(r, opts);
    case 'json':
      // The findings are the third level: report -> findings -> one finding.
      yield* jsonChunks(r, 2);
      break;
    case 'sarif':
      // A result is the fifth level: log -> runs -> run -> results -> one result.
      yield* jsonChunks(sarifLog(r), 4);
      break;
    case 'html':
      return yield* renderReportHtmlChunks(r);
    default:
      return yield renderReport(r, format, opts);
  }
  yield '\n';
}
