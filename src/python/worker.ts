import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { AnalysisInterest } from '../home/inventory.js';
import { asciiJson, runJob, type FileJob } from './pool.js';

// A worker owns its thread: a blocking read is cheaper than a round trip through libuv's pool.
const readSync = async (path: string) => readFileSync(path);

// Batches are answered in the order they came (the pool matches answers to batches by order),
// even when one waits for tree-sitter to load while the next has already arrived.
let last: Promise<void> = Promise.resolve();
parentPort!.on('message', (jobs: FileJob[]) => {
  last = last.then(async () => {
    // Two texts a file: the outcome without its analysis, then the analysis (the scan cache keeps it as it comes).
    const out: string[] = [];
    for (const job of jobs) {
      const o = await runJob(job, readSync, workerData as AnalysisInterest | null);
      if (!o.ok) out.push(asciiJson(o), 'null');
      else {
        const { analysis, ...rest } = o;
        out.push(asciiJson(rest), asciiJson(analysis));
      }
    }
    parentPort!.postMessage(out);
  });
});
