import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { asciiJson, runJob, type FileJob, type WorkerSettings } from './pool.js';

// A worker owns its thread: a blocking read is cheaper than a round trip through libuv's pool.
const readSync = async (path: string) => readFileSync(path);

// Batches are answered in the order they came (the pool matches answers to batches by order),
// even when one waits for tree-sitter to load while the next has already arrived.
let last: Promise<void> = Promise.resolve();
parentPort!.on('message', (jobs: FileJob[]) => {
  last = last.then(async () => {
    // Three texts a file: the outcome without its analysis or text, the analysis (the scan cache
    // keeps it as it comes), and the file's text when asked for (see WorkerSettings.keepText).
    const out: (string | null)[] = [];
    for (const job of jobs) {
      const o = await runJob(job, readSync, workerData as WorkerSettings);
      if (!o.ok) out.push(asciiJson(o), 'null', null);
      else {
        const { analysis, text, ...rest } = o;
        out.push(asciiJson(rest), asciiJson(analysis), text ?? null);
      }
    }
    parentPort!.postMessage(out);
  });
});
