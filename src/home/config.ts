import type { CfgEntry } from './cfgparse.js';
import { interpolate } from './cfgparse.js';
import type { ConfigOption, Connection, Problem, SecretRef, Source, Variable } from './inventory.js';
import { REDACTED } from './inventory.js';
import { expandValue } from './expandvars.js';
import { fingerprint, holdsCredential, isSensitiveName, kwargsHoldSecret, redactUrlCredentials } from './secrets.js';
import { airflowConfigCatalog, defaultAt, PROVIDER_SECTIONS, sensitiveOptions } from '../refdata/airflow-config.js';
import { compareNames } from '../collate.js';

// Turns airflow.cfg entries and AIRFLOW__* / AIRFLOW_CONN_* / AIRFLOW_VAR_* variables into the
// effective configuration Airflow would see, with provenance, and with every secret replaced by
// a fingerprint before it leaves this module.

export interface EnvVar {
  name: string;
  value: string;
  source: Extract<Source, { kind: 'env' }>;
}

export interface ConfigResult {
  options: ConfigOption[];
  connections: Connection[];
  variables: Variable[];
  secrets: SecretRef[];
  problems: Problem[];
}

// Options whose values are credentials whatever the version says (older versions had no flag).
const ALWAYS_SECRET = new Set([
  'core.sql_alchemy_conn',
  'database.sql_alchemy_conn',
  'database.sql_alchemy_conn_async',
  'core.fernet_key',
  'webserver.secret_key',
  'api.secret_key',
  'api_auth.jwt_secret',
  'smtp.smtp_password',
  'celery.broker_url',
  'celery.result_backend',
  'celery.flower_basic_auth',
  'secrets.backend_kwargs',
  'sentry.sentry_dsn',
]);

let secretKeys: Set<string> | null = null;
export function isSecretOption(section: string, key: string, value: string | null): boolean {
  secretKeys ??= new Set([...ALWAYS_SECRET, ...sensitiveOptions()]);
  const full = `${section}.${key}`;
  // A backend's keyword arguments are a secret only when they carry one: prefixes and a profile name are not.
  if (key.endsWith('backend_kwargs') && value !== null) return kwargsHoldSecret(value);
  return secretKeys.has(full) || isSensitiveName(key) || (value !== null && holdsCredential(value));
}

type Form = ConfigOption['valueFrom'];

/** `key_cmd` / `key_secret` name the same option, read from a command or a secrets backend. */
function splitForm(section: string, key: string): { key: string; form: Form } {
  const catalog = airflowConfigCatalog().options;
  const m = /^(.+)_(cmd|secret)$/.exec(key);
  if (!m || catalog[`${section}.${key}`]) return { key, form: 'literal' };
  return { key: m[1]!, form: m[2] === 'cmd' ? 'command' : 'secrets-backend' };
}

// Airflow's lookup order for one option (configuration.py get()): env, env _CMD, env _SECRET,
// airflow.cfg, cfg key_cmd, cfg key_secret.
const RANK: Record<string, number> = { 'env:literal': 0, 'env:command': 1, 'env:secrets-backend': 2, 'file:literal': 3, 'file:command': 4, 'file:secrets-backend': 5 };

interface Candidate {
  section: string;
  key: string;
  form: Form;
  value: string | null;
  source: Source;
}

export function buildConfig(
  file: string | null,
  entries: CfgEntry[],
  env: EnvVar[],
  referenceVersion: string | null,
  home: string,
): ConfigResult {
  const problems: Problem[] = [];
  const candidates = new Map<string, Candidate[]>();
  const add = (c: Candidate) => {
    const k = `${c.section}.${c.key}`;
    candidates.set(k, [...(candidates.get(k) ?? []), c]);
  };

  // Raw values per section for %(name)s references, DEFAULT visible everywhere.
  const raw = new Map<string, Map<string, string>>();
  for (const e of entries) {
    const s = e.sectionLower;
    if (!raw.has(s)) raw.set(s, new Map());
    raw.get(s)!.set(e.key, e.raw);
  }
  for (const e of entries) {
    if (e.sectionLower === 'default') continue;
    const lookup = (name: string) => raw.get(e.sectionLower)?.get(name) ?? raw.get('default')?.get(name);
    const r = interpolate(e.raw, lookup);
    let value: string;
    if ('error' in r) {
      problems.push({ code: 'cfg-interpolation', file: file ?? undefined, line: e.line, message: `[${e.section}] ${e.key}: ${r.error} (write a literal % as %%)` });
      value = e.raw;
    } else value = r.value;
    const { key, form } = splitForm(e.sectionLower, e.key);
    add({ section: e.sectionLower, key, form, value: form === 'literal' ? value : null, source: { kind: 'file', file: file ?? 'airflow.cfg', line: e.line } });
  }

  const connections: Connection[] = [];
  const variables: Variable[] = [];
  const secrets: SecretRef[] = [];
  for (const v of env) {
    const opt = /^AIRFLOW__(.+?)__(.+)$/.exec(v.name);
    if (opt) {
      const section = opt[1]!.toLowerCase();
      const { key, form } = splitForm(section, opt[2]!.toLowerCase());
      add({ section, key, form, value: form === 'literal' ? v.value : null, source: v.source });
      continue;
    }
    const conn = /^AIRFLOW_CONN_(.+)$/.exec(v.name);
    if (conn) {
      const c = parseConnection(conn[1]!.toLowerCase(), v.value, v.source);
      connections.push(c);
      secrets.push({ what: `connection ${c.connId}`, source: v.source, fingerprint: c.fingerprint });
      continue;
    }
    const variable = /^AIRFLOW_VAR_(.+)$/.exec(v.name);
    if (variable) {
      const key = variable[1]!.toLowerCase();
      const fp = fingerprint(v.value);
      variables.push({ key, source: v.source, length: v.value.length, fingerprint: fp });
      if (isSensitiveName(key) || holdsCredential(v.value)) secrets.push({ what: `variable ${key}`, source: v.source, fingerprint: fp });
    }
  }

  const catalog = airflowConfigCatalog().options;
  const options: ConfigOption[] = [];
  for (const [full, list] of candidates) {
    list.sort((a, b) => RANK[`${a.source.kind}:${a.form}`]! - RANK[`${b.source.kind}:${b.form}`]!);
    const win = list[0]!;
    // An empty value hides nothing; showing it tells the reader the option is unset.
    const secret = win.form === 'literal' && win.value !== null && win.value.trim() !== '' && isSecretOption(win.section, win.key, win.value);
    const entry = catalog[full];
    const def = referenceVersion ? defaultAt(full, referenceVersion) : undefined;
    const known = referenceVersion === null ? null : def !== undefined || (PROVIDER_SECTIONS.has(win.section) && entry !== undefined);
    const option: ConfigOption = {
      section: win.section,
      key: win.key,
      value: win.value === null ? null : secret ? REDACTED : win.value,
      source: win.source,
      valueFrom: win.form,
      secret: secret || win.form !== 'literal',
      known,
      differsFromDefault: win.value === null || def === undefined ? null : !sameAsDefault(win.value, def, home),
    };
    if (secret && win.value !== null) option.fingerprint = fingerprint(win.value);
    // Overridden values are secrets too: they still sit in the file that moves to the new host.
    for (const c of list) {
      if (c.form === 'literal' && c.value !== null && c.value.trim() !== '' && isSecretOption(c.section, c.key, c.value)) {
        secrets.push({ what: `[${c.section}] ${c.key}`, source: c.source, fingerprint: c === win ? option.fingerprint! : fingerprint(c.value) });
      }
    }
    if (list.length > 1) option.overridden = list.slice(1).map((c) => c.source);
    const expansion = !option.secret && win.value !== null ? expandValue(win.value, env) : undefined;
    if (expansion) option.expansion = expansion;
    options.push(option);
  }
  options.sort((a, b) => compareNames(a.section, b.section) || compareNames(a.key, b.key));
  return { options, connections, variables, secrets, problems };
}

const BOOL = /^(true|false|t|f|yes|no|y|n|1|0|on|off)$/i;
const truthy = (v: string) => /^(true|t|yes|y|1|on)$/i.test(v);

/** Compares as Airflow would read it: booleans loosely, {AIRFLOW_HOME} as the home folder. */
function sameAsDefault(value: string, def: string | null, home: string): boolean {
  const v = value.trim();
  const d = (def ?? '').trim();
  if (v === d) return true;
  if (BOOL.test(v) && BOOL.test(d)) return truthy(v) === truthy(d);
  if (d.includes('{AIRFLOW_HOME}')) {
    const suffix = d.slice(d.indexOf('{AIRFLOW_HOME}') + '{AIRFLOW_HOME}'.length);
    return v === d.replace('{AIRFLOW_HOME}', home) || (suffix !== '' && v.endsWith(suffix) && !v.slice(0, -suffix.length).includes('://'));
  }
  const n = Number(v);
  return v !== '' && d !== '' && !Number.isNaN(n) && n === Number(d);
}

/** An AIRFLOW_CONN_* value in URI or JSON form, reduced to what is safe to show. */
export function parseConnection(connId: string, value: string, source: Source): Connection {
  const base: Connection = {
    connId,
    source,
    format: 'uri',
    connType: null,
    host: null,
    login: null,
    port: null,
    schema: null,
    hasPassword: false,
    extraKeys: [],
    fingerprint: fingerprint(value),
  };
  const text = value.trim();
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      const str = (k: string) => (typeof j[k] === 'string' && j[k] !== '' ? String(j[k]) : null);
      let extra = j['extra'];
      if (typeof extra === 'string') {
        try {
          extra = JSON.parse(extra);
        } catch {
          extra = {};
        }
      }
      return {
        ...base,
        format: 'json',
        connType: str('conn_type'),
        host: str('host') && redactUrlCredentials(str('host')!),
        login: str('login'),
        port: typeof j['port'] === 'number' ? j['port'] : Number(str('port')) || null,
        schema: str('schema'),
        hasPassword: str('password') !== null,
        extraKeys: extra && typeof extra === 'object' ? Object.keys(extra).sort() : [],
      };
    } catch {
      return { ...base, format: 'json' };
    }
  }
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(text);
  if (!m) return base;
  const [, scheme, authority, path, query] = m;
  const at = authority!.lastIndexOf('@');
  const userinfo = at >= 0 ? authority!.slice(0, at) : '';
  const hostport = at >= 0 ? authority!.slice(at + 1) : authority!;
  const colon = userinfo.indexOf(':');
  const hp = /^(.*?)(?::(\d+))?$/.exec(hostport)!;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const type = scheme!.replace(/-/g, '_');
  return {
    ...base,
    connType: type === 'postgresql' ? 'postgres' : type,
    host: hp[1] ? decode(hp[1]) : null,
    login: userinfo ? decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo) || null : null,
    port: hp[2] ? Number(hp[2]) : null,
    schema: path && path.length > 1 ? decode(path.slice(1)) : null,
    hasPassword: colon >= 0 && userinfo.slice(colon + 1) !== '',
    extraKeys: query ? [...new URLSearchParams(query).keys()].sort() : [],
  };
}
