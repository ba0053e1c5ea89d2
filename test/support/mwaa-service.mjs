#!/usr/bin/env node
// mwaa-service-2.json beside this file: the official MWAA API model (botocore's, from
// ../shared/reference/mwaa) less its documentation text, whole otherwise, for the loopback MWAA
// server. Committed, so a clone without ../shared runs the AWS tests; test/aws/api-model.test.ts
// checks it is still what this makes from the reference.  Usage: node test/support/mwaa-service.mjs [REFERENCE_DIR]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const output = join(here, 'mwaa-service-2.json');

const undocumented = (value) =>
  Array.isArray(value)
    ? value.map(undocumented)
    : value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'documentation').map(([k, v]) => [k, undocumented(v)]))
      : value;

export function generate(ref) {
  return undocumented(JSON.parse(readFileSync(join(ref, 'mwaa', 'mwaa-service-2.json'), 'utf8')));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(output, JSON.stringify(generate(resolve(process.argv[2] ?? join(here, '../../../shared/reference'))), null, 1) + '\n');
  console.log(`wrote ${output}`);
}
