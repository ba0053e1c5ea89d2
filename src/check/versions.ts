import { satisfies, valid } from '@renovatebot/pep440';
import type { VersionDecision } from '../home/inventory.js';
import { compareVersions } from '../refdata/airflow-config.js';
import { dataTable } from '../refdata/data.js';
import type { CheckContext } from './types.js';

// Which Airflow versions MWAA offers (rules/data/mwaa.json) and the version arithmetic rules use.

export interface MwaaVersion {
  version: string;
  python: string;
  status: string;
  inApiModel: boolean;
}

interface MwaaData {
  versions: MwaaVersion[];
  defaultTarget: string;
}

export const mwaaData = dataTable<MwaaData>('mwaa.json');

/** Versions a user may target: those the MWAA API accepts, plus newer runtime images. */
export function targetVersions(): MwaaVersion[] {
  return mwaaData().versions.filter((v) => v.inApiModel || !/end of support/.test(v.status));
}

export function defaultTarget(): string {
  return mwaaData().defaultTarget;
}

/** The version rules reason from: the exact one, else the lowest of the detected family. */
export function detectedVersion(v: VersionDecision): string | null {
  if (v.version) return v.version;
  if (v.family === '1.10') return '1.10.0';
  if (v.family) return `${v.family.replace('.x', '')}.0.0`;
  return null;
}

export function makeContext(detected: string | null, target: string): CheckContext {
  return {
    detected,
    target,
    crosses: (version) => compareVersions(version, target) <= 0,
    detectedBefore: (version) => detected !== null && compareVersions(detected, version) < 0,
    targetIn: (range) => inRange(target, range),
  };
}

export function inRange(version: string, range: string): boolean {
  return valid(version) !== null && satisfies(version, range);
}
