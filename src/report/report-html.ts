import { createHash } from 'node:crypto';
import { SEVERITIES, type Severity } from '../check/types.js';
import { escapeHtml as h } from './escape.js';
import { COST_HEAD, costCells, costNotes, costTitle, money, sizingInputs } from '../sizing/render.js';
import type { Sizing } from '../sizing/sizing.js';
import { alsoAt, byFile, byName, countsLabel, FILE_KIND_LABEL, detectedLabel, locationLabel, NO_FILE, plural, VERSION_SOURCES, type ExcerptLine, type Report, type ReportFinding } from './model.js';

// `report --format html`: one self-contained page to open or attach. Its Content-Security-Policy
// allows only its own inline style and script (by hash), so it can fetch nothing; every string
// from the scanned home goes through escapeHtml.

const LABELS: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Info' };

const CSS = `
:root{--bg:#f4f6f9;--panel:#fff;--ink:#1d2733;--muted:#5d6b7a;--line:#dfe4ea;--head:#152232;--accent:#ff9900;
--error:#c9302c;--error-bg:#fdecea;--warning:#b86e00;--warning-bg:#fff4e0;--info:#1f6fb2;--info-bg:#e8f1fb;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--info)}
code,pre{font-family:var(--mono);font-size:12.5px}
.wrap{max-width:1120px;margin:0 auto;padding:0 24px}
header.top{background:var(--head);color:#fff;padding:22px 0 26px;border-bottom:4px solid var(--accent)}
.brand{font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:#aab8c8}
h1{margin:4px 0 10px;font-size:24px;font-weight:600;word-break:break-all}
.route{display:flex;flex-wrap:wrap;align-items:center;gap:10px;margin:0}
.ver{background:rgba(255,255,255,.1);border:1px solid rgba(255,255,255,.25);border-radius:4px;padding:2px 10px;font-weight:600}
.ver.target{border-color:var(--accent)}
.route .note{color:#aab8c8;font-size:13px}
.evidence{margin:8px 0 0;color:#aab8c8;font-size:12.5px}
main.wrap{padding-top:24px;padding-bottom:8px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:14px;margin-bottom:18px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:14px 16px;border-top:4px solid var(--line)}
.card .num{font-size:28px;font-weight:700;line-height:1.1}
.card .label{color:var(--muted);font-size:13px}
.card.error{border-top-color:var(--error)}.card.error .num{color:var(--error)}
.card.warning{border-top-color:var(--warning)}.card.warning .num{color:var(--warning)}
.card.info{border-top-color:var(--info)}.card.info .num{color:var(--info)}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:18px 20px;margin-bottom:18px}
h2{font-size:16px;margin:0 0 12px}
.chart{display:block;width:100%;height:auto;max-width:960px}
.chart text{font:13px system-ui,sans-serif;fill:var(--ink)}
.chart text.tick{fill:var(--muted);font-size:11.5px}
.chart text.in{fill:#fff;font-size:11.5px;font-weight:600}
.chart .grid{stroke:#eef1f4}
.chart .axis{stroke:var(--line)}
.chart .bar{cursor:pointer}
.chart .bar:hover rect{opacity:.85}
.fill-error{fill:var(--error)}.fill-warning{fill:var(--warning)}.fill-info{fill:var(--info)}
.legend{display:flex;gap:16px;font-size:12.5px;color:var(--muted);margin-bottom:6px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.legend .error{background:var(--error)}.legend .warning{background:var(--warning)}.legend .info{background:var(--info)}
.toolbar{display:flex;flex-wrap:wrap;gap:10px;align-items:center;padding:10px 12px;margin:-4px -8px 14px;background:var(--bg);border-radius:6px;position:sticky;top:0;z-index:1}
.toolbar label{display:inline-flex;align-items:center;gap:6px;border:1px solid var(--line);background:var(--panel);border-radius:16px;padding:3px 12px;cursor:pointer;font-size:13px}
.toolbar select,.toolbar input[type=search]{border:1px solid var(--line);border-radius:6px;padding:6px 10px;font:inherit;background:var(--panel)}
.toolbar input[type=search]{flex:1;min-width:220px}
#shown{color:var(--muted);font-size:13px;margin-left:auto}
.file{margin-bottom:18px}
.file h3{font-size:14px;margin:0 0 8px;padding-bottom:6px;border-bottom:1px solid var(--line);display:flex;gap:8px;align-items:center}
.count{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:0 8px;font-size:12px;color:var(--muted);font-weight:500}
.finding{border:1px solid var(--line);border-left:4px solid var(--line);border-radius:6px;padding:10px 14px;margin:0 0 10px}
.finding.error{border-left-color:var(--error)}.finding.warning{border-left-color:var(--warning)}.finding.info{border-left-color:var(--info)}
.fhead{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline}
.badge{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;border-radius:3px;padding:1px 7px}
.badge.error{color:var(--error);background:var(--error-bg)}.badge.warning{color:var(--warning);background:var(--warning-bg)}.badge.info{color:var(--info);background:var(--info-bg)}
.rule{font-family:var(--mono);font-weight:600;text-decoration:none}
.title{font-weight:600}
.loc{margin-left:auto;color:var(--muted);font-size:12.5px;font-family:var(--mono)}
.msg{margin:6px 0 4px}
.fix{margin:0 0 6px;color:#2f4a33}
.fix b{color:#1e7a34}
pre.code{margin:8px 0 2px;background:#f7f8fa;border:1px solid var(--line);border-radius:4px;padding:6px 0;overflow-x:auto}
pre.code .l{display:block;padding:0 12px 0 0;white-space:pre}
pre.code .l.hit{background:#fff3c4}
pre.code .n{display:inline-block;min-width:48px;padding:0 10px;margin-right:10px;text-align:right;color:#8a96a3;border-right:1px solid var(--line);user-select:none}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
td.num,th.num{text-align:right}
details>summary{cursor:pointer;font-weight:600;font-size:15px}
details[open]>summary{margin-bottom:10px}
dl.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:8px 18px;margin:0}
dl.facts div{border-left:3px solid var(--line);padding-left:10px}
dl.facts dt{color:var(--muted);font-size:12px}dl.facts dd{margin:0;font-weight:600}
.empty{color:var(--muted);font-style:italic}
footer{color:var(--muted);font-size:12px;padding:6px 24px 28px}
@media print{.toolbar{display:none}body{background:#fff}.panel,.card{break-inside:avoid}}
`;

const SCRIPT = `
(function () {
  var q = document.getElementById('q');
  var family = document.getElementById('family');
  var shown = document.getElementById('shown');
  var none = document.getElementById('none');
  var severities = Array.prototype.slice.call(document.querySelectorAll('input[data-sev]'));
  var findings = Array.prototype.slice.call(document.querySelectorAll('.finding'));
  var files = Array.prototype.slice.call(document.querySelectorAll('.file'));
  if (!q) return;
  function apply() {
    var on = {};
    severities.forEach(function (c) { on[c.getAttribute('data-sev')] = c.checked; });
    var fam = family.value;
    var text = q.value.trim().toLowerCase();
    var n = 0;
    findings.forEach(function (el) {
      var ok = on[el.getAttribute('data-sev')] && (!fam || el.getAttribute('data-family') === fam) && (!text || el.getAttribute('data-text').indexOf(text) !== -1);
      el.hidden = !ok;
      if (ok) n++;
    });
    files.forEach(function (f) { f.hidden = !f.querySelector('.finding:not([hidden])'); });
    shown.textContent = n + ' of ' + findings.length + ' shown';
    none.hidden = n > 0;
  }
  [q, family].concat(severities).forEach(function (el) { el.addEventListener('input', apply); });
  Array.prototype.forEach.call(document.querySelectorAll('.chart .bar'), function (bar) {
    bar.addEventListener('click', function () {
      family.value = family.value === bar.getAttribute('data-family') ? '' : bar.getAttribute('data-family');
      apply();
      document.getElementById('findings').scrollIntoView();
    });
  });
  apply();
})();
`;

const csp = (source: string) => `'sha256-${createHash('sha256').update(source).digest('base64')}'`;
const POLICY = `default-src 'none'; style-src ${csp(CSS)}; script-src ${csp(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;

// Where the findings go in the page: written file by file, not held as one string with the page.
const FINDINGS = '\u0000findings\u0000';

/** The page in pieces: what comes before the findings, one piece a file, then the rest. */
export function* renderReportHtmlChunks(r: Report): Generator<string> {
  const [before, after] = page(r).split(FINDINGS) as [string, string];
  yield before;
  let sep = '';
  for (const [file, list] of byFile(r.findings)) {
    yield `${sep}<section class="file"><h3><code>${h(file || NO_FILE)}</code>${list[0]!.fileKind ? ` <span class="kind">${h(FILE_KIND_LABEL[list[0]!.fileKind])}</span>` : ''}<span class="count">${list.length}</span></h3>\n${byName(list).map((g) => finding(r, g.first, g.others)).join('\n')}</section>`;
    sep = '\n';
  }
  yield after;
}

function page(r: Report): string {
  const c = r.counts;
  const v = r.airflowVersion;
  const card = (cls: string, n: number | string, label: string) => `<div class="card ${cls}"><div class="num">${n}</div><div class="label">${h(label)}</div></div>`;
  const families = Object.keys(c.byFamily);

  const body = [
    `<header class="top"><div class="wrap">`,
    `<div class="brand">mwaa-migrate · migration report</div>`,
    `<h1>${h(r.home)}</h1>`,
    `<p class="route"><span class="ver">${h(detectedLabel(r))}</span><span aria-hidden="true">→</span><span class="ver target">MWAA Airflow ${h(r.target.version)}</span><span class="note">${r.target.isDefault ? 'default target' : 'chosen target'}</span></p>`,
    `<p class="evidence">Version from ${h(VERSION_SOURCES[v.source])}, confidence ${h(v.confidence)}${v.evidence.length ? `: ${h(v.evidence.join('; '))}` : ''}</p>`,
    `</div></header>`,
    `<main class="wrap">`,
    `<section class="cards">`,
    card('error', c.bySeverity.error, 'Errors'),
    card('warning', c.bySeverity.warning, 'Warnings'),
    card('info', c.bySeverity.info, 'Info'),
    card('', c.suppressed, 'Suppressed'),
    card('', r.inventory.dagFiles, `DAG files (${plural(r.inventory.dags, 'DAG')})`),
    card('', r.inventory.moduleFiles, 'Modules checked'),
    card('', r.problems.length, 'Scan problems'),
    `</section>`,
    families.length ? `<section class="panel"><h2>Findings by family</h2>${legend()}${chart(r)}</section>` : '',
    `<section class="panel" id="findings"><h2>Findings</h2>`,
    r.findings.length
      ? [
          `<div class="toolbar">`,
          ...SEVERITIES.map((s) => `<label><input type="checkbox" data-sev="${s}" checked> ${LABELS[s]} (${c.bySeverity[s]})</label>`),
          `<select id="family" aria-label="Family"><option value="">All families</option>${families.map((f) => `<option value="${h(f)}">${h(f)} (${c.byFamily[f]!.total})</option>`).join('')}</select>`,
          `<input id="q" type="search" placeholder="Filter by text, file or rule id" aria-label="Filter">`,
          `<span id="shown"></span>`,
          `</div>`,
          FINDINGS,
          `<p id="none" class="empty" hidden>No finding matches these filters.</p>`,
        ].join('\n')
      : `<p class="empty">No findings: nothing in this home needs changing for Airflow ${h(r.target.version)}.</p>`,
    `</section>`,
    r.suppressed.length
      ? `<section class="panel"><details><summary>${plural(r.suppressed.length, 'suppressed finding')}</summary>${table(
          ['Location', 'Rule', 'Message', 'Suppressed by'],
          r.suppressed.map((f) => [`<code>${h(locationLabel(f))}</code>`, h(f.ruleId), h(f.message), h(f.suppressedBy)]),
        )}</details></section>`
      : '',
    r.problems.length
      ? `<section class="panel"><details><summary>${plural(r.problems.length, 'scan problem')}</summary>${table(
          ['Problem', 'Where', 'Message'],
          r.problems.map((p) => [`<code>${h(p.code)}</code>`, p.file ? `<code>${h(locationLabel({ file: p.file, line: p.line ?? 0 }))}</code>` : '', h(p.message)]),
        )}</details></section>`
      : '',
    r.rules.length
      ? `<section class="panel"><details><summary>${plural(r.rules.length, 'rule')} behind these findings</summary>${table(
          ['Rule', 'Family', 'Default severity', 'Title'],
          r.rules.map((x) => [`<a class="rule" href="${h(x.docs)}" rel="noopener noreferrer">${h(x.id)}</a>`, h(x.family), h(x.severity), h(x.title)]),
        )}</details></section>`
      : '',
    r.sizing ? sizingPanel(r.sizing) : '',
    `<section class="panel"><h2>Inventory</h2><dl class="facts">${facts(r)}</dl></section>`,
    `</main>`,
    `<footer class="wrap">mwaa-migrate ${h(r.tool.version)} · rules ${h(r.catalogVersion)} · input ${h(r.inputFingerprint)}${r.timestamp ? ` · ${h(r.timestamp)}` : ''}</footer>`,
  ];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${POLICY}">
<title>mwaa-migrate report: ${h(r.home)} (${h(countsLabel(c.bySeverity))})</title>
<style>${CSS}</style>
</head>
<body>
${body.filter(Boolean).join('\n')}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The recommendation as cards, then the reasoning, options and costs. */
function sizingPanel(s: Sizing): string {
  const rec = s.recommendation;
  const chosen = s.cost.rows.find((x) => x.role === 'recommended');
  const card = (n: string | number, label: string) => `<div class="card"><div class="num">${h(String(n))}</div><div class="label">${h(label)}</div></div>`;
  const list = (items: string[]) => `<ul>${items.map((x) => `<li>${h(x)}</li>`).join('')}</ul>`;
  return [
    `<section class="panel" id="sizing"><h2>MWAA sizing: Airflow ${h(s.target)} in ${h(s.region)}</h2>`,
    `<div class="cards">`,
    card(rec.environmentClass.value, 'Environment class'),
    card(`${rec.minWorkers.value}-${rec.maxWorkers.value}`, 'Workers'),
    card(rec.schedulers.value, 'Schedulers'),
    card(`${rec.minWebservers.value}-${rec.maxWebservers.value}`, 'Web servers'),
    card(s.load.peak.value, 'Peak concurrent tasks'),
    card(money(chosen?.expected ?? null), `Expected ${s.cost.currency} a month`),
    `</div>`,
    list(rec.reasons),
    `<p>${h(sizingInputs(s))}</p>`,
    `<h3>Configuration options to carry over</h3>`,
    table(['Option', 'Value', 'Why'], s.options.map((o) => [`<code>${h(o.key)}</code>`, `<code>${h(o.value)}</code>`, h(o.reason)])),
    `<h3>${h(costTitle(s))}</h3>`,
    table(COST_HEAD, s.cost.rows.map((x) => costCells(x).map(h))),
    list(costNotes(s)),
    `<h3>What would change the answer</h3>`,
    list([...s.whatWouldChange, ...s.notes]),
    `</section>`,
  ].join('\n');
}

function finding(r: Report, f: ReportFinding, others: ReportFinding[]): string {
  const rule = r.rules.find((x) => x.id === f.ruleId);
  const id = rule ? `<a class="rule" href="${h(rule.docs)}" rel="noopener noreferrer" title="Documentation">${h(f.ruleId)}</a>` : `<span class="rule">${h(f.ruleId)}</span>`;
  const search = [f.file, f.ruleId, f.family, f.title, f.message, f.fix].join(' ').toLowerCase();
  return [
    `<article class="finding ${f.severity}" data-sev="${f.severity}" data-family="${h(f.family)}" data-text="${h(search)}">`,
    `<div class="fhead"><span class="badge ${f.severity}">${f.severity}</span>${id}<span class="title">${h(f.title)}</span><span class="loc">${f.line ? `line ${f.line}${f.col ? `, col ${f.col}` : ''}` : ''}</span></div>`,
    `<p class="msg">${h(f.message)}</p>`,
    others.length ? `<p class="also">${h(alsoAt(others))}</p>` : '',
    `<p class="fix"><b>Fix:</b> ${h(f.fix)}</p>`,
    f.excerpt ? excerpt(f.excerpt, f.line) : '',
    `</article>`,
  ]
    .filter(Boolean)
    .join('');
}

function excerpt(lines: ExcerptLine[], line: number): string {
  return `<pre class="code">${lines.map((l) => `<span class="l${l.line === line ? ' hit' : ''}"><span class="n">${l.line}</span>${h(l.text)}</span>`).join('')}</pre>`;
}

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((x) => `<td>${x}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function legend(): string {
  return `<div class="legend">${SEVERITIES.map((s) => `<span><i class="${s}"></i>${LABELS[s]}</span>`).join('')}</div>`;
}

/** Horizontal stacked bars, one per family; a click filters the findings to that family. */
function chart(r: Report): string {
  const entries = Object.entries(r.counts.byFamily);
  const max = Math.max(...entries.map(([, c]) => c.total));
  const width = 960;
  const labelWidth = Math.max(70, ...entries.map(([f]) => f.length * 9 + 20));
  const plot = width - labelWidth - 50;
  const rowHeight = 32;
  const height = entries.length * rowHeight + 24;
  // Grid lines at round steps, labelled along the bottom.
  const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].find((s) => max / s <= 8) ?? Math.ceil(max / 8);
  const ticks = Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => i * step);
  const xOf = (n: number) => labelWidth + (n / max) * plot;
  const grid = ticks
    .map((t) => `<line class="grid" x1="${xOf(t).toFixed(1)}" y1="0" x2="${xOf(t).toFixed(1)}" y2="${height - 20}"/><text x="${xOf(t).toFixed(1)}" y="${height - 4}" text-anchor="middle" class="tick">${t}</text>`)
    .join('');
  const rows = entries.map(([family, counts], i) => {
    const y = i * rowHeight;
    const mid = y + rowHeight / 2 + 4;
    let x = labelWidth;
    const segments = SEVERITIES.filter((s) => counts[s]).map((s) => {
      const w = Math.max(2, (counts[s] / max) * plot);
      const label = w >= 26 ? `<text class="in" x="${(x + w / 2).toFixed(1)}" y="${mid}" text-anchor="middle">${counts[s]}</text>` : '';
      const rect = `<rect class="fill-${s}" x="${x.toFixed(1)}" y="${y + 5}" width="${w.toFixed(1)}" height="${rowHeight - 10}" rx="2"><title>${h(family)}: ${counts[s]} ${s}</title></rect>${label}`;
      x += w;
      return rect;
    });
    return `<g class="bar" data-family="${h(family)}"><text x="${labelWidth - 10}" y="${mid}" text-anchor="end">${h(family)}</text>${segments.join('')}<text x="${(x + 8).toFixed(1)}" y="${mid}">${counts.total}</text></g>`;
  });
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="Findings per family and severity">${grid}<line class="axis" x1="${labelWidth}" y1="0" x2="${labelWidth}" y2="${height - 20}"/>${rows.join('')}</svg>`;
}

function facts(r: Report): string {
  const i = r.inventory;
  const list: [string, number][] = [
    ['DAG files', i.dagFiles],
    ['DAGs', i.dags],
    ['Tasks', i.tasks],
    ['Imports', i.imports],
    ['Plugins', i.plugins],
    ['Plugin files', i.pluginFiles],
    ['Requirements', i.requirements],
    ['Connections', i.connections],
    ['Variables', i.variables],
    ['Secrets found', i.secrets],
    ['Broken DAG files', i.brokenDagFiles],
  ];
  return list.map(([k, n]) => `<div><dt>${h(k)}</dt><dd>${n}</dd></div>`).join('');
}
