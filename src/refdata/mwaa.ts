import { dataTable } from './data.js';

// Which Airflow versions MWAA offers (rules/data/mwaa.json). Kept apart from the version
// arithmetic in check/versions.ts so that the usage text can name them without loading it.

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
