import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

// Fernet decryption (https://github.com/fernet/spec/blob/master/Spec.md), enough to read what
// Airflow's metadata database encrypts with [core] fernet_key. Errors never quote a key or a
// token: both are secrets.

/** A wrong key, a malformed key, or a token that is not a Fernet token. */
export class FernetError extends Error {}

interface Key {
  signing: Buffer;
  encryption: Buffer;
}

const VERSION = 0x80;
// version (1) + timestamp (8) + IV (16) + at least one AES block (16) + HMAC (32)
const MIN_TOKEN = 1 + 8 + 16 + 16 + 32;

/** urlsafe base64 as Python's base64.urlsafe_b64decode takes it (padding optional here). */
function b64url(text: string): Buffer | null {
  const t = text.trim();
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(t)) return null;
  return Buffer.from(t.replace(/=+$/, ''), 'base64url');
}

function parseKey(text: string, position: number, count: number): Key {
  const raw = b64url(text);
  if (!raw || raw.length !== 32) {
    const which = count > 1 ? `key ${position} of the comma-separated fernet_key` : 'the fernet_key';
    throw new FernetError(`${which} is not 32 url-safe base64-encoded bytes`);
  }
  return { signing: raw.subarray(0, 16), encryption: raw.subarray(16) };
}

function decryptWith(key: Key, token: Buffer): Buffer | null {
  const mac = token.subarray(token.length - 32);
  const signed = token.subarray(0, token.length - 32);
  const expected = createHmac('sha256', key.signing).update(signed).digest();
  if (!timingSafeEqual(mac, expected)) return null;
  const iv = token.subarray(9, 25);
  const ciphertext = token.subarray(25, token.length - 32);
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) return null;
  try {
    const decipher = createDecipheriv('aes-128-cbc', key.encryption, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return null; // bad PKCS7 padding: authenticated, yet not a valid token
  }
}

/**
 * Airflow's get_fernet(): a MultiFernet over the comma-separated keys of [core] fernet_key,
 * each tried in order (the first is the current key, the rest are being rotated out).
 */
export class MultiFernet {
  private readonly keys: Key[];

  constructor(fernetKey: string) {
    const parts = fernetKey.split(',').filter((p) => p.trim() !== '');
    if (parts.length === 0) throw new FernetError('the fernet_key is empty');
    this.keys = parts.map((p, i) => parseKey(p, i + 1, parts.length));
  }

  /** The plaintext of a token (UTF-8), or FernetError when no key opens it. No TTL, as Airflow. */
  decrypt(token: string): string {
    const raw = b64url(token);
    if (!raw || raw.length < MIN_TOKEN || raw[0] !== VERSION) throw new FernetError('not a Fernet token');
    for (const key of this.keys) {
      const plain = decryptWith(key, raw);
      if (plain) return plain.toString('utf8');
    }
    throw new FernetError(this.keys.length > 1 ? 'none of the fernet_key keys decrypts it' : 'the fernet_key does not decrypt it');
  }
}
