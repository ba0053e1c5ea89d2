import { dataTable } from './data.js';

// Which Airflow versions MWAA offers (rules/data/mwaa.json). Kept apart from the version
// arithmetic in check/versions.ts so that the usage text can name them without loading it.

export interface MwaaVersion {
  version: string;
  /** major.minor: the runtime image's Python where MWAA publishes an image, else mwaa.yaml's. */
  python: string;
  /** The image's exact Python (null without an image). */
  pythonFull: string | null;
  pythonFrom: string;
  status: string;
  inApiModel: boolean;
}

interface MwaaData {
  versions: MwaaVersion[];
  /** `{airflow_version}` and `{python_major_minor}` placeholders. */
  constraintsUrl: string;
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

/** The Python MWAA runs a target version on, or null for a version it does not offer. */
export function targetPython(target: string): Pick<MwaaVersion, 'python' | 'pythonFull' | 'pythonFrom'> | null {
  return mwaaData().versions.find((v) => v.version === target) ?? null;
}

/** Airflow's constraints file for the target and the Python MWAA runs it on; null when that Python is unknown. */
export function constraintsUrl(target: string): string | null {
  const python = targetPython(target)?.python;
  return python ? mwaaData().constraintsUrl.replace('{airflow_version}', target).replace('{python_major_minor}', python) : null;
}
