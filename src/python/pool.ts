import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { AnalysisInterest } from '../home/inventory.js';
import { fileFacts, type FileFacts } from './file.js';
import { withTreeSitter } from './parser.js';
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

/**
 * JSON text with every non-ASCII character a \\u escape, which JSON.parse reads back the same.
 * Workers send outcomes this way: parsing the text here costs half of what the structured clone's
 * deserialising does, and the scan cache stores the same text as it is (ASCII, so it reads back
 * as Latin-1, the fastest decoding).
 */
export function asciiJson(value: unknown): string {
  const json = JSON.stringify(value);
  // ASCII when each character is one UTF-8 byte: counting them costs half a regular expression's
  // test, and a replace that finds nothing would cost twenty times the test.
  return Buffer.byteLength(json) === json.length ? json : json.replace(NON_ASCII_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
const NON_ASCII_ALL = /[\u0080-\uffff]/g;

export async function runJob(job: FileJob, read: ReadFile = readFile, interest: AnalysisInterest | null = null): Promise<FileOutcome> {
  let bytes: Uint8Array;
  try {
    bytes = await read(job.abs);
  } catch (e) {
    return { ok: false, error: (e as Error).message, code: (e as NodeJS.ErrnoException).code };
  }
  return { ok: true, ...(await withTreeSitter(() => fileFacts(bytes, job.analyze, interest))) };
}

export interface PoolOptions {
  workers: number;
  /** A custom reader (tests inject errors through it) keeps the work on this thread. */
  read?: ReadFile;
  onDone?: (n: number) => void;
  /** Each outcome as it arrives, with its text when it came from a worker (see asciiJson). */
  onResult?: (index: number, outcome: FileOutcome, text: string | undefined) => void;
  /** What the analyses keep of context reads and method calls (see AnalysisInterest); everything when absent. */
  interest?: AnalysisInterest | null;
}

export async function analyzeFiles(jobs: FileJob[], { workers, read, onDone, onResult, interest = null }: PoolOptions): Promise<FileOutcome[]> {
  const results = new Array<FileOutcome>(jobs.length);
  if (workers <= 0 || read || jobs.length < INLINE_BELOW || !workerEntry()) {
    for (const [i, job] of jobs.entries()) {
      results[i] = await runJob(job, read, interest);
      onResult?.(i, results[i]!, undefined);
      onDone?.(i + 1);
    }
    return results;
  }
  let next = 0;
  let done = 0;
  const strings = new Map<string, string>();
  const pool = Array.from({ length: Math.min(workers, Math.ceil(jobs.length / BATCH)) }, () => new Worker(workerEntry()!, { workerData: interest }));
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            // Two batches in flight: the worker starts the next while this thread takes in the last.
            const inFlight: number[][] = [];
            const feed = () => {
              if (next >= jobs.length) return;
              const batch: number[] = [];
              for (let k = 0; k < BATCH && next < jobs.length; k++) batch.push(next++);
              inFlight.push(batch);
              w.postMessage(batch.map((i) => jobs[i]));
            };
            w.on('message', (texts: string[]) => {
              const batch = inFlight.shift()!;
              feed();
              texts.forEach((text, k) => {
                const r = JSON.parse(text) as FileOutcome;
                if (r.ok && r.analysis) shareStrings(r.analysis, strings);
                results[batch[k]!] = r;
                onResult?.(batch[k]!, r, text);
              });
              done += texts.length;
              onDone?.(done);
              if (inFlight.length === 0) resolve();
            });
            w.once('error', reject);
            feed();
            feed();
            if (inFlight.length === 0) resolve();
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
