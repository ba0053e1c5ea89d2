import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/fix/edits.js';
import { fixImports } from '../../src/fix/imports.js';
import { parsePython } from '../../src/python/parser.js';

// The import fixer on its own: given where each name goes, the edits it makes and the ones it refuses.

const MOVES: Record<string, string> = {
  'old.a.A': 'new.x.A',
  'old.a.B': 'new.y.Bee',
  'old.a.C': 'new.x.C',
};

function fix(text: string) {
  const result = fixImports(parsePython(text).root, text, (_line, _col, name) => MOVES[name]);
  return { ...result, after: applyEdits(text, result.edits) };
}

describe('fixImports', () => {
  it('rewrites the module span alone when every name goes to one module', () => {
    expect(fix('from old.a import (A,  # keep\n    C as see)\n').after).toBe('from new.x import (A,  # keep\n    C as see)\n');
  });

  it('splits a statement whose names go to different modules, keeping the local names and the indentation', () => {
    const r = fix('if x:\n    from old.a import A, B, D as d  # trailing\n');
    expect(r.after).toBe('if x:\n    from new.x import A\n    from new.y import Bee as B\n    from old.a import D as d  # trailing\n');
    expect([...r.fixed]).toEqual(['2:23', '2:26']);
  });

  it('keeps Windows line ends when it splits', () => {
    expect(fix('from old.a import A, B\r\nx = 1\r\n').after).toBe('from new.x import A\r\nfrom new.y import Bee as B\r\nx = 1\r\n');
  });

  it('refuses to split a statement that holds comments, and says why', () => {
    const text = 'from old.a import (\n    A,  # first\n    B,\n)\n';
    const r = fix(text);
    expect(r.after).toBe(text);
    expect(r.skipped.map((s) => [s.line, s.name])).toEqual([[2, 'old.a.A'], [3, 'old.a.B']]);
    expect(r.skipped[0]!.reason).toMatch(/comments a split would lose/);
  });

  it('leaves relative imports, `import module` and names without a move alone', () => {
    const text = 'from .old.a import A\nimport old.a\nfrom old.a import D\n';
    expect(fix(text).edits).toEqual([]);
  });
});

describe('applyEdits', () => {
  it('composes edits in any order and refuses overlapping ones', () => {
    expect(applyEdits('abcdef', [{ start: 4, end: 5, text: 'E' }, { start: 0, end: 1, text: 'AA' }])).toBe('AAbcdEf');
    expect(() => applyEdits('abcdef', [{ start: 0, end: 3, text: '' }, { start: 2, end: 4, text: '' }])).toThrow(/overlapping/);
  });
});
