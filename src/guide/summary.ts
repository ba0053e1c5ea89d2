import type { Finding } from '../check/types.js';
import type { CheckedHome } from '../plan/fixed.js';
import { VERSION_SOURCES } from '../report/model.js';
import type { Counts, GuideView } from '../ui/types.js';
import { tildify } from './core.js';
import { compareNames } from '../collate.js';

// What the scan step shows once the home is read and checked: pure, so the scan, the re-check and
// the target change all describe the home the same way.

export const zeroCounts = (): Counts => ({ error: 0, warning: 0, info: 0, total: 0 });

export const countsOf = (findings: Finding[]): Counts => {
  const c = zeroCounts();
  for (const f of findings) {
    c[f.severity]++;
    c.total++;
  }
  return c;
};

export function scanSummary(checked: CheckedHome, envFile: string | undefined, target: string): NonNullable<GuideView['scan']['summary']> {
  const { inventory: inv, result } = checked;
  const v = inv.airflowVersion;
  const s = inv.summary;
  const families = new Map<string, Counts>();
  for (const f of result.findings) {
    const c = families.get(f.family) ?? zeroCounts();
    c[f.severity]++;
    c.total++;
    families.set(f.family, c);
  }
  return {
    home: tildify(inv.home),
    version: v.version ? `Airflow ${v.version}` : v.family ? `Airflow ${v.family}` : 'unknown',
    why: `${VERSION_SOURCES[v.source]}, confidence ${v.confidence}${v.evidence[0] ? `: ${v.evidence[0]}` : ''}`,
    counts: [
      ['DAG files', s.dagFiles],
      ['DAGs', s.dags],
      ['tasks', s.tasks],
      ['plugins', s.plugins],
      ['requirements', s.requirements],
      ['connections', s.connections],
      ['variables', s.variables],
    ],
    findings: countsOf(result.findings),
    histogram: [...families].map(([family, c]) => ({ family, ...c })).sort((a, b) => b.total - a.total || compareNames(a.family, b.family)),
    suppressed: result.suppressed.length,
    problems: inv.problems.slice(0, 3).map((p) => `${p.file ? `${p.file}: ` : ''}${p.message}`),
    envFile: envFile ? tildify(envFile) : null,
    target,
  };
}
