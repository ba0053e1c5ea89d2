import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { fileFacts, type FileFacts } from './file.js';
import { shareStrings } from './shared-strings.js';

// Spreads file analysis over worker threads: parsing is CPU-bound and tree-sitter is synchronous.
// Small jobs stay on the main thread, where starting workers would cost more than it saves.

export interface FileJob {
  abs: string;
  /** false: hashes only, no parse (apply checking that the files are still the planned ones). */
  analyze: boolean;
}

export type FileOutcome = ({ ok: true } & FileFacts) | { ok: false; error: string; code?: string };

const INLINE_BELOW = 200;
const BATCH = 16;

export type ReadFile = (path: string) => Promise<Uint8Array>;

export async function runJob(job: FileJob, read: ReadFile = readFile): Promise<FileOutcome> {
  let bytes: Uint8Array;
  try {
    bytes = await read(job.abs);
  } catch (e) {
    return { ok: false, error: (e as Error).message, code: (e as NodeJS.ErrnoException).code };
  }
  return { ok: true, ...fileFacts(bytes, job.analyze) };
}

export interface PoolOptions {
  workers: number;
  /** A custom reader (tests inject errors through it) keeps the work on this thread. */
  read?: ReadFile;
  onDone?: (n: number) => void;
}

export async function analyzeFiles(jobs: FileJob[], { workers, read, onDone }: PoolOptions): Promise<FileOutcome[]> {
  const results = new Array<FileOutcome>(jobs.length);
  if (workers <= 0 || read || jobs.length < INLINE_BELOW || !workerEntry()) {
    for (const [i, job] of jobs.entries()) {
      results[i] = await runJob(job, read);
      onDone?.(i + 1);
    }
    return results;
  }
  let next = 0;
  let done = 0;
  const strings = new Map<string, string>();
  const pool = Array.from({ length: Math.min(workers, Math.ceil(jobs.length / BATCH)) }, () => new Worker(workerEntry()!));
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let batch: number[] = [];
            const feed = () => {
              if (next >= jobs.length) return resolve();
              batch = [];
              for (let k = 0; k < BATCH && next < jobs.length; k++) batch.push(next++);
              w.postMessage(batch.map((i) => jobs[i]));
            };
            w.on('message', (out: FileOutcome[]) => {
              out.forEach((r, k) => (results[batch[k]!] = r));
              done += out.length;
              onDone?.(done);
              feed();
              // While the worker parses the next batch, this thread is otherwise idle.
              for (const r of out) if (r.ok && r.analysis) shareStrings(r.analysis, strings);
            });
            w.once('error', reject);
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/** The compiled worker script; absent when running from TypeScript sources (tests), which then stay inline. */
function workerEntry(): URL | null {
  return import.meta.url.endsWith('.js') ? new URL('./worker.js', import.meta.url) : null;
}
