import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { runJob, type FileJob } from './pool.js';

// A worker owns its thread: a blocking read is cheaper than a round trip through libuv's pool.
const readSync = async (path: string) => readFileSync(path);

parentPort!.on('message', async (jobs: FileJob[]) => {
  const out = [];
  for (const job of jobs) out.push(await runJob(job, readSync));
  parentPort!.postMessage(out);
});
