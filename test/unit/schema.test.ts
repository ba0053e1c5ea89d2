import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

// The committed schemas are what `npm run gen:schema` makes from the types today.
it.each([
  ['schema/inventory.schema.json', 'src/home/inventory.ts', 'Inventory'],
  ['schema/report.schema.json', 'src/report/model.ts', 'Report'],
  ['schema/plan.schema.json', 'src/plan/plan.ts', 'Plan'],
])('%s is up to date with its type', (file, path, type) => {
  const schema = createGenerator({ path: join(ROOT, path), type, tsconfig: join(ROOT, 'tsconfig.json'), skipTypeCheck: true }).createSchema(type);
  const committed = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
  expect(committed, 'run npm run gen:schema').toEqual(JSON.parse(JSON.stringify(schema)));
});
