import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { loadMwaaModel } from '../support/api-model.js';
import { requires, SHARED_REFERENCE } from '../support/requires.js';

// The committed tables preflight reads are what their generators make from the reference today.
it.skipIf(!requires(import.meta.url, '../shared/reference')).each(['mwaa-api-model', 'mwaa-preflight'])('rules/data/%s.json is what its generator makes from the reference', async (name) => {
  const gen = (await import(pathToFileURL(join(ROOT, 'rules', 'data', 'gen', `${name}.mjs`)).href)) as { output: string; generate(ref: string): unknown };
  const committed = JSON.parse(readFileSync(join(ROOT, 'rules', 'data', gen.output), 'utf8')) as unknown;
  expect(committed, 'run npm run gen:data').toEqual(gen.generate(SHARED_REFERENCE));
});

it('the copied model keeps every constraint of the official one for CreateEnvironment and UpdateEnvironment', () => {
  const official = loadMwaaModel() as unknown as { shapes: Record<string, Record<string, unknown>> };
  const copy = JSON.parse(readFileSync(join(ROOT, 'rules', 'data', 'mwaa-api-model.json'), 'utf8')) as { shapes: Record<string, Record<string, unknown>> };
  expect(Object.keys(copy.shapes)).toEqual(expect.arrayContaining(['CreateEnvironmentInput', 'UpdateEnvironmentInput', 'ConfigKey', 'ConfigValue']));
  for (const [name, shape] of Object.entries(copy.shapes)) {
    for (const k of ['type', 'required', 'min', 'max', 'pattern', 'enum']) expect([name, k, shape[k]]).toEqual([name, k, official.shapes[name]![k]]);
  }
});
