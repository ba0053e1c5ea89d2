import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REDACTED, type Inventory } from '../../src/home/inventory.js';
import { scanHome } from '../../src/home/scan.js';
import { redactCfg, redactCode, redactEnvLine, readSources } from '../../src/report/excerpts.js';
import { inputFingerprint } from '../../src/report/model.js';
import { HOMES } from '../helpers.js';

// What the report quotes from a home, and what it must never quote.

describe('redaction', () => {
  it('hides literals under credential-like names and URL passwords in code', () => {
    expect(redactCode('    password="hunter2",')).toBe(`    password="${REDACTED}",`);
    expect(redactCode(`conf = {"api_key": 'abc', "host": "h"}`)).toBe(`conf = {"api_key": '${REDACTED}', "host": "h"}`);
    expect(redactCode('AUTH_TOKEN = f"{x}-secret"')).toBe(`AUTH_TOKEN = f"${REDACTED}"`);
    expect(redactCode('url = "postgres://u:pw@db/x"')).toBe(`url = "postgres://u:${REDACTED}@db/x"`);
    expect(redactCode('if password == "":')).toBe('if password == "":');
    expect(redactCode('task_id="load", retries=3')).toBe('task_id="load", retries=3');
    // Names in any case, as Airflow's masker lower-cases them.
    expect(redactCode(`DB_PassWord = 'x'; ApiKey="y"`)).toBe(`DB_PassWord = '${REDACTED}'; ApiKey="${REDACTED}"`);
    expect(redactCode(`creds = {"PRIVATE_KEY": "k"}`)).toBe(`creds = {"PRIVATE_KEY": "${REDACTED}"}`);
  });

  it('hides secret airflow.cfg values, their continuation lines and commented-out copies', () => {
    const cfg = [
      '[core]',
      'dags_folder = /opt/dags',
      'fernet_key = abc=',
      '# sql_alchemy_conn = postgres://u:pw@db/x',
      '[secrets]',
      'backend_kwargs = {',
      '    "token": "t"}',
      'backend = x',
      '[custom]',
      'my_option = keep',
      'opaque = %(fernet)s',
    ];
    expect(redactCfg(cfg, new Set(['custom.opaque']))).toEqual([
      '[core]',
      'dags_folder = /opt/dags',
      `fernet_key = ${REDACTED}`,
      `# sql_alchemy_conn = ${REDACTED}`,
      '[secrets]',
      `backend_kwargs = ${REDACTED}`,
      `    ${REDACTED}`,
      'backend = x',
      '[custom]',
      'my_option = keep',
      `opaque = ${REDACTED}`,
    ]);
  });

  it('shows only the names in env files', () => {
    expect(redactEnvLine('AIRFLOW_CONN_X=postgres://u:pw@h/db')).toBe(`AIRFLOW_CONN_X=${REDACTED}`);
    expect(redactEnvLine('export AIRFLOW_VAR_Y = "v"')).toBe(`export AIRFLOW_VAR_Y=${REDACTED}`);
    expect(redactEnvLine('# password was hunter2')).toBe(REDACTED);
    expect(redactEnvLine('')).toBe('');
  });
});

describe('readSources', async () => {
  const home = join(HOMES, 'airflow2');
  const envFile = join(home, '.env');
  const inv = await scanHome(home, { cache: false, envFile });
  it('quotes the line and one around it, never inside a zip, never a line 0', () => {
    const zipped = inv.dagFiles.find((f) => f.zip)!.path;
    const sources = readSources(inv);
    const lines = sources.excerpt('dags/sftp_exports.py', 59)!;
    expect(lines.map((l) => l.line)).toEqual([58, 59, 60]);
    expect(lines[1]!.text).toContain(`password="${REDACTED}"`);
    expect(sources.excerpt(zipped, 3)).toBeUndefined();
    expect(sources.excerpt('airflow.cfg', 0)).toBeUndefined();
    expect(sources.excerpt('dags/sftp_exports.py', 100_000)).toBeUndefined();
    // Read again after other files pushed it out of the few kept open: the same lines.
    for (const f of inv.dagFiles.filter((d) => !d.zip)) sources.excerpt(f.path, 1);
    expect(sources.excerpt('dags/sftp_exports.py', 59)).toEqual(lines);
  });

  it('reads lines the way Python does: \\n, \\r\\n and a lone \\r end a line, a BOM is not text', () => {
    const home = mkdtempSync(join(tmpdir(), 'excerpt-newlines-'));
    mkdirSync(join(home, 'dags'));
    writeFileSync(join(home, 'dags', 'mixed.py'), '\uFEFFa = 1\r\nb = 2\rc = 3\n\nd = 4\n');
    const mixed: Inventory = { ...inv, home, dagFiles: [{ ...inv.dagFiles[0]!, path: 'dags/mixed.py', zip: null }], plugins: { ...inv.plugins, files: [] } };
    const sources = readSources(mixed);
    expect(sources.excerpt('dags/mixed.py', 1)).toEqual([{ line: 1, text: 'a = 1' }, { line: 2, text: 'b = 2' }]);
    expect(sources.excerpt('dags/mixed.py', 4)!.map((l) => l.text)).toEqual(['c = 3', '', 'd = 4']);
    // The text after the last newline is a line of its own (empty here), as split gives it.
    expect(sources.excerpt('dags/mixed.py', 6)).toEqual([{ line: 5, text: 'd = 4' }, { line: 6, text: '' }]);
    expect(sources.excerpt('dags/mixed.py', 7)).toBeUndefined();
  });

  it('quotes an env-file line with every value redacted', () => {
    expect(inv.connections.find((c) => c.connId === 'my_postgres')!.source).toMatchObject({ file: '.env', line: 11 });
    expect(readSources(inv).excerpt('.env', 11)!.map((l) => l.text)).toEqual([REDACTED, `AIRFLOW_CONN_MY_POSTGRES=${REDACTED}`, `AIRFLOW_CONN_PARTNER_API=${REDACTED}`]);
  });

  it('fingerprints the input without secret fingerprints or the home path', () => {
    const other = structuredClone(inv);
    other.home = '/somewhere/else';
    for (const s of other.secrets) s.fingerprint = 'hmac-sha256:other-key';
    for (const c of other.connections) c.fingerprint = 'hmac-sha256:other-key';
    for (const o of other.config.options) if (o.fingerprint) o.fingerprint = 'hmac-sha256:other-key';
    expect(inputFingerprint(other)).toBe(inputFingerprint(inv));
    other.dagFiles[0]!.sha256 = '0'.repeat(64);
    expect(inputFingerprint(other)).not.toBe(inputFingerprint(inv));
  });
});
