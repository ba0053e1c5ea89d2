import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES, FORMATS, goldenArgs, goldenFile, runCli } from '../golden/cases.mjs';
import { leakedCanaries, ROOT } from '../helpers.js';

// Every format on the fixture homes, through the real binary, against the golden files that
// `npm run gen:golden` writes. Also: no canary secret in any output, the JSON matches its schema.

type Run = Awaited<ReturnType<typeof runCli>>;
const cases = CASES;
const formats = Object.keys(FORMATS) as (keyof typeof FORMATS)[];
const runs = new Map<string, Run>();
const key = (home: string, format: string) => `${home} ${format}`;
const brokenArgs = (format: string) => ['report', 'fixtures/homes/broken', '--format', format, '--no-cache'];

beforeAll(async () => {
  const jobs = [
    ...cases.flatMap((c) => formats.map((format) => [key(c.home, format), goldenArgs(c, format)] as const)),
    ...formats.map((format) => [key('broken', format), brokenArgs(format)] as const),
  ];
  const results = await Promise.all(jobs.map(([, args]) => runCli(args)));
  jobs.forEach(([k], i) => runs.set(k, results[i]!));
});

describe.each(cases)('report fixtures/homes/$home', (c) => {
  it.each(formats)('--format %s matches its golden file (npm run gen:golden rewrites them)', (format) => {
    const run = runs.get(key(c.home, format))!;
    expect(run.stderr).toBe('');
    expect([0, 1]).toContain(run.code);
    const golden = readFileSync(goldenFile(c, format), 'utf8');
    // Compared as text first so that a failure shows a readable diff.
    expect(run.stdout, `rerun npm run gen:golden if this change is intended`).toBe(golden);
  });
});

it('leaks no canary secret in any format, on any fixture home', () => {
  expect(runs.size).toBe((cases.length + 1) * formats.length);
  for (const [k, run] of runs) expect(leakedCanaries(run.stdout + run.stderr), k).toEqual([]);
});

it('keeps the broken home readable in every format', () => {
  for (const format of formats) {
    const run = runs.get(key('broken', format))!;
    expect(run.stderr, format).toBe('');
    expect(run.stdout.length, format).toBeGreaterThan(0);
  }
});

it('writes JSON that matches schema/report.schema.json and names no machine path', () => {
  const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'report.schema.json'), 'utf8')));
  for (const home of [...cases.map((c) => c.home), 'broken']) {
    const out = runs.get(key(home, 'json'))!.stdout;
    const report = JSON.parse(out);
    expect(validate(report), `${home}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    expect(report.home).toBe(`fixtures/homes/${home}`);
    expect(report).not.toHaveProperty('timestamp');
    expect(out).not.toContain(ROOT);
  }
});

it('uses the same input fingerprint for the same home given another way', async () => {
  const absolute = await runCli(['report', join(ROOT, 'fixtures/homes/airflow3'), '--format', 'json', '--no-cache', '--timestamp']);
  const report = JSON.parse(absolute.stdout);
  const golden = JSON.parse(runs.get(key('airflow3', 'json'))!.stdout);
  expect(report.inputFingerprint).toBe(golden.inputFingerprint);
  expect(report.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  expect({ ...report, home: golden.home, timestamp: undefined }).toEqual({ ...golden, timestamp: undefined });
});
