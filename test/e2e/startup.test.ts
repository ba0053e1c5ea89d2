import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import wrapAnsi from 'wrap-ansi';
import { afterAll, describe, expect, it } from 'vitest';
import { usage } from '../../src/commands/help.js';
import { targetVersions } from '../../src/refdata/mwaa.js';
import { BIN, ROOT } from '../helpers.js';

// Start-up: --version and --help load no command's dependencies (each command is imported only
// when asked for), so they answer about as fast as Node starts.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A module loader hook that writes down every module the CLI loads.
const hooks = join(tmp, 'hooks.mjs');
writeFileSync(hooks, `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.TRACE_FILE, url + '\\n');
  return next(url, context);
}
`);
const register = join(tmp, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);

function loadedBy(...args: string[]): string[] {
  const trace = join(tmp, `${args.join('_')}.txt`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, '--', BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env['PATH'], TRACE_FILE: trace } });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(trace, 'utf8').trim().split('\n');
}

describe('start-up', () => {
  for (const arg of ['--version', '--help']) {
    it(`${arg} loads no package and no command`, () => {
      const loaded = loadedBy(arg);
      expect(loaded.filter((url) => url.includes('/node_modules/'))).toEqual([]);
      const ours = loaded.filter((url) => url.includes('/dist/')).map((url) => url.replace(/.*\/dist\//, ''));
      expect(ours.filter((m) => m.startsWith('commands/') && m !== 'commands/io.js' && m !== 'commands/help.js')).toEqual([]);
      expect(ours).not.toContain('sizing/sizing.js');
      expect(ours).not.toContain('check/versions.js');
    });
  }

  for (const command of ['plan', 'apply', 'migrate', 'secrets']) {
    it(`${command} --help loads no AWS SDK (the commands load it once their flags are right)`, () => {
      expect(loadedBy(command, '--help').filter((url) => /@aws-sdk|@smithy/.test(url))).toEqual([]);
    });
  }

  it("keeps V8's compiled code under an existing cache folder, and makes no cache folder of its own", () => {
    const run = (caches: string) => spawnSync(process.execPath, ['--', BIN, 'scan', '--help'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env['PATH'], XDG_CACHE_HOME: caches } });
    const existing = join(tmp, 'caches');
    mkdirSync(existing);
    expect(run(existing).status).toBe(0);
    expect(readdirSync(join(existing, 'mwaa-migrate', 'compile')).length).toBeGreaterThan(0);
    const missing = join(tmp, 'no-caches');
    expect(run(missing).status).toBe(0);
    expect(existsSync(missing)).toBe(false);
  });

  it('wraps the MWAA versions in the usage text as wrap-ansi would', () => {
    const list = targetVersions().map((v) => v.version).join(', ');
    expect(usage()).toContain(`one of:\n${wrapAnsi(list, 70).replace(/^/gm, ' '.repeat(27))}\n  --region`);
  });
});
