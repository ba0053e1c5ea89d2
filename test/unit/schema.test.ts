import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

// The committed schema is what `npm run gen:schema` makes from src/home/inventory.ts today.
it('schema/inventory.schema.json is up to date with the Inventory type', () => {
  const schema = createGenerator({ path: join(ROOT, 'src/home/inventory.ts'), type: 'Inventory', tsconfig: join(ROOT, 'tsconfig.json'), skipTypeCheck: true }).createSchema('Inventory');
  const committed = JSON.parse(readFileSync(join(ROOT, 'schema/inventory.schema.json'), 'utf8'));
  expect(committed, 'run npm run gen:schema').toEqual(JSON.parse(JSON.stringify(schema)));
});
