import { satisfies, valid } from '@renovatebot/pep440';
import type { VersionDecision } from '../home/inventory.js';
import { compareVersions } from '../refdata/airflow-config.js';
import type { CheckContext } from './types.js';

// The version arithmetic rules use (which versions MWAA offers: refdata/mwaa.ts).

/** The version rules reason from: the exact one, else the lowest of the detected family. */
export function detectedVersion(v: VersionDecision): string | null {
  if (v.version) return v.version;
  if (v.family === '1.10') return '1.10.0';
  if (v.family) return `${v.family.replace('.x', '')}.0.0`;
  return null;
}

export function makeContext(detected: string | null, target: string, now = new Date()): CheckContext {
  return {
    detected,
    target,
    now,
    crosses: (version) => compareVersions(version, target) <= 0,
    detectedBefore: (version) => detected !== null && compareVersions(detected, version) < 0,
    targetIn: (range) => inRange(target, range),
  };
}

// Rules ask the same few questions once per hit (135,000 times on a 10,000-file home) and PEP 440
// parsing dominated the check; the answers depend only on the two strings.
const answers = new Map<string, boolean>();

export function inRange(version: string, range: string): boolean {
  const key = `${version} ${range}`;
  let answer = answers.get(key);
  if (answer === undefined) answers.set(key, (answer = valid(version) !== null && satisfies(version, range)));
  return answer;
}
