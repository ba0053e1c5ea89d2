#!/usr/bin/env node
// Regenerates every data table under rules/data/ from the reference material beside the
// repository (../shared/reference). Each rules/data/gen/*.mjs module owns one output file.
// The installed tool reads only the generated files.  Usage: npm run gen:data [-- REFERENCE_DIR]
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ref = resolve(process.argv[2] ?? join(here, '../../../shared/reference'));

for (const name of readdirSync(join(here, 'gen')).filter((f) => f.endsWith('.mjs')).sort()) {
  const mod = await import(pathToFileURL(join(here, 'gen', name)).href);
  const data = mod.generate(ref);
  const target = join(here, mod.output);
  writeFileSync(target, JSON.stringify(data, null, 1) + '\n');
  console.log(`wrote rules/data/${mod.output} (${name})`);
}
