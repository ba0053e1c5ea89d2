import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Severity } from '../check/types.js';
import type { ExcerptLine, Report, ReportFinding, ReportSuppressedFinding } from './model.js';

// `report --format sarif`: SARIF 2.1.0 as GitHub code scanning takes it. Locations are relative
// to the Airflow home (uriBaseId AIRFLOW_HOME), which originalUriBaseIds ties to the home as
// given on the command line, so the log names no path of the machine that made it.

const LEVELS: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note' };
// GitHub code scanning sorts and filters non-security alerts by this property.
const PROBLEM_SEVERITY: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'recommendation' };
const HOME_BASE = 'AIRFLOW_HOME';
const FINGERPRINT = 'mwaaMigrateFinding/v1';
const PLACEHOLDER = /\{(\w+)\}/g;

/** GitHub code scanning rejects a run of more results than this (and shows the 5,000 most severe). */
export const SARIF_MAX_RESULTS = 25_000;
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

type AnyFinding = ReportFinding | ReportSuppressedFinding;

/**
 * The results a run can carry, in report order: errors first, then warnings, then notes, then
 * suppressed findings, each kind in report order, up to the limit.
 */
function keptResults(all: AnyFinding[], r: Report, max: number): AnyFinding[] {
  if (all.length <= max) return all;
  const bySeverity: AnyFinding[][] = [[], [], []];
  for (const f of r.findings) bySeverity[RANK[f.severity]]!.push(f);
  const kept = new Set([...bySeverity.flat(), ...r.suppressed].slice(0, max));
  return all.filter((f) => kept.has(f));
}

/** The SARIF log of a report (render.ts writes it as JSON, the results one by one). */
export function sarifLog(r: Report, max = SARIF_MAX_RESULTS): Sarif.Log {
  const all: AnyFinding[] = [...r.findings, ...r.suppressed];
  const kept = keptResults(all, r, max);
  const left = all.length - kept.length;
  const ruleIndex = new Map(r.rules.map((rule, i) => [rule.id, i]));
  // A finding is the same finding from run to run while its rule, file and matched text stay;
  // the line is left out so that an edit above it does not make a new alert. Findings that share
  // them are numbered in report order, counting those a cut left out: the number does not depend
  // on the cut (results are made in report order, so one pass over all findings serves).
  const seen = new Map<string, number>();
  let next = 0;
  const fingerprint = (f: AnyFinding) => {
    for (;;) {
      const g = all[next++]!;
      const hash = createHash('sha256').update(`${g.ruleId}\0${g.file}\0${g.text}`).digest('hex').slice(0, 32);
      const n = seen.get(hash) ?? 0;
      seen.set(hash, n + 1);
      if (g === f) return `${hash}:${n}`;
    }
  };
  const result = (f: ReportFinding | ReportSuppressedFinding): Sarif.Result => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIndex.get(f.ruleId)!,
    level: LEVELS[f.severity],
    message: { text: f.message },
    ...(f.file ? { locations: [location(f)] } : {}),
    ...(f.related?.length
      ? { relatedLocations: f.related.map((x, id) => ({ id, ...location({ file: x.file, line: x.line, col: x.col }), message: { text: sentence(x.message) } })) }
      : {}),
    partialFingerprints: { [FINGERPRINT]: fingerprint(f) },
    ...('suppressedBy' in f
      ? { suppressions: [{ kind: f.suppressedBy === 'comment' ? 'inSource' : 'external', justification: `suppressed by ${f.suppressedBy === 'comment' ? 'a # mwaa-migrate: ignore comment' : 'the project file'}` }] }
      : {}),
  });

  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: r.tool.name,
            version: r.tool.version,
            semanticVersion: r.tool.version,
            rules: r.rules.map((rule) => ({
              id: rule.id,
              name: pascalCase(rule.title),
              shortDescription: { text: sentence(rule.title) },
              fullDescription: { text: sentence(rule.why ?? rule.title) },
              // The fix is a template; its {placeholders} are filled in each result's message.
              help: {
                text: `${sentence(rule.title)} Fix: ${sentence(rule.fix.replace(PLACEHOLDER, '<$1>'))} See ${rule.docs}`,
                markdown: `**${rule.title}**\n\nFix: ${rule.fix.replace(PLACEHOLDER, '`<$1>`')}\n\n[Documentation](${rule.docs})`,
              },
              helpUri: rule.docs,
              defaultConfiguration: { level: LEVELS[rule.severity] },
              properties: { tags: ['mwaa-migration', rule.family], 'problem.severity': PROBLEM_SEVERITY[rule.severity] },
            })),
          },
        },
        originalUriBaseIds: homeBase(r.home),
        invocations: [
          {
            executionSuccessful: true,
            ...(r.timestamp ? { endTimeUtc: r.timestamp } : {}),
            // What the scanner could not read: the results may be missing findings there.
            toolExecutionNotifications: [
              ...r.problems.map((p) => ({
                level: 'warning' as const,
                message: { text: sentence(p.message) },
                descriptor: { id: p.code },
                ...(p.file && !isAbsolute(p.file) ? { locations: [location({ file: p.file, line: p.line ?? 0, col: 0 })] } : {}),
              })),
              ...(left ? [leftOut(left, max)] : []),
            ],
          },
        ],
        // Each result is made as it is written (JSON.stringify and the streamed writer both call
        // toJSON in order, which the fingerprints' counters rely on): 135,000 results with their
        // code snippets, all made first, doubled the peak memory of a large report.
        results: kept.map((f) => ({ toJSON: () => result(f) }) as unknown as Sarif.Result),
        properties: {
          airflowVersion: r.airflowVersion.detected ?? r.airflowVersion.family,
          targetVersion: r.target.version,
          catalogVersion: r.catalogVersion,
          inputFingerprint: r.inputFingerprint,
        },
      },
    ],
  };
}

function leftOut(left: number, max: number): Sarif.Notification {
  const text = `${left.toLocaleString('en-US')} more results left out: GitHub code scanning rejects a run of over ${max.toLocaleString('en-US')}, so the most severe are kept (the JSON report lists every finding).`;
  return { level: 'warning', message: { text }, descriptor: { id: 'results-left-out' } };
}

function location(f: { file: string; line: number; col: number; excerpt?: ExcerptLine[] }): Sarif.Location {
  const artifactLocation: Sarif.ArtifactLocation = isAbsolute(f.file)
    ? { uri: pathToFileURL(f.file).href }
    : { uri: f.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: HOME_BASE };
  if (!f.line) return { physicalLocation: { artifactLocation } };
  const hit = f.excerpt?.find((l) => l.line === f.line);
  const region: Sarif.Region = { startLine: f.line, ...(f.col ? { startColumn: f.col } : {}), ...(hit ? { snippet: { text: hit.text } } : {}) };
  const context = f.excerpt && { startLine: f.excerpt[0]!.line, endLine: f.excerpt.at(-1)!.line, snippet: { text: f.excerpt.map((l) => l.text).join('\n') } };
  return { physicalLocation: { artifactLocation, region, ...(context ? { contextRegion: context } : {}) } };
}

/**
 * AIRFLOW_HOME is the home as given: an absolute one becomes a file URI; a relative one is
 * relative to SRCROOT, the folder the report was made in (a consumer such as GitHub knows it as
 * the checkout), which SARIF lets a log leave undefined.
 */
function homeBase(home: string): Record<string, Sarif.ArtifactLocation> {
  const description = { text: 'The Airflow home the report was made for.' };
  if (isAbsolute(home)) return { [HOME_BASE]: { uri: pathToFileURL(home).href.replace(/\/?$/, '/'), description } };
  const rel = home.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/*$/, '/');
  return {
    [HOME_BASE]: { ...(rel === '/' || rel === './' ? {} : { uri: rel.split('/').map(encodeURIComponent).join('/') }), uriBaseId: 'SRCROOT', description },
    SRCROOT: { description: { text: 'The folder the report was made in.' } },
  };
}

/** "Option MWAA sets itself" -> "OptionMwaaSetsItself": SARIF's friendly rule name, in Pascal case. */
const pascalCase = (t: string) =>
  t
    .replace(/'/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w && !/^(a|an|the)$/i.test(w))
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join('');

/** SARIF messages are sentences: a period at the end. */
const sentence = (t: string) => (/[.!?]$/.test(t.trim()) ? t.trim() : `${t.trim()}.`);
