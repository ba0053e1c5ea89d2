// What the preflight found, as the plan holds it and as text: no AWS SDK here, so a plan can be
// shown without loading one.

export type PreflightStatus = 'pass' | 'warn' | 'fail' | 'unknown';
export type PreflightArea = 'bucket' | 'role' | 'network' | 'request';

export interface PreflightCheck {
  id: string;
  area: PreflightArea;
  status: PreflightStatus;
  title: string;
  detail: string;
  fix?: string;
}

const MARK: Record<PreflightStatus, string> = { pass: 'ok', warn: 'WARN', fail: 'FAIL', unknown: '??' };

/** Plain text, one line per check (status mark, id, title) with its detail and fix indented. */
export function renderPreflightText(checks: PreflightCheck[]): string {
  const count = (s: PreflightStatus) => checks.filter((c) => c.status === s).length;
  const indent = (text: string) => text.split('\n').map((l) => `        ${l}`);
  const lines = checks.flatMap((c) => [
    `[${MARK[c.status]}]${' '.repeat(5 - MARK[c.status].length)}${c.id}  ${c.title}`,
    ...indent(c.detail),
    ...(c.fix && c.status !== 'pass' ? indent(`fix: ${c.fix}`) : []),
  ]);
  const summary = `Preflight: ${count('fail')} failing, ${count('warn')} to review, ${count('unknown')} not checked, ${count('pass')} ok.`;
  return [...lines, '', summary, ''].join('\n');
}
