import { SEVERITIES, type Severity } from '../check/types.js';
import { escapeHtml } from './escape.js';
import { COST_HEAD, costCells, costTitle, costNotes, sizingHeadline, sizingInputs } from '../sizing/render.js';
import type { Sizing } from '../sizing/sizing.js';
import { alsoAt, byFile, byName, countsLabel, FILE_KIND_LABEL, detectedLabel, locationLabel, NO_FILE, plural, VERSION_SOURCES, type ExcerptLine, type Report, type SeverityCounts } from './model.js';

// `report --format markdown`, written for a pull-request comment: the summary first, a table per
// severity, then one collapsed <details> per file with fixes and code. GitHub refuses comments
// over 65,536 characters, so what does not fit is left out, most severe first kept, and the
// comment says so. Text from the scanned home is escaped so it cannot open HTML or break a table.

/** GitHub's limit is 65,536 characters; this leaves room for the notes on what was left out. */
const MARKDOWN_BUDGET = 65_000;

const HEADINGS: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Info' };
const ICONS: Record<Severity, string> = { error: '🔴', warning: '🟠', info: '🔵' };

/** Inline text: no HTML, no table breaks, no accidental emphasis or links. */
const md = (t: string) =>
  t.replace(/[\\`*_[\]<>|&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '|': '\\|' })[c] ?? `\\${c}`).replace(/\r?\n/g, ' ');
/** A code span with a fence longer than any backtick run inside it. */
const code = (t: string) => {
  const clean = t.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const ticks = '`'.repeat(Math.max(0, ...(clean.match(/`+/g) ?? []).map((x) => x.length)) + 1);
  return `${ticks}${clean.startsWith('`') || clean.endsWith('`') ? ` ${clean} ` : clean}${ticks}`;
};

export function renderReportMarkdown(r: Report, budget = MARKDOWN_BUDGET): string {
  // Reference links keep each table row short; every rule is defined once, at the end.
  const refs = r.rules.map((rule) => `[${rule.id}]: ${rule.docs.replace(/[\s<>()]/g, encodeURIComponent)}`).join('\n');
  const footer = `<sub>mwaa-migrate ${r.tool.version} · rules ${r.catalogVersion} · input ${r.inputFingerprint.slice(0, 19)}${r.timestamp ? ` · ${r.timestamp}` : ''}</sub>`;
  const out: string[] = [];
  let used = refs.length + footer.length + 1_000;
  /** Adds the block if it fits in what is left. */
  const add = (block: string): boolean => {
    if (used + block.length + 1 > budget) return false;
    out.push(block);
    used += block.length + 1;
    return true;
  };
  const omitted = (n: number, what: string) => out.push(`_${plural(n, what)} not shown: the comment would pass GitHub's size limit; see \`--format html\` or \`json\`._`, '');

  const v = r.airflowVersion;
  const total = r.counts.bySeverity;
  add(`## mwaa-migrate report: ${code(r.home)}\n`);
  add(
    `${detectedLabel(r)} (from ${VERSION_SOURCES[v.source]}, confidence ${v.confidence}) → MWAA Airflow **${r.target.version}**${r.target.isDefault ? ' (default target)' : ''}.\n`,
  );
  add(`**${plural(total.total, 'finding')}**: ${countsLabel(total)}${r.counts.suppressed ? `; ${r.counts.suppressed} suppressed` : ''}.\n`);
  if (total.total) {
    const row = (name: string, c: SeverityCounts) => `| ${name} | ${SEVERITIES.map((x) => c[x]).join(' | ')} | ${c.total} |`;
    add(
      [
        `| family | ${SEVERITIES.map((x) => `${ICONS[x]} ${x}`).join(' | ')} | total |`,
        `| --- |${' ---: |'.repeat(SEVERITIES.length + 1)}`,
        ...Object.entries(r.counts.byFamily).map(([family, c]) => row(md(family), c)),
        row('**total**', total),
        '',
      ].join('\n'),
    );
  } else add('No findings: nothing in this home needs changing for the target version.\n');

  if (r.sizing) add(sizingMarkdown(r.sizing));

  // Once a table is cut, less severe findings are not shown before it.
  let cut = false;
  for (const severity of SEVERITIES) {
    const list = r.findings.filter((f) => f.severity === severity);
    if (!list.length) continue;
    if (cut || !add(`### ${ICONS[severity]} ${HEADINGS[severity]} (${list.length})\n\n| location | rule | message |\n| --- | --- | --- |`)) {
      cut = true;
      omitted(list.length, `${severity} finding`);
      continue;
    }
    const shown = list.findIndex((f) => !add(`| ${code(locationLabel(f))} | [${f.ruleId}] | ${md(f.message)} |`));
    out.push('');
    if (shown !== -1) {
      cut = true;
      omitted(list.length - shown, `more ${severity} finding`);
    }
  }

  const files = byFile(r.findings);
  if (files.length && add('### By file\n')) {
    // A file whose findings do not fit is left out; smaller ones after it may still fit.
    const left = files.filter(([file, list]) => {
      const counts = SEVERITIES.map((x) => [x, list.filter((f) => f.severity === x).length] as const).filter(([, n]) => n);
      const block = [`<details>\n<summary><code>${escapeHtml(file || NO_FILE)}</code>${list[0]!.fileKind ? ` (${FILE_KIND_LABEL[list[0]!.fileKind]})` : ''}: ${counts.map(([x, n]) => plural(n, x, x === 'info' ? x : undefined)).join(', ')}</summary>\n`];
      for (const { first: f, others } of byName(list)) {
        block.push(`- ${ICONS[f.severity]} **${f.ruleId}**${f.line ? ` line ${f.line}` : ''}: ${md(f.message)}`, ...(others.length ? [`  - ${alsoAt(others)}`] : []), `  - Fix: ${md(f.fix)}`);
        if (f.excerpt) block.push('', ...fence(f.excerpt, f.line).map((l) => `  ${l}`), '');
      }
      block.push('\n</details>\n');
      return !add(block.join('\n'));
    });
    if (left.length) omitted(left.length, 'file');
  }

  if (r.suppressed.length) {
    const rows = r.suppressed.map((f) => `| ${code(locationLabel(f))} | [${f.ruleId}] | ${f.suppressedBy} |`);
    if (!add([`<details>\n<summary>${plural(r.suppressed.length, 'suppressed finding')}</summary>\n`, '| location | rule | suppressed by |', '| --- | --- | --- |', ...rows, '\n</details>\n'].join('\n'))) {
      omitted(r.suppressed.length, 'suppressed finding');
    }
  }

  if (r.problems.length) {
    const rows = r.problems.map((p) => `| ${p.code} | ${p.file ? code(locationLabel({ file: p.file, line: p.line ?? 0 })) : ''} | ${md(p.message)} |`);
    if (!add([`<details>\n<summary>${plural(r.problems.length, 'scan problem')}</summary>\n`, '| problem | where | message |', '| --- | --- | --- |', ...rows, '\n</details>\n'].join('\n'))) {
      omitted(r.problems.length, 'scan problem');
    }
  }

  if (refs) out.push(refs, '');
  out.push(footer);
  return out.join('\n') + '\n';
}

/** A fenced block longer than any backtick run in the code, with line numbers and a marker. */
function fence(excerpt: ExcerptLine[], line: number): string[] {
  const ticks = '`'.repeat(Math.max(3, ...excerpt.flatMap((l) => (l.text.match(/`+/g) ?? []).map((x) => x.length + 1))));
  const width = String(excerpt.at(-1)!.line).length;
  return [ticks, ...excerpt.map((l) => `${l.line === line ? '>' : ' '} ${String(l.line).padStart(width)} | ${l.text}`), ticks];
}

/** The sizing, collapsed: the recommendation in the summary line, the reasoning and costs inside. */
function sizingMarkdown(s: Sizing): string {
  const row = (cells: string[]) => `| ${cells.map(md).join(' | ')} |`;
  return [
    `<details>\n<summary>MWAA sizing: ${escapeHtml(sizingHeadline(s))}</summary>\n`,
    ...s.recommendation.reasons.map((x) => `- ${md(x)}`),
    '',
    md(sizingInputs(s)),
    '',
    '**Configuration options to carry over**',
    '',
    ...s.options.map((o) => `- ${code(`${o.key}=${o.value}`)}: ${md(o.reason)}`),
    '',
    `**${md(costTitle(s))}**`,
    '',
    row(COST_HEAD),
    `|${' --- |'.repeat(3)}${' ---: |'.repeat(COST_HEAD.length - 3)}`,
    ...s.cost.rows.map((x) => row(costCells(x))),
    '',
    ...costNotes(s).map((x) => `- ${md(x)}`),
    '',
    '**What would change the answer**',
    '',
    ...[...s.whatWouldChange, ...s.notes].map((x) => `- ${md(x)}`),
    '\n</details>\n',
  ].join('\n');
}
