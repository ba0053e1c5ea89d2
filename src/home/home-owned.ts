import { join, sep } from 'node:path';
import type { Problem } from './inventory.js';

// A DAG folder set to the Airflow home itself (`dags_folder = {AIRFLOW_HOME}`) holds the home's
// own files: its configuration, secrets (.env, the standalone passwords), plugins, logs and
// database. They are not DAG files: checked as DAG code they would be reported twice (plugins), and
// uploaded with the DAGs they would put the home's secrets in the DAG bucket. The scan leaves them
// out of the DAG folder and says so.

// What Airflow and its tools keep at the top of the home (airflow.cfg's defaults, `airflow
// standalone`, the simple auth manager), and what this tool reads or builds apart.
const HOME_FILES = [
  'airflow.cfg',
  'webserver_config.py',
  'unittests.cfg',
  'airflow.db',
  'airflow-webserver.pid',
  'airflow-scheduler.pid',
  'airflow-triggerer.pid',
  'airflow-worker.pid',
  'standalone_admin_password.txt',
  'simple_auth_manager_passwords.json.generated',
  '.env',
  'requirements.txt',
  'plugins.zip',
  'plugins',
  'logs',
];

export interface HomeParts {
  home: string;
  /** The home's entries (names). */
  names: string[];
  /** Absolute paths of what the scan reads apart: the config file, env file, requirements, plugins and log folders. */
  own: (string | null)[];
}

/** The paths a DAG folder that is the home leaves out, and the problem that names them. */
export function homeOwned({ home, names, own }: HomeParts): { skip: Set<string>; problem: Problem | null } {
  const inside = (p: string | null): p is string => p !== null && p.startsWith(home + sep);
  const skip = new Set([...HOME_FILES.map((n) => join(home, n)), ...own.filter(inside)]);
  const present = names.filter((n) => skip.has(join(home, n))).sort();
  if (present.length === 0) return { skip, problem: null };
  const listed = present.map((n) => (n === 'plugins' || n === 'logs' ? `${n}/` : n)).join(', ');
  return {
    skip,
    problem: {
      code: 'dags-folder-is-home',
      file: 'airflow.cfg',
      message: `[core] dags_folder is the Airflow home itself: its own files (${listed}) are not DAG files, so they are left out of the DAG folder and of its upload; point dags_folder at a folder of DAGs`,
    },
  };
}
