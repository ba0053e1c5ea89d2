// Turns the recording the terminal test writes (test/output/walkthrough.txt: the screens of one
// walkthrough, captured from tmux) into docs/walkthrough.md for the README.
//   tsc -p tsconfig.json && vitest run test/guide/walkthrough.test.ts && node test/guide/gen-walkthrough.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const recording = `${root}test/output/walkthrough.txt`;
let text;
try {
  text = readFileSync(recording, 'utf8');
} catch {
  console.error('no recording: run vitest run test/guide/walkthrough.test.ts first');
  process.exit(2);
}
const frames = text.split(/^=== /m).filter(Boolean).map((f) => {
  const [label, ...screen] = f.split('\n');
  return { label, screen: screen.join('\n').trimEnd() };
});
const md = [
  '# The guided walkthrough',
  '',
  '`mwaa-migrate guide [AIRFLOW_HOME]` (or `mwaa-migrate` alone, on a terminal) walks from "where is',
  'my Airflow?" to a running MWAA environment. These are the screens of one run on',
  '`fixtures/homes/airflow2` (copied to `~/airflow`) against local stand-ins for AWS, at 100x40,',
  'captured by the terminal test (`test/guide/walkthrough.test.ts`). Keys: Enter goes on, Esc goes',
  'back, Ctrl-C leaves safely at any point and says what state things are in.',
  '',
  ...frames.flatMap(({ label, screen }, i) => [`## ${i + 1}. ${label}`, '', '```text', screen, '```', '']),
].join('\n');
writeFileSync(`${root}docs/walkthrough.md`, md);
console.log(`wrote docs/walkthrough.md (${frames.length} screens)`);
