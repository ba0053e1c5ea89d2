import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../src/check/types.js';
import { BLOCKING_LISTED, blockingOf } from '../../src/plan/plan.js';
import { renderPlanText } from '../../src/plan/render.js';
import { planFor } from '../guide/harness.js';

// A plan counts every error finding but lists only the first few: a large home has tens of
// thousands, which report lists; the plan file and its text stay readable and quick to load.

const finding = (ruleId: string, severity: Severity, i: number): Finding => ({
  ruleId,
  family: ruleId.slice(0, 3),
  severity,
  title: 't',
  file: `dags/f${i}.py`,
  line: i + 1,
  col: 1,
  text: 'x',
  message: `${ruleId} message ${i}`,
  fix: '',
  docs: '',
});

describe('blocking findings in a plan', () => {
  const findings = [
    ...Array.from({ length: 30 }, (_, i) => finding('ARG001', 'error', i)),
    ...Array.from({ length: 25 }, (_, i) => finding('CFG002', 'warning', i)),
    ...Array.from({ length: 90 }, (_, i) => finding('IMP001', 'error', 100 + i)),
    finding('REQ012', 'error', 500),
  ];

  it('counts every error finding by rule and lists the first ones in the check order', () => {
    const b = blockingOf(findings);
    expect(b.total).toBe(121);
    expect(b.byRule).toEqual([
      { ruleId: 'IMP001', count: 90 },
      { ruleId: 'ARG001', count: 30 },
      { ruleId: 'REQ012', count: 1 },
    ]);
    expect(b.listed).toHaveLength(BLOCKING_LISTED);
    expect(b.listed[0]).toEqual({ ruleId: 'ARG001', file: 'dags/f0.py', line: 1, message: 'ARG001 message 0' });
    expect(b.listed.at(-1)!.ruleId).toBe('IMP001');
    expect(b.listed.some((f) => f.ruleId === 'CFG002')).toBe(false);
  });

  it('shows the count, the rules, the listed ones and how many more the report has', () => {
    const text = renderPlanText({ ...planFor('/home/x'), blocking: blockingOf(findings) });
    expect(text).toContain('Blocking findings (121; fix them before apply, see mwaa-migrate report):');
    expect(text).toContain('  by rule: IMP001 90, ARG001 30, REQ012 1');
    expect(text).toContain('  ARG001 dags/f0.py:1: ARG001 message 0');
    expect(text).toContain(`  ... and ${121 - BLOCKING_LISTED} more (mwaa-migrate report lists every one)`);
    expect(text.match(/^ {2}(ARG|IMP|REQ)\d+ dags\//gm)).toHaveLength(BLOCKING_LISTED);
  });

  it('lists a short set whole, with no line about more', () => {
    const b = blockingOf(findings.slice(0, 3));
    expect(b).toMatchObject({ total: 3, byRule: [{ ruleId: 'ARG001', count: 3 }] });
    const text = renderPlanText({ ...planFor('/home/x'), blocking: b });
    expect(text).not.toMatch(/by rule|more \(/);
  });
});
