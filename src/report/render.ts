import { jsonChunks } from './json-chunks.js';
import type { Report } from './model.js';

// Every format of `report`, each a pure function of the report model. A format's module is loaded
// when the format is asked for: a JSON report does not load the text renderer (and its wrapping
// and width tables, some 30 ms before the scan could start), nor the HTML, Markdown or SARIF ones.

export const REPORT_FORMATS = ['text', 'json', 'markdown', 'sarif', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const isReportFormat = (f: string): f is ReportFormat => (REPORT_FORMATS as readonly string[]).includes(f);

export interface RenderOptions {
  color: boolean;
  width: number;
}

/** A report rendered in pieces to write one after another. */
export type ReportRenderer = (r: Report, opts: RenderOptions) => Iterable<string>;

/** JSON, SARIF, HTML and text are streamed; Markdown (a PR comment, capped at GitHub's size) is one piece. */
export async function reportRenderer(format: ReportFormat): Promise<ReportRenderer> {
  switch (format) {
    case 'text':
      return (await import('./report-text.js')).renderReportTextChunks;
    case 'json':
      // The findings are the third level: report -> findings -> one finding.
      return (r) => endLine(jsonChunks(r, 2));
    case 'sarif': {
      // A result is the fifth level: log -> runs -> run -> results -> one result.
      const { sarifLog } = await import('./report-sarif.js');
      return (r) => endLine(jsonChunks(sarifLog(r), 4));
    }
    case 'html':
      return (await import('./report-html.js')).renderReportHtmlChunks;
    case 'markdown': {
      const { renderReportMarkdown } = await import('./report-markdown.js');
      return (r) => [renderReportMarkdown(r)];
    }
  }
}

function* endLine(chunks: Iterable<string>): Generator<string> {
  yield* chunks;
  yield '\n';
}
