import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RuleDef } from '../check/types.js';
import { style } from './style.js';

// `mwaa-migrate rules`: the catalogue as a table, and one rule explained with its fixtures.

const versions = (r: RuleDef) =>
  [r.since && `crossing ${r.since}`, r.detected && `from ${r.detected}`, r.target && `to ${r.target}`].filter(Boolean).join(', ') || 'all';

export function renderRuleList(rules: RuleDef[], opts: { color: boolean; width: number }): string {
  const s = style(opts.color);
  const head = ['ID', 'SEVERITY', 'FAMILY', 'VERSIONS', 'TITLE'];
  const rows = rules.map((r) => [r.id, r.severity, r.family, versions(r), r.title]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const paint = (cell: string, i: number) => (i !== 1 ? cell : cell.startsWith('error') ? s.red(cell) : cell.startsWith('warning') ? s.yellow(cell) : cell);
  const line = (cols: string[], color: boolean) => {
    const text = cols.map((c, i) => (i < cols.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ');
    const clipped = text.length > opts.width ? text.slice(0, opts.width - 1) + '…' : text;
    if (!color) return clipped;
    // Colour the padded severity cell in place, so the columns stay aligned.
    const start = widths[0]! + 2;
    const cell = clipped.slice(start, start + widths[1]!);
    return clipped.slice(0, start) + paint(cell, 1) + clipped.slice(start + widths[1]!);
  };
  return [s.bold(line(head, false)), ...rows.map((r) => line(r, true)), '', `${rules.length} rules. Explain one: mwaa-migrate rules ID`].join('\n') + '\n';
}

export function renderRule(r: RuleDef, fixturesDir: string, opts: { color: boolean }): string {
  const s = style(opts.color);
  const out = [
    s.bold(`${r.id}: ${r.title}`),
    '',
    `  severity  ${r.severity}`,
    `  family    ${r.family}`,
    `  versions  ${versions(r)}`,
    `  matches   ${r.match.kind}`,
    `  defined   ${r.source ?? ''}`,
    `  docs      ${r.docs}`,
  ];
  if (r.why) out.push('', s.bold('Why'), `  ${r.why.trim()}`);
  out.push('', s.bold('Message'), `  ${r.message}`, '', s.bold('Fix'), `  ${r.fix}`);
  const unsafeHits = r.unsafeFixes?.length ? `; for ${r.unsafeFixes.join(', ')} an unsafe one, applied with --unsafe-fixes` : '';
  const kind = r.fixable === 'safe' ? `a safe fix: the program means the same${unsafeHits}` : 'an unsafe fix: the meaning may shift; applied with --unsafe-fixes';
  out.push(r.fixable ? `  mwaa-migrate fix applies it (${kind}).` : '  By hand: mwaa-migrate fix has no fix for this rule.');
  for (const kind of ['fail', 'pass'] as const) {
    const dir = join(fixturesDir, r.id, kind);
    if (!existsSync(dir)) continue;
    out.push('', s.bold(kind === 'fail' ? 'Example that is flagged' : 'Example that passes'));
    for (const file of listFiles(dir)) {
      out.push(s.dim(`  -- ${relative(dir, file)}`));
      for (const l of readFileSync(file, 'utf8').trimEnd().split('\n')) out.push(`  ${l}`);
    }
  }
  return out.join('\n') + '\n';
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? listFiles(p) : [p];
    });
}
