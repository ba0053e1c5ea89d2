import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, HOMES, ROOT } from '../helpers.js';
import { inRange } from '../../src/check/versions.js';
import { targetVersions } from '../../src/refdata/mwaa.js';
import { pythonSources, ruffCheck, type RuffDiagnostic } from '../oracle/ruff-oracle.js';

// ruff as the judge of fix: on the fixed copy of a home, ruff (its WebAssembly build, Airflow 3
// rules) no longer reports anything it could fix itself in the original, and reports nothing
// that was not already there: fix goes at least as far as ruff --fix, and breaks nothing ruff sees.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-fix-oracle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The newest Airflow MWAA runs, so that every ruff rule (3.1's moves too) applies. */
const NEWEST = targetVersions().map((v) => v.version).sort((a, b) => (inRange(a, `<${b}`) ? -1 : 1)).at(-1)!;

const say = (d: RuffDiagnostic) => `${d.file} ${d.code} ${d.name}`;

/** The Python files Airflow would load: what .airflowignore hides is neither scanned nor fixed (nor uploaded). */
function loaded(home: string): Set<string> {
  const inv = JSON.parse(cli(['scan', home, '--json', '--no-cache']).stdout) as { dagFiles: { path: string; zip: unknown }[]; plugins: { files: { path: string; zip: unknown }[] } };
  return new Set([...inv.dagFiles, ...inv.plugins.files].filter((f) => !f.zip).map((f) => f.path));
}

/** ruff's diagnostics on the files of `home` that `files` names (zip members, which ruff does not read, are left out). */
const diagnostics = (home: string, files: Set<string>) =>
  pythonSources(home)
    .filter((s) => files.has(s.file))
    .flatMap(ruffCheck);

describe.each([
  ['airflow1', join(HOMES, 'airflow1')],
  ['airflow2', join(HOMES, 'airflow2')],
  ['args-home', join(ROOT, 'test', 'fix', 'fixtures', 'args-home')],
  ['odd-home', join(ROOT, 'test', 'fix', 'fixtures', 'odd-home')],
])('fix --out on %s, judged by ruff', (name, home) => {
  const out = join(tmp, name);
  const run = cli(['fix', home, '--target-version', NEWEST, '--no-cache', '--out', out]);
  const files = loaded(home);
  const before = diagnostics(home, files);
  // The copy keeps the folders' layout: dags/x.py and plugins/x.py, as in every home here.
  const after = diagnostics(out, files);

  it('leaves none of the diagnostics ruff itself can fix', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(before.some((d) => d.fixable)).toBe(true);
    const left = new Set(after.map(say));
    expect(before.filter((d) => d.fixable && left.has(say(d))).map(say)).toEqual([]);
  });

  it('adds no diagnostic the original did not have', () => {
    const had = new Set(before.map(say));
    expect(after.filter((d) => !had.has(say(d))).map(say)).toEqual([]);
  });
});
