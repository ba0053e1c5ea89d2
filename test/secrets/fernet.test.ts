import { beforeAll, describe, expect, it } from 'vitest';
import { FernetError, MultiFernet } from '../../src/secrets/fernet.js';
import { requires } from '../support/requires.js';
import { fixtureCanaries, makeFixture, type Fixture } from './fixture.js';

// Tokens made by Python's cryptography Fernet, opened by ours.

const ready = requires(import.meta.url, 'python3 with cryptography');
let f: Fixture;
beforeAll(() => {
  f = makeFixture();
});

const token = (key: string) => f.tokens.find((t) => t.key === key)!;

describe.skipIf(!ready)('Fernet decryption', () => {
  it('decrypts a token made with the key (UTF-8 text)', () => {
    expect(new MultiFernet(f.keys.current).decrypt(token('current').token)).toBe(token('current').plaintext);
  });

  it('MultiFernet tries each key in order, as Airflow with a rotated fernet_key', () => {
    const multi = new MultiFernet(f.fernet_key);
    expect(multi.decrypt(token('current').token)).toBe(token('current').plaintext);
    expect(multi.decrypt(token('rotated').token)).toBe(''); // an empty plaintext is still a token
    expect(new MultiFernet(`${f.keys.rotated},${f.keys.current}`).decrypt(token('current').token)).toBe(token('current').plaintext);
  });

  it('a key without base64 padding or with spaces around is still the key', () => {
    expect(new MultiFernet(` ${f.keys.current.replace(/=+$/, '')} `).decrypt(token('current').token)).toBe(token('current').plaintext);
  });

  it('wrong key, tampered token, not a token, bad key: a typed error quoting neither key nor token', () => {
    const errors: unknown[] = [];
    const attempt = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        errors.push(e);
      }
    };
    attempt(() => new MultiFernet(f.fernet_key).decrypt(token('lost').token));
    attempt(() => new MultiFernet(f.keys.current).decrypt(token('rotated').token));
    const t = token('current').token;
    const flipped = t.slice(0, 40) + (t[40] === 'A' ? 'B' : 'A') + t.slice(41);
    attempt(() => new MultiFernet(f.keys.current).decrypt(flipped));
    attempt(() => new MultiFernet(f.keys.current).decrypt('CANARY_SM_not_a_token'));
    attempt(() => new MultiFernet(f.keys.current).decrypt(''));
    attempt(() => new MultiFernet('CANARY_SM_short_key'));
    attempt(() => new MultiFernet(''));
    expect(errors).toHaveLength(7);
    for (const e of errors) expect(e).toBeInstanceOf(FernetError);
    expect((errors as Error[]).map((e) => e.message)).toEqual([
      'none of the fernet_key keys decrypts it',
      'the fernet_key does not decrypt it',
      'the fernet_key does not decrypt it',
      'not a Fernet token',
      'not a Fernet token',
      'the fernet_key is not 32 url-safe base64-encoded bytes',
      'the fernet_key is empty',
    ]);
    const text = (errors as Error[]).map((e) => `${e.message} ${e.stack}`).join('\n');
    expect([...fixtureCanaries(f), 'CANARY_SM_not_a_token', 'CANARY_SM_short_key', ...f.tokens.map((x) => x.token)].filter((c) => text.includes(c))).toEqual([]);
  });
});
