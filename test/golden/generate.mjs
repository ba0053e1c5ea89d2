// Regenerates the golden reports from the built CLI: `npm run gen:golden` (builds first).
// Rerun it whenever rules, the report or the fixtures change, and review the diff.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { CASES, FORMATS, goldenArgs, goldenFile, ROOT, runCli } from './cases.mjs';

const jobs = CASES.flatMap((c) => Object.keys(FORMATS).map((format) => ({ c, format })));
const results = await Promise.all(jobs.map(({ c, format }) => runCli(goldenArgs(c, format))));
let failed = false;
jobs.forEach(({ c, format }, i) => {
  const { code, stdout, stderr } = results[i];
  const file = goldenFile(c, format);
  // 1 only says that findings reached --fail-on; anything else is a broken run.
  if ((code !== 0 && code !== 1) || stderr) {
    console.error(`${relative(ROOT, file)}: exit ${code}\n${stderr}`);
    failed = true;
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stdout);
  console.log(`wrote ${relative(ROOT, file)}`);
});
process.exitCode = failed ? 1 : 0;
