import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCfg, interpolate, type CfgEntry } from '../home/cfgparse.js';
import { parseDotenv } from '../home/dotenv.js';

// Where a home's metadata database and fernet key are: sql_alchemy_conn and fernet_key with the
// precedence Airflow's configuration.get() applies: environment first, then airflow.cfg; in each,
// [database] before the deprecated [core] sql_alchemy_conn, each as the value, then _cmd, then
// _secret. The _cmd and _secret forms are never run: they are reported as unresolvable so the
// user can pass the value explicitly. The raw values found here are secrets: callers keep them in memory only.

export interface Setting {
  /** The value, or null when unset or unresolvable. */
  value: string | null;
  /** Where it came from, e.g. "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN (.env)", "airflow.cfg [core] fernet_key", "default". */
  from: string;
  /** Why the value could not be taken, if so (names the setting, never a value). */
  unresolvable?: string;
}

export interface HomeDatabase {
  sqlAlchemyConn: Setting;
  fernetKey: Setting;
}

export interface HomeDatabaseOptions {
  /** A dotenv file whose AIRFLOW__* entries override airflow.cfg. */
  envFile?: string;
  /** Variables that override the env file too (e.g. process.env); AIRFLOW_CONFIG names the cfg. */
  env?: Record<string, string | undefined>;
}

type Key = [section: string, key: string];

function resolveSetting(keys: Key[], cfg: Map<string, string>, cfgName: string, env: Map<string, { value: string; from: string }>, fallback: Setting): Setting {
  const forms: { suffix: string; run: boolean }[] = [
    { suffix: '', run: false },
    { suffix: '_cmd', run: true },
    { suffix: '_secret', run: true },
  ];
  const hit = (from: string, value: string, indirect: boolean, name: string): Setting =>
    indirect ? { value: null, from, unresolvable: `${name} is read from a command or a secrets backend (${from}), which this tool does not run` } : { value, from };
  for (const [section, key] of keys) {
    for (const { suffix, run } of forms) {
      const name = `AIRFLOW__${section.toUpperCase()}__${key.toUpperCase()}${suffix.toUpperCase()}`;
      const e = env.get(name);
      if (e) return hit(`${name} (${e.from})`, e.value, run, key);
    }
  }
  for (const [section, key] of keys) {
    for (const { suffix, run } of forms) {
      const v = cfg.get(`${section}.${key}${suffix}`);
      if (v !== undefined) return hit(`${cfgName} [${section}] ${key}${suffix}`, v, run, key);
    }
  }
  return fallback;
}

function cfgValues(entries: CfgEntry[]): Map<string, string> {
  const raw = new Map<string, Map<string, string>>();
  for (const e of entries) {
    if (!raw.has(e.sectionLower)) raw.set(e.sectionLower, new Map());
    raw.get(e.sectionLower)!.set(e.key, e.raw);
  }
  const out = new Map<string, string>();
  for (const e of entries) {
    const lookup = (name: string) => raw.get(e.sectionLower)?.get(name) ?? raw.get('default')?.get(name);
    const r = interpolate(e.raw, lookup);
    out.set(`${e.sectionLower}.${e.key}`, 'value' in r ? r.value : e.raw);
  }
  return out;
}

/** The home's sql_alchemy_conn and fernet_key, resolved as Airflow would without running anything. */
export function resolveHomeDatabase(home: string, options: HomeDatabaseOptions = {}): HomeDatabase {
  const env = new Map<string, { value: string; from: string }>();
  if (options.envFile) {
    let text = '';
    try {
      text = readFileSync(options.envFile, 'utf8');
    } catch {
      // The caller reports an unreadable env file where it reads its connections.
    }
    for (const e of parseDotenv(text, options.envFile).entries) env.set(e.name, { value: e.value, from: options.envFile });
  }
  for (const [name, value] of Object.entries(options.env ?? {})) if (value !== undefined && name.startsWith('AIRFLOW__')) env.set(name, { value, from: 'environment' });

  const cfgPath = options.env?.['AIRFLOW_CONFIG'] ? resolve(options.env['AIRFLOW_CONFIG']) : join(home, 'airflow.cfg');
  let cfg = new Map<string, string>();
  try {
    cfg = cfgValues(parseCfg(readFileSync(cfgPath, 'utf8'), cfgPath).entries);
  } catch {
    // No airflow.cfg: Airflow runs on defaults and environment variables.
  }
  const cfgName = options.env?.['AIRFLOW_CONFIG'] ? cfgPath : 'airflow.cfg';
  return {
    sqlAlchemyConn: resolveSetting(
      [
        ['database', 'sql_alchemy_conn'],
        ['core', 'sql_alchemy_conn'],
      ],
      cfg,
      cfgName,
      env,
      // Airflow's default: a SQLite file in the home.
      { value: `sqlite:///${resolve(home, 'airflow.db')}`, from: 'default (airflow.db in the home)' },
    ),
    fernetKey: resolveSetting([['core', 'fernet_key']], cfg, cfgName, env, { value: null, from: 'unset' }),
  };
}
