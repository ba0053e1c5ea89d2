import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { makeFolder } from './fs.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REDACTED } from './inventory.js';

// Fingerprints are keyed with a random per-user key kept in the user's config folder: they are
// stable from run to run (reports and plans can be compared), yet a fingerprint in a shared
// report cannot be checked against a guessed password by anyone without that key.
let key: Buffer | null = null;

function fingerprintKey(): Buffer {
  if (key) return key;
  const dir = join(process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'mwaa-migrate');
  const file = join(dir, 'fingerprint.key');
  const read = () => {
    try {
      const k = readFileSync(file);
      return k.length >= 32 ? k : null;
    } catch {
      return null;
    }
  };
  key = read();
  if (key) return key;
  const fresh = randomBytes(32);
  try {
    makeFolder(dir, 0o700);
    writeFileSync(file, fresh, { mode: 0o600, flag: 'wx' });
  } catch {
    // Another process won the race, or the folder is read-only: use theirs, else this run's.
  }
  key = read() ?? fresh;
  return key;
}

export function fingerprint(value: string): string {
  return 'hmac-sha256:' + createHmac('sha256', fingerprintKey()).update(value, 'utf8').digest('hex').slice(0, 24);
}

// URL credentials are found by scanning from each '://', never by a pattern that backtracks:
// the work stays linear on any input, however long its runs of letters.
const MAX_SCHEME = 64;
// Longer user info is redacted whole.
const MAX_USERINFO = 1024;
const isSchemeChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9+.-]/.test(c);
/** Python's and pip's whitespace, one character at a time (no pattern in the hot loop). */
export const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

interface UrlSpan {
  /** Where `scheme://` starts, and where its `://` is. */
  start: number;
  colon: number;
  /** The '@' ending the user info (-1 when there is none) and the end of the authority. */
  atSign: number;
  end: number;
}

function* urlSpans(text: string): Generator<UrlSpan> {
  let done = 0;
  for (let colon = text.indexOf('://'); colon !== -1; colon = text.indexOf('://', done)) {
    let start = colon;
    while (start > done && colon - start < MAX_SCHEME && isSchemeChar(text[start - 1])) start--;
    // The user info ends at the last '@' before the host ends, as pip and urllib split it.
    let end = colon + 3;
    let atSign = -1;
    for (; end < text.length && text[end] !== '/' && !isSpace(text[end]); end++) if (text[end] === '@') atSign = end;
    yield { start, colon, atSign, end };
    done = end;
  }
}

/** True when the string holds a URL with a password in its user info. */
export function hasUriPassword(text: string): boolean {
  for (const { colon, atSign } of urlSpans(text)) {
    if (atSign === -1) continue;
    const sep = text.indexOf(':', colon + 3);
    if (sep !== -1 && sep < atSign - 1) return true;
  }
  return false;
}

// Credentials outside URLs: a libpq/ODBC keyword DSN's password (`host=db password=x`,
// `Server=db;Pwd=x`) and HTTP authorization values (`Basic dXNlcjpwdw==`, `Bearer eyJ...`).
// Each pattern is anchored on a word and scans forward once: linear on any input.
const KEYWORD_PASSWORD = /(?:^|[\s;])(?:password|passwd|pwd)\s*=\s*[^\s;]/i;
const AUTH_VALUE = /(?:^|[\s"'])(?:basic|bearer|token)\s+[A-Za-z0-9+/_.~-]{8,}/i;

/** True when the value holds a credential in any shape the tool knows: URL user info, DSN keyword, auth header. */
export function holdsCredential(text: string): boolean {
  return hasUriPassword(text) || KEYWORD_PASSWORD.test(text) || AUTH_VALUE.test(text);
}

/**
 * Redacts the user info of every URL in the text: `user:password@` keeps the user name, and a
 * lone user name or `token:@`, where tokens usually go, is redacted whole (pip hides it too).
 * ssh user names are account names (authentication is by key) and are kept.
 */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('://')) return text; // nearly every string: no generator to start
  let out = '';
  let done = 0;
  for (const { start, colon, atSign } of urlSpans(text)) {
    if (atSign === -1) continue;
    const head = text.slice(start, colon + 3);
    out += text.slice(done, start) + redactUserinfo(head, text.slice(colon + 3, atSign));
    done = atSign + 1;
  }
  return done === 0 ? text : out + text.slice(done);
}

function redactUserinfo(head: string, userinfo: string): string {
  if (userinfo.length <= MAX_USERINFO) {
    const sep = userinfo.indexOf(':');
    if (sep > 0 && sep < userinfo.length - 1 && !userinfo.includes('@')) return `${head}${userinfo.slice(0, sep)}:${REDACTED}@`;
    if (sep === -1 && /ssh:\/\/$/i.test(head) && !userinfo.includes('@')) return `${head}${userinfo}@`;
  }
  return `${head}${REDACTED}@`;
}

// Names whose values Airflow's secrets masker hides (airflow/utils/log/secrets_masker.py
// DEFAULT_SENSITIVE_FIELDS), matched as substrings of the lower-cased name as Airflow does.
const SENSITIVE_NAME_PARTS = [
  'access_token',
  'api_key',
  'apikey',
  'authorization',
  'passphrase',
  'passwd',
  'password',
  'private_key',
  'secret',
  'token',
  'keyfile_dict',
  'service_account',
];

export function isSensitiveName(name: string): boolean {
  const n = name.toLowerCase();
  return SENSITIVE_NAME_PARTS.some((p) => n.includes(p));
}

const SENSITIVE_PART = new RegExp(SENSITIVE_NAME_PARTS.join('|'), 'i');

/** Whether an ASCII name in `text` could be sensitive (see isSensitiveName): a quick test before looking for names. */
export const mentionsSensitiveName = (text: string): boolean => SENSITIVE_PART.test(text);

// Keyword names that carry credentials beyond the masker's list: access keys, key material,
// credential blobs and connection strings (Azure's hold an account key).
const CREDENTIAL_KEY = /(^|_)(key|access_key|access_key_id|credentials?|connection_string)$/i;

/** A name credentials go under (AWS_ACCESS_KEY_ID, STORAGE_KEY, GOOGLE_CREDENTIALS), beyond the masker's list. */
export const isCredentialKey = (name: string): boolean => CREDENTIAL_KEY.test(name);

/**
 * Whether a JSON object of keyword arguments (a secrets backend's backend_kwargs) holds a
 * credential: a non-empty value under a credential-like key, or a URI with a password, at any
 * depth. What does not parse as a JSON object may hold anything, so it counts as a secret.
 */
export function kwargsHoldSecret(json: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return json.trim() !== '';
  }
  if (!parsed || typeof parsed !== 'object') return json.trim() !== '';
  const holds = (value: unknown, key: string): boolean => {
    if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => holds(v, Array.isArray(value) ? key : k));
    const filled = value !== null && value !== undefined && value !== '' && value !== false;
    return filled && ((key !== '' && (isSensitiveName(key) || CREDENTIAL_KEY.test(key))) || (typeof value === "string" && holdsCredential(value)));
  };
  return holds(parsed, '');
}
