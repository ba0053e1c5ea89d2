import { compareVersions } from '../refdata/airflow-config.js';
import { targetVersions } from '../refdata/mwaa.js';

// Which Airflow version changes UpdateEnvironment makes in place (mwaa.yaml airflow_versions.
// upgrade_rules; MWAA user guide, "Changing Apache Airflow versions"): minor upgrades and
// downgrades within a major version; 2.11.x to 3.x, and back from 3.x to 2.11.x; nothing from
// 1.10, and no 2.10.3-or-older environment to 3.x, which needs 2.11.x first or a new environment.

export type VersionRoute = { kind: 'same' } | { kind: 'in-place'; note: string } | { kind: 'refused'; reason: string; route: string };

const major = (v: string) => Number.parseInt(v, 10);
const is211 = (v: string) => /^2\.11(\.|$)/.test(v);

/** The newest 2.11.x MWAA offers: the stepping stone between 2.x and 3.x. */
function latest211(): string {
  return (
    targetVersions()
      .map((v) => v.version)
      .filter(is211)
      .sort(compareVersions)
      .at(-1) ?? '2.11.0'
  );
}

export function versionRoute(current: string, target: string): VersionRoute {
  if (current === target) return { kind: 'same' };
  const newEnvironment = 'plan a new environment under another --name and move to it';
  const [from, to] = [major(current), major(target)];
  const direction = compareVersions(target, current) > 0 ? 'upgrade' : 'downgrade';
  if (from === 1) return { kind: 'refused', reason: `MWAA cannot change an Airflow ${current} environment's version in place`, route: newEnvironment };
  if (from === to) {
    return { kind: 'in-place', note: `AirflowVersion ${current} -> ${target}: an in-place minor ${direction}; MWAA snapshots the metadata database first and rolls back if it fails` };
  }
  if (from === 2 && to === 3 && !is211(current)) {
    const stone = latest211();
    return {
      kind: 'refused',
      reason: `MWAA upgrades to Airflow 3 in place only from 2.11.x, and this environment runs ${current}`,
      route: `upgrade it to ${stone} first (plan and apply with --target-version ${stone}, then plan again for ${target}), or ${newEnvironment}`,
    };
  }
  if (from === 3 && to === 2 && !is211(target)) {
    return { kind: 'refused', reason: `MWAA downgrades an Airflow 3 environment in place only to 2.11.x, not to ${target}`, route: `target ${latest211()}, or ${newEnvironment}` };
  }
  return { kind: 'in-place', note: `AirflowVersion ${current} -> ${target}: an in-place major ${direction}, which MWAA makes between 2.11.x and 3.x; it snapshots the metadata database first and rolls back if it fails` };
}

/** The one line that refuses a version change, naming the route to take. */
export const refusedRouteLine = (name: string, r: Extract<VersionRoute, { kind: 'refused' }>, target: string) =>
  `environment ${name} cannot be updated to Airflow ${target}: ${r.reason}; ${r.route}`;
