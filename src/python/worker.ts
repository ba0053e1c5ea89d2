import { parentPort } from 'node:worker_threads';
import { runJob, type FileJob } from './pool.js';

parentPort!.on('message', async (jobs: FileJob[]) => {
  const out = [];
  for (const job of jobs) out.push(await runJob(job));
  parentPort!.postMessage(out);
});
