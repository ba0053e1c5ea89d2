import { createHmac, randomBytes } from 'node:crypto';
import { REDACTED } from './inventory.js';

// A per-process salt: fingerprints compare equal within one scan (and one process), yet a
// fingerprint published in a report cannot be checked against a guessed password offline.
const SALT = randomBytes(32);

export function fingerprint(value: string): string {
  return 'hmac-sha256:' + createHmac('sha256', SALT).update(value, 'utf8').digest('hex').slice(0, 24);
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
