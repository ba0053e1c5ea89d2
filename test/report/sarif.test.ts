import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { CASES, goldenFile } from '../golden/cases.mjs';

// The SARIF goldens (which golden.test.ts proves equal to today's output) against the SARIF
// 2.1.0 JSON Schema and Microsoft's validator, with its GitHub code-scanning rules.

// sarif-schema-2.1.0.json is the schema @microsoft/sarif-multitool-linux 5.7.0 ships as
// sarif-2.1.0.json (the OASIS schema, declared as JSON Schema 2020-12), vendored so that the
// test does not depend on where that package keeps it.
const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);

const multitool = createRequire(import.meta.url)('@microsoft/sarif-multitool-linux') as string;
// Findings about an option that is not set have no line: their locations name airflow.cfg
// without a region, which SARIF2017 would like to see. The tool has no web page yet for
// informationUri (SARIF2005). WRN999 only says that SARIF2006 (which fetches every helpUri) is
// off, as it must be without a network.
const JUSTIFIED = new Set(['SARIF2017', 'SARIF2005', 'WRN999']);

describe.each(CASES)('fixtures/homes/$home report.sarif', (c) => {
  const file = goldenFile(c, 'sarif');
  const log = JSON.parse(readFileSync(file, 'utf8'));

  it('is valid against the SARIF 2.1.0 schema', () => {
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(log.version).toBe('2.1.0');
  });

  it('maps severities to levels and keeps rule indexes right', () => {
    const run = log.runs[0];
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
      for (const loc of result.locations ?? []) {
        const { artifactLocation, region } = loc.physicalLocation;
        expect(artifactLocation.uriBaseId).toBe('AIRFLOW_HOME');
        expect(artifactLocation.uri).not.toMatch(/^\//);
        if (region) expect(region.startLine).toBeGreaterThan(0);
      }
    }
    expect(new Set(run.results.map((r: { partialFingerprints: Record<string, string> }) => Object.values(r.partialFingerprints)[0])).size).toBe(run.results.length);
  });

  it.skipIf(!existsSync(multitool))('passes Sarif.Multitool validate (SARIF and GitHub rules) with no errors and no unjustified warnings', () => {
    const config = join(import.meta.dirname, 'sarif-validate.xml');
    const r = spawnSync(multitool, ['validate', file, '--config', config, '--rule-kind', 'Sarif;Gh', '--level', 'Error;Warning'], { encoding: 'utf8' });
    expect(r.stdout).toContain('Analysis completed successfully');
    const issues = [...r.stdout.matchAll(/: (error|warning) ([A-Z]+\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(issues.filter((i) => i.startsWith('error'))).toEqual([]);
    expect(issues.filter((i) => !JUSTIFIED.has(i.split(' ')[1]!))).toEqual([]);
  });
});
