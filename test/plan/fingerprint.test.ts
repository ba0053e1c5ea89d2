import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/check/types.js';
import { findingsFingerprint } from '../../src/plan/plan.js';

// The plan's hash over the check's findings: what matched where, in any order, not how it is worded.

const f = (ruleId: string, file: string, line: number, text = 'x', message = 'm'): Finding => ({
  ruleId,
  family: ruleId.slice(0, 3),
  severity: 'error',
  title: 't',
  file,
  line,
  col: 1,
  text,
  message,
  fix: '',
  docs: '',
});

describe('findingsFingerprint', () => {
  const findings = [f('IMP001', 'dags/b.py', 3), f('ARG001', 'dags/a.py', 10), f('IMP001', 'dags/B.py', 3), f('CFG001', 'airflow.cfg', 1, 'ünï')];

  it('is the same in any order and whatever the wording', () => {
    const fp = findingsFingerprint(findings);
    expect(fp).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(findingsFingerprint([...findings].reverse())).toBe(fp);
    expect(findingsFingerprint(findings.map((x) => ({ ...x, message: 'reworded', fix: 'other' })))).toBe(fp);
  });

  it('changes when a finding moves, goes or matches other text', () => {
    const fp = findingsFingerprint(findings);
    expect(findingsFingerprint([...findings.slice(1), f('IMP001', 'dags/b.py', 4)])).not.toBe(fp);
    expect(findingsFingerprint(findings.slice(1))).not.toBe(fp);
    expect(findingsFingerprint([...findings.slice(1), f('IMP001', 'dags/b.py', 3, 'y')])).not.toBe(fp);
  });
});
