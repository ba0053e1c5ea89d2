import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/fix/edits.js';
import { callsAt, keywordOf, offsetOf, removeItems } from '../../src/fix/locate.js';
import { parsePython } from '../../src/python/parser.js';

// Taking keyword arguments out of a call, one or several: the commas and lines left behind.

/** `text` with the keywords `names` of its first call removed. */
function without(text: string, ...names: string[]): string {
  const root = parsePython(text).root;
  const [call] = callsAt(root, offsetOf(text, 1, 1));
  const items = new Set(names.map((n) => keywordOf(call!, n)!));
  const fixed = applyEdits(text, removeItems(text, call!.childForFieldName('arguments')!, items));
  expect(parsePython(fixed).hasError).toBe(false);
  return fixed;
}

describe('removeItems', () => {
  it('takes an inline argument with the comma after it, or before it when last', () => {
    expect(without('f(a, b=1, c=2)\n', 'b')).toBe('f(a, c=2)\n');
    expect(without('f(a, b=1)\n', 'b')).toBe('f(a)\n');
    expect(without('f(b=1)\n', 'b')).toBe('f()\n');
  });

  it('takes side-by-side arguments as one run, leaving one comma right', () => {
    expect(without('f(a, b=1, c=2, d=3)\n', 'b', 'c')).toBe('f(a, d=3)\n');
    expect(without('f(a, b=1, c=2)\n', 'b', 'c')).toBe('f(a)\n');
    expect(without('f(a, b=1, c=2, d=3)\n', 'b', 'd')).toBe('f(a, c=2)\n');
  });

  it('takes an argument alone on its line with the line, its comment too', () => {
    expect(without('f(\n    a,\n    b=1,  # gone\n    c=2,\n)\n', 'b')).toBe('f(\n    a,\n    c=2,\n)\n');
    expect(without('f(\n    a,\n    b=1,\n)\n', 'b')).toBe('f(\n    a,\n)\n');
    expect(without('f(\n    a,\n    b=1\n)\n', 'b')).toBe('f(\n    a,\n)\n');
    expect(without('f(\n    b=1,\n)\n', 'b')).toBe('f()\n');
  });

  it('leaves no trailing blank when the argument ends a shared line', () => {
    expect(without("f('x', b=None,\n  c=2)\n", 'b')).toBe("f('x',\n  c=2)\n");
  });
});
