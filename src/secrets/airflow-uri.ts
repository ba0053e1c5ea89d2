import type { ConnectionFields } from './model.js';
import { emptyFields } from './model.js';
import { pyJsonDumps } from './pyjson.js';

// Airflow connection URIs, both ways. Reading follows Airflow's Connection._parse_from_uri
// (airflow/models/connection.py, 2.7+: a host may carry its own "protocol://") over a port of
// the parts of Python's urllib.parse it uses (urlsplit, unquote, parse_qsl), so an
// AIRFLOW_CONN_* value or an exported URI gives the fields Airflow would see. Writing follows
// Connection.get_uri, escaping a little more than it does so that every Airflow parser since
// 1.10 reads back exactly the same fields (see encodeHost). Errors never quote the URI.

export class ConnectionUriError extends Error {}

// Python's str.isspace-free C0 controls and space, stripped by urlsplit (WHATWG rule), and the
// bytes it deletes anywhere.
const C0_OR_SPACE = /^[\x00-\x20]+/;
const UNSAFE = /[\t\r\n]/g;
const SCHEME_CHARS = /^[A-Za-z0-9+.-]+$/;

interface SplitUrl {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
}

/** urllib.parse.urlsplit, without fragments handling beyond cutting them off. */
function urlsplit(input: string): SplitUrl {
  let url = input.replace(C0_OR_SPACE, '').replace(UNSAFE, '');
  let scheme = '';
  let netloc = '';
  let query = '';
  const colon = url.indexOf(':');
  if (colon > 0 && /^[A-Za-z]/.test(url) && SCHEME_CHARS.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    url = url.slice(colon + 1);
  }
  if (url.startsWith('//')) {
    const rest = url.slice(2);
    const end = rest.search(/[/?#]/);
    netloc = end === -1 ? rest : rest.slice(0, end);
    url = end === -1 ? '' : rest.slice(end);
    if (netloc.includes('[') !== netloc.includes(']')) throw new ConnectionUriError('invalid IPv6 host (unbalanced brackets)');
  }
  const hash = url.indexOf('#');
  if (hash !== -1) url = url.slice(0, hash);
  const q = url.indexOf('?');
  if (q !== -1) {
    query = url.slice(q + 1);
    url = url.slice(0, q);
  }
  return { scheme, netloc, path: url, query };
}

const userinfo = (netloc: string): { have: boolean; info: string } => {
  const at = netloc.lastIndexOf('@');
  return at === -1 ? { have: false, info: '' } : { have: true, info: netloc.slice(0, at) };
};
const hostinfo = (netloc: string): string => netloc.slice(netloc.lastIndexOf('@') + 1);

function username(netloc: string): string | null {
  const u = userinfo(netloc);
  if (!u.have) return null;
  const c = u.info.indexOf(':');
  return c === -1 ? u.info : u.info.slice(0, c);
}

function password(netloc: string): string | null {
  const u = userinfo(netloc);
  const c = u.info.indexOf(':');
  return u.have && c !== -1 ? u.info.slice(c + 1) : null;
}

function hostAndPort(netloc: string): { hostname: string | null; port: string } {
  const h = hostinfo(netloc);
  let hostname: string;
  let port: string;
  if (h.includes('[')) {
    const inner = h.slice(h.indexOf('[') + 1);
    const close = inner.indexOf(']');
    hostname = close === -1 ? inner : inner.slice(0, close);
    const after = close === -1 ? '' : inner.slice(close + 1);
    port = after.includes(':') ? after.slice(after.indexOf(':') + 1) : '';
  } else {
    const c = h.indexOf(':');
    hostname = c === -1 ? h : h.slice(0, c);
    port = c === -1 ? '' : h.slice(c + 1);
  }
  // Python lower-cases hostnames (the reason encodeHost escapes capitals).
  return { hostname: hostname === '' ? null : hostname.toLowerCase(), port };
}

function parsePort(text: string): number | null {
  if (text === '') return null;
  if (!/^[0-9]+$/.test(text)) throw new ConnectionUriError('port is not a number');
  const n = Number(text);
  if (n > 65535) throw new ConnectionUriError('port out of range 0-65535');
  return n;
}

/** urllib.parse.unquote: %XX runs decoded as UTF-8, invalid bytes replaced. */
function unquote(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

/** urllib.parse.parse_qsl(keep_blank_values=True) into a dict: the last of a repeated name wins. */
function parseQs(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const [name, value] = eq === -1 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    out[unquote(name.replace(/\+/g, ' '))] = unquote(value.replace(/\+/g, ' '));
  }
  return out;
}

function netlocHostname(netloc: string): string {
  // Airflow's _parse_netloc_to_hostname: a host holding '/' is taken from the raw netloc.
  let hostname = unquote(hostAndPort(netloc).hostname ?? '');
  if (hostname.includes('/')) {
    hostname = hostinfo(netloc);
    const c = hostname.indexOf(':');
    if (c !== -1) hostname = hostname.slice(0, c);
    hostname = unquote(hostname);
  }
  return hostname;
}

const EXTRA_KEY = '__extra__';

function normalizeConnType(t: string): string {
  return t === 'postgresql' ? 'postgres' : t.replace(/-/g, '_');
}

/** The fields Airflow's Connection(uri=...) gives (absent host and schema come back as ''). */
export function parseConnectionUri(uri: string): ConnectionFields {
  const schemes = uri.split('://').length - 1;
  if (schemes > 2) throw new ConnectionUriError('invalid connection URI (more than two "://")');
  const withProtocol = schemes === 2;
  const connType = urlsplit(uri).scheme;
  const rest = uri.split(`${connType}://`).join(withProtocol ? '' : '//');
  if (withProtocol) {
    const head = rest.slice(0, rest.indexOf('://'));
    if (head.includes('@') || head.includes(':')) throw new ConnectionUriError('invalid connection URI (credentials before the host protocol)');
  }
  const parts = urlsplit(rest);
  const protocol = withProtocol ? parts.scheme : null;
  const host = netlocHostname(parts.netloc);
  const quotedSchema = parts.path.slice(1);
  const login = username(parts.netloc);
  const pw = password(parts.netloc);
  const fields = emptyFields();
  fields.conn_type = normalizeConnType(connType);
  fields.host = host && protocol ? `${protocol}://${host}` : host;
  fields.schema = quotedSchema ? unquote(quotedSchema) : quotedSchema;
  fields.login = login ? unquote(login) : login;
  fields.password = pw ? unquote(pw) : pw;
  fields.port = parsePort(hostAndPort(parts.netloc).port);
  if (parts.query) {
    const query = parseQs(parts.query);
    fields.extra = EXTRA_KEY in query ? query[EXTRA_KEY]! : pyJsonDumps(query);
  }
  return fields;
}

/** urllib.parse.quote(s, safe=''): everything but letters, digits and _.-~ percent-encoded. */
function quote(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * quote() plus capitals escaped: Python lower-cases a URI's hostname but unquotes after, so
 * "%4D" comes back as "M". A host with a "://" is escaped whole, which every parser since 1.10
 * reads through its "'/' in hostname" path instead of the 2.7+ host-protocol split (that split
 * drops the host when it repeats the connection type's own scheme).
 */
function encodeHost(host: string): string {
  return Array.from(host, (c) => (/[A-Z]/.test(c) ? `%${c.charCodeAt(0).toString(16).toUpperCase()}` : quote(c))).join('');
}

export type ExtraEncoding = 'query-or-extra-key' | 'query-only';

/**
 * The URI for the fields, as get_uri builds it but with encodeHost. `query-only` is for Airflow
 * 1.10, whose parser has no __extra__ key: extras then go as query parameters, non-string
 * values as JSON text.
 */
export function connectionUri(f: ConnectionFields, extras: ExtraEncoding = 'query-or-extra-key'): string {
  let uri = `${(f.conn_type ?? '').toLowerCase().replace(/_/g, '-')}://`;
  let authority = '';
  if (f.login !== null) authority += quote(f.login);
  if (f.password !== null) authority += `:${quote(f.password)}`;
  if (authority !== '') uri += `${authority}@`;
  let hostBlock = f.host ? encodeHost(f.host) : '';
  if (f.port) hostBlock += hostBlock === '' && authority === '' ? `@:${f.port}` : `:${f.port}`;
  if (f.schema) hostBlock += `/${quote(f.schema)}`;
  uri += hostBlock;
  const query = extraQuery(f.extra, extras);
  if (query) uri += (f.schema ? '?' : '/?') + query;
  return uri;
}

function extraQuery(extra: string | null, mode: ExtraEncoding): string | null {
  if (extra === null || extra.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(extra);
  } catch {
    parsed = undefined;
  }
  const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  const entries = isObject ? Object.entries(parsed as Record<string, unknown>) : [];
  if (isObject && entries.length === 0) return null;
  const flat = isObject && !(EXTRA_KEY in (parsed as object)) && entries.every(([, v]) => typeof v === 'string');
  if (flat || (mode === 'query-only' && isObject)) {
    return entries.map(([k, v]) => `${quote(k)}=${quote(typeof v === 'string' ? v : JSON.stringify(v))}`).join('&');
  }
  return `${EXTRA_KEY}=${quote(extra)}`;
}
