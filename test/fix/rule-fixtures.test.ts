import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCatalog, RULES_DIR } from '../../src/check/catalog.js';
import { cli } from '../helpers.js';

// Every rule that says it has a fix, on its own failing fixture: fix applies the rule's fixes
// (the unsafe ones with --unsafe-fixes), after which report finds nothing of the rule that fix did
// not list as left by hand, with its reason.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-rule-fix-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fixable = loadCatalog().rules.filter((r) => r.fixable);

describe.each(fixable.map((r) => [r.id, r] as const))('fix on rules/fixtures/%s/fail', (id, rule) => {
  const dir = join(RULES_DIR, 'fixtures', id);
  const expected = parse(readFileSync(join(dir, 'expect.yaml'), 'utf8')) as { target: string; airflowVersion?: string };
  const flags = ['--target-version', expected.target, '--no-cache', ...(expected.airflowVersion ? ['--airflow-version', expected.airflowVersion] : [])];
  const out = join(tmp, id);

  it('fixes the rule\'s findings, leaving only what it lists as left by hand', () => {
    // With the import fixes, as a user runs it: Variable.get's default_var goes with the import's move to airflow.sdk.
    const fixed = cli(['fix', join(dir, 'fail'), ...flags, '--select', `${id},IMP`, '--out', out, ...(rule.fixable === 'unsafe' ? ['--unsafe-fixes'] : [])]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toMatch(/^mwaa-migrate: [1-9]\d* fix/);
    const report = cli(['report', out, ...flags, '--select', id, '--format', 'json', '--fail-on', 'never']);
    const left = (JSON.parse(report.stdout) as { findings: { file: string; line: number; text: string }[] }).findings;
    const byHand = fixed.stderr.split('\n').filter((l) => l.startsWith('  '));
    const explained = (f: { file: string; text: string }) => byHand.some((l) => l.startsWith(`  ${f.file}:`) && l.includes(` ${id} ${f.text}: `));
    const unsafe = (f: { text: string }) => rule.unsafeFixes?.includes(f.text) ?? false;
    expect(left.filter((f) => !explained(f) && !unsafe(f))).toEqual([]);
  });
});
