// providers.json: the Airflow provider packages an MWAA environment has before requirements.txt
// is installed, per Airflow major version.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const output = 'providers.json';

const PREFIX = 'apache-airflow-providers-';

// Airflow 3.0 cut its own pre-installed providers down to these (Airflow 3.0.0 release notes,
// "Pre-installed providers are minimized"). The MWAA reference lists 2.x only.
const AIRFLOW3_PREINSTALLED = ['common.compat', 'common.io', 'common.sql', 'fab', 'smtp', 'sqlite', 'standard'];
// What the MWAA images add on top in every version: apache-airflow[celery] plus the amazon and
// postgres providers (aws/amazon-mwaa-docker-images, images/airflow/<ver>/requirements.txt).
const MWAA_ADDED = ['amazon', 'celery', 'postgres'];

const packageName = (short) => PREFIX + short.replace(/[._]/g, '-');

export function generate(ref) {
  const mwaa = parse(readFileSync(join(ref, 'mwaa/mwaa.yaml'), 'utf8'));
  const v2 = mwaa.airflow_versions.preinstalled.provider_packages_2_10_1;
  const missing = MWAA_ADDED.filter((p) => !v2.includes(p));
  if (missing.length) throw new Error(`mwaa.yaml preinstalled providers no longer list ${missing.join(', ')}`);
  const list = (shorts) => [...new Set(shorts.map(packageName))].sort();
  return {
    description:
      "Provider packages pre-installed on MWAA, by Airflow major version; generated, do not edit by hand. 2: the MWAA reference's list (documented for 2.10.1). 3: Airflow 3's own pre-installed providers plus the amazon, celery and postgres providers the MWAA images add.",
    preinstalled: { 2: list(v2), 3: list([...AIRFLOW3_PREINSTALLED, ...MWAA_ADDED]) },
  };
}
