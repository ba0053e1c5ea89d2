import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal, runIdentity } from '../../src/aws/journal.js';

// The journal after a kill: a torn last line is not a step done, and does not tear the next one.

const dir = mkdtempSync(join(tmpdir(), 'journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('journal', () => {
  it('drops a torn last line and starts the next write on a line of its own', () => {
    const file = join(dir, 'plan.json.journal.jsonl');
    writeFileSync(file, '{"step":"delete-object","key":"dags/a.py"}\n{"step":"delete-object","ke');
    const j = new Journal(file);
    expect(j.all('delete-object').map((e) => e.key)).toEqual(['dags/a.py']);
    j.recordAll([{ step: 'delete-object', key: 'dags/b.py' }]);
    j.record({ step: 'delete-object', key: 'dags/c.py' });
    expect(new Journal(file).all('delete-object').map((e) => e.key)).toEqual(['dags/a.py', 'dags/b.py', 'dags/c.py']);
    expect(readFileSync(file, 'utf8').endsWith('"dags/c.py"}\n')).toBe(true);
  });

  it("trusts only its own run's journal: another plan's or endpoint's is set aside, never reused", () => {
    const file = join(dir, 'shared.json.journal.jsonl');
    const mine = runIdentity({ plan: { home: 'a', bucket: 'b1' }, endpoints: ['http://127.0.0.1:1'] });
    const other = runIdentity({ plan: { home: 'a', bucket: 'b1' }, endpoints: ['http://127.0.0.1:2'] });
    expect(mine).not.toBe(other);
    const first = new Journal(file, other);
    first.record({ step: 'ensure-bucket', bucket: 'b1' });
    const again = new Journal(file, other);
    expect([again.setAside, again.find('ensure-bucket', () => true)?.bucket]).toEqual([null, 'b1']);
    const fresh = new Journal(file, mine);
    expect(fresh.find('ensure-bucket', () => true)).toBeUndefined();
    expect(fresh.setAside).not.toBeNull();
    expect(readFileSync(fresh.setAside!, 'utf8')).toContain('"ensure-bucket"');
    // A journal from before identities (no first line naming its run) is not trusted either.
    const legacy = join(dir, 'legacy.json.journal.jsonl');
    writeFileSync(legacy, '{"step":"ensure-bucket","bucket":"b1"}\n');
    const j = new Journal(legacy, mine);
    expect(j.find('ensure-bucket', () => true)).toBeUndefined();
    expect(existsSync(j.setAside!)).toBe(true);
  });
});
