// ruff's Airflow 3 rules (AIR3, preview) over every .py file under DIR, with ruff's WebAssembly
// build: the stand-in for `ruff check` in ruff-bench.mjs when no native ruff is on PATH. Prints
// the diagnostics as one JSON array, like `ruff check --output-format json`.
//
//   node bench/ruff-wasm-once.mjs DIR
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/ruff-wasm-once.mjs DIR');
  process.exit(2);
}
const workspace = new Workspace({ lint: { select: ['AIR3'], preview: true } }, PositionEncoding.Utf16);
const diagnostics = [];
const walk = (d) => {
  for (const entry of readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.name.endsWith('.py')) for (const diag of workspace.check(readFileSync(p, 'utf8'))) diagnostics.push({ filename: p, ...diag });
  }
};
walk(dir);
process.stdout.write(`${JSON.stringify(diagnostics)}\n`, () => process.exit(0));
