import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCatalog } from '../check/catalog.js';
import { CheckAsScanned } from '../check/as-scanned.js';
import { analysisInterest } from '../check/interest.js';
import { loadProject } from '../check/project.js';
import type { RuleDef } from '../check/types.js';
import { clock } from '../clock.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_PARTIAL, UsageError } from '../exit.js';
import type { Inventory, ProblemCode, PyFile } from '../home/inventory.js';
import { scanHome } from '../home/scan.js';
import { readSources } from '../report/excerpts.js';
import { buildReport, countsLabel, severitiesFrom, type Report } from '../report/model.js';
import { batched } from '../report/json-chunks.js';
import { collectGarbage } from './heap.js';
import { isReportFormat, REPORT_FORMATS, reportRenderer, type ReportRenderer } from '../report/render.js';
import { useColor } from '../report/style.js';
import { sizeEnvironment, type SizingOptions } from '../sizing/sizing.js';
import { airflowVersionFlag, homeArg, parse, type Options } from './args.js';
import { printUsage } from './help.js';
import { streamOut, type CliIO } from './io.js';
import { SIZE_OPTIONS, sizingFlags } from './size-flags.js';

// report: check a home for a move to MWAA and report the findings (with the sizing).

const REPORT_OPTIONS = {
  ...SIZE_OPTIONS,
  format: { type: 'string', default: 'text' },
  output: { type: 'string' },
  'fail-on': { type: 'string', default: 'error' },
  select: { type: 'string', multiple: true },
  ignore: { type: 'string', multiple: true },
  'project-file': { type: 'string' },
  timestamp: { type: 'boolean' },
} satisfies Options;

const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;

/** Comma-separated rule ids or family prefixes, each matching at least one rule. */
export function ruleIds(flag: string, values: string[] | undefined, rules: RuleDef[]): string[] {
  const ids = (values ?? []).flatMap((v) => v.split(',')).map((id) => id.trim().toUpperCase()).filter(Boolean);
  for (const id of ids) {
    if (!rules.some((r) => r.id.startsWith(id))) throw new UsageError(`${flag} ${id}: no rule has this id or prefix (list them with: mwaa-migrate rules)`);
  }
  return [...new Set(ids)];
}

// Problems that leave part of the home unchecked: the report covers the rest, and says so by its exit code.
const UNSEEN = new Set<ProblemCode>(['unreadable', 'analysis-failed', 'too-large', 'not-followed', 'zip-invalid']);

/** The selection flags report and fix share, as parse() gives them. */
export interface CheckFlags {
  select?: string[];
  ignore?: string[];
  'airflow-version'?: string;
  'project-file'?: string;
  'env-file'?: string;
  'no-cache'?: boolean;
}

/** Reads the home a command names and checks it with the selection flags: what report and fix both start from. */
export async function checkHome(command: string, values: CheckFlags, positionals: string[], io: CliIO, target: string, options: { replacements?: boolean } = {}) {
  const catalog = loadCatalog();
  const select = ruleIds('--select', values.select, catalog.rules);
  const ignore = ruleIds('--ignore', values.ignore, catalog.rules);
  const airflowVersion = airflowVersionFlag(values['airflow-version']);
  const home = homeArg(command, positionals, io.env);
  const project = loadProject(resolve(home.path), values['project-file']);
  // Checked file by file while the workers analyse the rest.
  const checking = new CheckAsScanned(catalog, { target, select, ignore, project, now: clock(io.env), ...options });
  const inventory = await scanHome(home.path, {
    envFile: values['env-file'],
    env: io.env,
    airflowVersion,
    cache: !values['no-cache'],
    interest: analysisInterest(catalog),
    onFile: checking.onFile,
  });
  const result = checking.finish(inventory);
  return { catalog, select, ignore, home, inventory, result };
}

type ReportFlags = CheckFlags & { 'target-version'?: string; timestamp?: boolean };

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, REPORT_OPTIONS, 'report');
  if (values.help) return printUsage(io, 'report');
  // Every flag is checked before the (possibly long) scan starts.
  const format = values.format;
  if (!isReportFormat(format)) throw new UsageError(`--format ${format}: not one of ${REPORT_FORMATS.join(', ')}`);
  const failOn = FAIL_ON.find((level) => level === values['fail-on']);
  if (!failOn) throw new UsageError(`--fail-on ${values['fail-on']}: not one of ${FAIL_ON.join(', ')}`);
  const sizingOptions = await sizingFlags(values, io.env);
  // The format's renderer loads while the scan runs.
  const [{ report, partial }, render] = await Promise.all([reportOf(values, positionals, io, sizingOptions), reportRenderer(format)]);
  // What the report was made from is garbage now: let go before the report is written.
  collectGarbage();
  await writeReport(report, render, values.output, io);
  if (failOn === 'never') return EXIT_OK;
  const failing = severitiesFrom(failOn).reduce((n, s) => n + report.counts.bySeverity[s], 0);
  if (failing) return EXIT_FINDINGS;
  return partial ? EXIT_PARTIAL : EXIT_OK;
}

/**
 * The report, built apart so that nothing it was made from outlives it while it is written: the
 * check and the sizing are the last readers of the code analyses, and the findings are copied
 * into the report's, so the report is built from an inventory without analyses (nor the check's
 * indexes over them) and the check's own findings are let go: half of a large home's heap.
 */
async function reportOf(values: ReportFlags, positionals: string[], io: CliIO, sizingOptions: SizingOptions) {
  const { inventory: scanned, catalog, select, ignore, home, result } = await checkHome('report', values, positionals, io, sizingOptions.target);
  const sizing = sizeEnvironment(scanned, sizingOptions);
  const inventory = withoutAnalyses(scanned);
  const report = buildReport({
    inventory,
    result,
    catalog,
    home: home.given,
    targetIsDefault: values['target-version'] === undefined,
    filters: { select, ignore },
    sources: readSources(inventory),
    timestamp: values.timestamp ? new Date().toISOString() : undefined,
    sizing,
  });
  return { report, partial: inventory.problems.some((p) => UNSEEN.has(p.code)) };
}

function withoutAnalyses(inv: Inventory): Inventory {
  const lean = (f: PyFile): PyFile => ({ ...f, analysis: null });
  return { ...inv, dagFiles: inv.dagFiles.map(lean), plugins: { ...inv.plugins, files: inv.plugins.files.map(lean) } };
}

/** The report rendered to standard output, or to --output FILE, written as it is rendered. */
async function writeReport(report: Report, render: ReportRenderer, output: string | undefined, io: CliIO): Promise<void> {
  const toTerminal = output === undefined && io.isTTY;
  const chunks = render(report, { color: output === undefined && useColor(io), width: toTerminal ? (io.columns ?? 100) : 100 });
  if (output === undefined) {
    return streamOut(io, batched(chunks));
  }
  let fd: number;
  try {
    fd = openSync(output, 'w');
  } catch (e) {
    throw new UsageError(`--output ${output}: ${(e as Error).message.split(',')[0]}`);
  }
  try {
    for (const piece of batched(chunks)) writeSync(fd, piece);
  } finally {
    closeSync(fd);
  }
  io.stderr(`mwaa-migrate: wrote ${output} (${countsLabel(report.counts.bySeverity)})\n`);
}
