import { parentPort } from 'node:worker_threads';
import { fileFacts } from './file.js';
import type { FileOutcome, WorkerInput } from './pool.js';

// A worker parses and analyses what the pool's thread has read for it (pool.ts).

parentPort!.on('message', (inputs: WorkerInput[]) => {
  const out: FileOutcome[] = inputs.map(({ job, bytes }) => ({ ok: true, ...fileFacts(bytes, job.analyze) }));
  parentPort!.postMessage(out);
});
