import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { yamlTable } from '../../src/refdata/yaml-table.js';
import { ROOT } from '../helpers.js';

// A hand-kept YAML table is parsed once per content and kept as JSON in the cache folder: later
// commands read the JSON (the YAML parser is not loaded), and a kept copy that cannot be read is
// parsed again from the YAML.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-yaml-table-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NAME = 'mwaa-infrastructure.yaml';
const parsed = parse(readFileSync(join(ROOT, 'rules', 'data', NAME), 'utf8')) as unknown;

describe('yamlTable', () => {
  it('gives what the YAML says, and keeps it as JSON in the cache folder', () => {
    const dir = join(tmp, 'fresh');
    expect(yamlTable(NAME, dir)()).toEqual(parsed);
    const kept = readdirSync(dir);
    expect(kept).toEqual([expect.stringMatching(/^data-[0-9a-f]{32}\.json$/)]);
    expect(JSON.parse(readFileSync(join(dir, kept[0]!), 'utf8'))).toEqual(parsed);
  });

  it('reads the kept JSON rather than the YAML, and parses the YAML again when the JSON is broken', () => {
    const dir = join(tmp, 'kept');
    yamlTable(NAME, dir)();
    const file = join(dir, readdirSync(dir)[0]!);
    writeFileSync(file, JSON.stringify({ groups: [{ what: 'from the cache' }] }));
    expect(yamlTable<{ groups: { what: string }[] }>(NAME, dir)().groups[0]!.what).toBe('from the cache');
    writeFileSync(file, '{ cut sho');
    expect(yamlTable(NAME, dir)()).toEqual(parsed);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(parsed);
  });

  it('works without a writable cache folder', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    expect(yamlTable(NAME, join(file, 'below'))()).toEqual(parsed);
  });
});
