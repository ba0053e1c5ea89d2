import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    mkdirSync(dir, { recursive: true, mode: 0o700 });
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

// scheme://user:password@host — the password part, also in a URL inside a longer string.
const URI_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)([^\s@/]*)@/gi;

/** True when the string holds a URI with a password in its userinfo. */
export function hasUriPassword(text: string): boolean {
  URI_PASSWORD.lastIndex = 0;
  for (const m of text.matchAll(URI_PASSWORD)) if ((m[2] ?? '') !== '') return true;
  return false;
}

/** Replaces the password of every URI in the text with REDACTED. */
export function redactUriPasswords(text: string): string {
  return text.replace(URI_PASSWORD, (_all, head: string, pw: string) => (pw === '' ? `${head}@` : `${head}${REDACTED}@`));
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

// Keyword names that carry credentials beyond the masker's list: access keys, key material,
// credential blobs and connection strings (Azure's hold an account key).
const CREDENTIAL_KEY = /(^|_)(key|access_key|access_key_id|credentials?|connection_string)$/i;

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
    return filled && ((key !== '' && (isSensitiveName(key) || CREDENTIAL_KEY.test(key))) || (typeof value === 'string' && hasUriPassword(value)));
  };
  return holds(parsed, '');
}
