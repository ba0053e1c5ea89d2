import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateMarker, parseMarker, type MarkerEnv } from '../../src/home/markers.js';
import { cleanRequirements } from '../../src/plan/artifacts.js';
import { constraintsUrl, targetPython } from '../../src/refdata/mwaa.js';
import type { Inventory } from '../../src/home/inventory.js';
import { ROOT } from '../helpers.js';
import { requires, SHARED_REFERENCE } from '../support/requires.js';

// Issue 14, item 2: requirements are judged against the Python MWAA runs the target on.

describe('Python per target', () => {
  it.skipIf(!requires(import.meta.url, '../shared/reference')).each(['mwaa', 'constraints'])('rules/data/%s.json is what its generator makes from the reference', async (name) => {
    const gen = (await import(pathToFileURL(join(ROOT, 'rules/data/gen', `${name}.mjs`)).href)) as { output: string; generate(ref: string): unknown };
    const committed = JSON.parse(readFileSync(join(ROOT, 'rules/data', gen.output), 'utf8')) as unknown;
    expect(committed, 'run npm run gen:data').toEqual(gen.generate(SHARED_REFERENCE));
  });

  it("takes the runtime image's Python, and mwaa.yaml's where there is no image", () => {
    expect(targetPython('2.10.3')).toMatchObject({ python: '3.11', pythonFull: '3.11.9', pythonFrom: 'its runtime image' });
    expect(targetPython('2.11.0')).toMatchObject({ python: '3.12', pythonFull: '3.12.10' });
    expect(targetPython('3.3.1')).toMatchObject({ python: '3.12', pythonFull: '3.12.13' });
    expect(targetPython('2.8.1')).toMatchObject({ python: '3.11', pythonFull: null, pythonFrom: expect.stringMatching(/mwaa\.yaml.*no runtime image/) });
    expect(targetPython('9.9.9')).toBeNull();
  });

  it('names the constraints file of that Python, in the report and in the plan', () => {
    expect(constraintsUrl('2.10.3')).toBe('https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt');
    expect(constraintsUrl('2.11.0')).toMatch(/constraints-2\.11\.0\/constraints-3\.12\.txt$/);
    const inv = { requirements: { files: ['requirements.txt'], requirements: [] } } as unknown as Inventory;
    expect(cleanRequirements(inv, '3.0.6', '').text.split('\n')[0]).toBe(`--constraint "${constraintsUrl('3.0.6')}"`);
  });
});

describe('environment markers', () => {
  const env: MarkerEnv = { python_version: '3.12', python_full_version: '3.12.10' };
  const value = (marker: string, e: MarkerEnv = env) => {
    const tree = parseMarker(marker);
    if (typeof tree === 'string') throw new Error(tree);
    return evaluateMarker(tree, e);
  };

  it('compares Python versions as versions, from either side', () => {
    expect(value('python_version < "3.12"')).toBe(false);
    expect(value('python_version >= "3.9"')).toBe(true);
    expect(value('"3.13" <= python_version')).toBe(false);
    expect(value('python_version == "3.12.*"')).toBe(true);
    expect(value('python_full_version ~= "3.12.0"')).toBe(true);
    expect(value('python_version in "3.11 3.12"')).toBe(true);
    expect(value("python_version not in '3.12'")).toBe(false);
  });

  it('leaves what other variables decide undecided', () => {
    expect(value('sys_platform == "win32"')).toBeNull();
    expect(value('sys_platform == "linux" and python_version < "3.8"')).toBe(false);
    expect(value('(sys_platform == "linux" or python_version > "3.10") and extra == "x"')).toBeNull();
    expect(value('python_full_version < "3.12.5"', { python_version: '3.12' })).toBeNull();
  });

  it('says what is wrong with a marker it cannot read', () => {
    expect(parseMarker('python_version <')).toBe('invalid environment marker');
    expect(parseMarker('pyversion < "3"')).toMatch(/unknown marker variable/);
    expect(parseMarker('python_version < "3')).toMatch(/unterminated/);
  });
});
