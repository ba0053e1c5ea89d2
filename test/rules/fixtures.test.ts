import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCatalog, RULES_DIR } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { analysisInterest } from '../../src/check/interest.js';
import { scanHome } from '../../src/home/scan.js';

// Every rule has a failing and a passing fixture (rules/fixtures/<ID>/fail and /pass, each a
// small Airflow home) and rules/fixtures/<ID>/expect.yaml:
//   target: 3.0.6            # optional target version (default: MWAA's newest)
//   airflowVersion: 2.7.2    # optional: the version the scan is told the home runs
//   envFile: .env            # optional, relative to the fixture home
//   fail: [{ file: dags/x.py, line: 3 }, ...]   # exactly this rule's findings in fail/
// pass/ must give none of this rule's findings.

interface Expect {
  target?: string;
  airflowVersion?: string;
  envFile?: string;
  fail: { file: string; line: number }[];
}

const catalog = loadCatalog();
// Scanned as the CLI scans: keeping only the context reads and method calls the rules look for.
const interest = analysisInterest(catalog);
const FIXTURES = join(RULES_DIR, 'fixtures');

async function findingsOf(id: string, home: string, e: Expect) {
  const inv = await scanHome(home, {
    cache: false,
    workers: 0,
    interest,
    airflowVersion: e.airflowVersion,
    envFile: e.envFile && existsSync(join(home, e.envFile)) ? join(home, e.envFile) : undefined,
  });
  const result = check(inv, catalog, { target: e.target, select: [id] });
  return result.findings.filter((f) => f.ruleId === id);
}

describe.each(catalog.rules.map((r) => r.id))('rule %s', (id) => {
  const dir = join(FIXTURES, id);
  it('has a failing fixture, a passing fixture and expectations', () => {
    expect(existsSync(join(dir, 'fail')), `${dir}/fail`).toBe(true);
    expect(existsSync(join(dir, 'pass')), `${dir}/pass`).toBe(true);
    expect(existsSync(join(dir, 'expect.yaml')), `${dir}/expect.yaml`).toBe(true);
  });
  if (!existsSync(join(dir, 'expect.yaml'))) return;
  const e = parse(readFileSync(join(dir, 'expect.yaml'), 'utf8')) as Expect;

  it('finds exactly the expected places in the failing fixture', async () => {
    expect(e.fail.length).toBeGreaterThan(0);
    const got = await findingsOf(id, join(dir, 'fail'), e);
    expect(got.map((f) => `${f.file}:${f.line}`).sort()).toEqual(e.fail.map((f) => `${f.file}:${f.line}`).sort());
    for (const f of got) expect(f.message, 'message placeholders are all filled').not.toMatch(/\{\w+\}/);
  });

  it('finds nothing in the passing fixture', async () => {
    expect(await findingsOf(id, join(dir, 'pass'), e)).toEqual([]);
  });
});
