import { describe, expect, it } from 'vitest';
import { hasUriPassword, holdsCredential, redactUrlCredentials } from '../../src/home/secrets.js';
import { stringValue } from '../../src/python/literal.js';

describe('URL credentials', () => {
  it.each([
    ['https://TOKENCANARY@pypi.example.com/simple', 'https://<redacted>@pypi.example.com/simple'],
    ['git+https://ghp_CANARY123@github.com/org/repo.git', 'git+https://<redacted>@github.com/org/repo.git'],
    ['https://TOKENCANARY:@host/simple', 'https://<redacted>@host/simple'],
    ['postgresql+psycopg2://airflow:PWCANARY@db:5432/airflow', 'postgresql+psycopg2://airflow:<redacted>@db:5432/airflow'],
    ['a mysql://u:PW1@h and redis://:PW2@r/0', 'a mysql://u:<redacted>@h and redis://<redacted>@r/0'],
    ['ssh://git@github.com/org/repo', 'ssh://git@github.com/org/repo'],
    ['https://example.com/a@b', 'https://example.com/a@b'],
    ['no url at all', 'no url at all'],
  ])('%s', (input, want) => {
    expect(redactUrlCredentials(input)).toBe(want);
    expect(redactUrlCredentials(input)).not.toMatch(/CANARY|PW\d/);
  });

  it('tells a password from a user name alone', () => {
    expect(hasUriPassword('postgresql://airflow:pw@db/airflow')).toBe(true);
    expect(hasUriPassword('postgresql://airflow@db/airflow')).toBe(false);
    expect(hasUriPassword('http://host:8080/path')).toBe(false);
  });

  it('stays linear on long runs of letters with and without a URL (these took minutes with a backtracking pattern)', () => {
    const run = 'a'.repeat(2_000_000);
    expect(redactUrlCredentials(run)).toBe(run);
    expect(hasUriPassword(run + '://u:p@h')).toBe(true);
    expect(redactUrlCredentials(`x://${run}:SECRET@h`)).toBe('x://<redacted>@h');
  });
});

describe('Python string literals decoded as CPython does', () => {
  it.each([
    [String.raw`"C:\users\me"`, String.raw`C:\users\me`],
    [String.raw`"\xZZ"`, String.raw`\xZZ`],
    [String.raw`"\U00110000"`, String.raw`\U00110000`],
    [String.raw`"\x41\u00e9\U0001F600\101\n"`, 'Aé😀A\n'],
    [String.raw`r"\x41"`, String.raw`\x41`],
  ])('%s', (token, want) => {
    expect(stringValue(token)).toBe(want);
  });
});

describe('credentials outside URLs', () => {
  it.each([
    ['host=db.internal port=5432 user=airflow password=PWCANARY dbname=airflow', true],
    ['Server=db;Database=airflow;Uid=sa;Pwd=PWCANARY;', true],
    ['Basic dXNlcjpQV0NBTkFSWQ==', true],
    ['{"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.CANARY"}', true],
    ['host=db.internal port=5432 user=airflow dbname=airflow', false],
    ['a basic setting', false],
  ])('%s', (value, secret) => {
    expect(holdsCredential(value)).toBe(secret);
  });
});
