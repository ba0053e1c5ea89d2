import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { asciiJson, runJob, type FileJob } from './pool.js';

// A worker owns its thread: a blocking read is cheaper than a round trip through libuv's pool.
const readSync = async (path: string) => readFileSync(path);

parentPort!.on('message', async (jobs: FileJob[]) => {
  const out: string[] = [];
  for (const job of jobs) out.push(asciiJson(await runJob(job, readSync)));
  parentPort!.postMessage(out);
});
