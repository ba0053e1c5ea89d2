// os-libraries.json: Python packages that need operating-system libraries the MWAA images do not
// carry. Kept short on purpose: a package is listed only when both halves are on record.
//  - The MWAA images' system packages: aws/amazon-mwaa-docker-images,
//    images/airflow/2.10.3/BillOfMaterials/2.10.3/System-Packages-BOM.txt and
//    images/airflow/3.0.6/BillOfMaterials/3.0.6-explorer-privileged/System-Packages-BOM.txt.
//    They include gcc, libpq-devel and MariaDB-devel (so psycopg2 and mysqlclient build from
//    source; the images install psycopg2 themselves), and the OpenLDAP and Cyrus SASL runtime
//    libraries, but no unixODBC and no openldap-devel or cyrus-sasl-devel.
//  - The package's own install notes (cited per entry).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readPins } from './constraints.mjs';

export const output = 'os-libraries.json';

const PACKAGES = {
  'python-ldap': {
    needs: 'OpenLDAP and Cyrus SASL development headers (openldap-devel, cyrus-sasl-devel)',
    stage: 'install',
    reason:
      'python-ldap publishes no Linux wheels, so pip compiles it, and the MWAA images have the OpenLDAP runtime library but not its headers: the build fails and with it the whole requirements install',
    source: 'https://www.python-ldap.org/en/latest/installing.html#build-prerequisites ; https://github.com/python-ldap/python-ldap/issues/331',
  },
  pyodbc: {
    needs: 'the unixODBC driver manager (libodbc) and an ODBC driver for the database',
    stage: 'import',
    reason: 'the wheel installs, but importing pyodbc needs libodbc from unixODBC, which the MWAA images do not install, and a driver for the target database',
    source: 'https://github.com/mkleehammer/pyodbc/wiki/Install',
  },
};

export function generate(ref) {
  // Every listed package must be one MWAA's constraints know, so a typo cannot hide an entry.
  const dir = join(ref, 'mwaa/constraints');
  const known = new Set();
  for (const version of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const file of readdirSync(join(dir, version.name))) for (const name of readPins(join(dir, version.name, file)).keys()) known.add(name);
  }
  const unknown = Object.keys(PACKAGES).filter((p) => !known.has(p));
  if (unknown.length) throw new Error(`os-libraries: not in any MWAA constraints file: ${unknown.join(', ')}`);
  return {
    description:
      "Packages that need operating-system libraries the MWAA images lack, with what they need and why; generated from rules/data/gen/os-libraries.mjs, do not edit by hand. stage: 'install' fails pip (and the whole requirements.txt), 'import' fails when a DAG imports the package.",
    packages: PACKAGES,
  };
}
