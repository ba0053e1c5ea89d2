import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/aws/journal.js';

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
});
