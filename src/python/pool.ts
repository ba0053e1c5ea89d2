import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { AnalysisInterest, PyAnalysis } from '../home/inventory.js';
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
// The last worker shares a core with this thread, which takes in every answer: it is started only
// for a long queue, where its own start (compiling the analyser afresh, some 0.5 s of CPU) and the
// contention pay off. On two cores one worker scanned homes of 300 to 4,000 files as fast or
// faster than two, with a fifth to a third less CPU; 10,000 files went some 10% faster with two.
// The walk outruns the first answers, so a home's whole count is waiting: a 4,000-file home,
// at exactly the old bound of 4,000, always took the second worker (its report: 4.7 s wall and
// 8.0 s CPU against 4.6 s and 6.5 s with one).
export const SHARED_CORE_FROM = 5000;
const BATCH = 16;
// Batches sent to a worker ahead of its answers. While a core is left to this thread, it checks
// groups of files as they come (see check/as-scanned.ts), and a worker with two batches ahead
// waited for it (200 to 300 ms of a 4,000-file scan; about 100 with sixteen). Workers on every
// core get two: nothing is checked meanwhile, and short queues keep the last files spread evenly.
const AHEAD_SPARE_CORE = 16;
const AHEAD = 2;

export type ReadFile = (path: string) => Promise<Uint8Array>;

/**
 * JSON text with every non-ASCII character a \\u escape, which JSON.parse reads back the same.
 * Workers send outcomes this way: parsing the text here costs half of what the structured clone's
 * deserialising does, and the scan cache stores an analysis's text as it is (ASCII, so it reads
 * back as Latin-1, the fastest decoding).
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
  /** Each outcome as it arrives, by the id it was added with, with its analysis's text when it came from a worker (see asciiJson). */
  onResult: (id: number, outcome: FileOutcome, analysisText: string | undefined) => void;
  /** What the analyses keep of context reads and method calls (see AnalysisInterest); everything when absent. */
  interest?: AnalysisInterest | null;
}

interface Slot {
  worker: Worker;
  /** The ids of the batches sent and not answered yet, oldest first. */
  inFlight: number[][];
}

/**
 * Takes jobs as they are found (the scan adds them while it still walks the folder) and starts
 * workers once enough have come to pay for them, so that the cores work from the first files on.
 * Jobs added to a pool that never started workers run on this thread in settle().
 */
export class AnalysisPool {
  private readonly queue: { id: number; job: FileJob }[] = [];
  private slots: Slot[] | null = null;
  private unanswered = 0;
  private failure: unknown = null;
  private waiting: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  private readonly strings = new Map<string, string>();

  constructor(private readonly o: PoolOptions) {}

  add(id: number, job: FileJob): void {
    this.queue.push({ id, job });
    this.unanswered++;
    if (!this.slots && this.queue.length >= INLINE_BELOW && this.o.workers > 0 && !this.o.read && workerEntry()) this.slots = [];
    if (this.slots) {
      this.grow(this.slots);
      this.pump();
    }
  }

  /** Resolves once every job added so far has been answered through onResult. */
  async settle(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.slots) {
      for (const { id, job } of this.queue.splice(0)) {
        this.o.onResult(id, await runJob(job, this.o.read, this.o.interest ?? null), undefined);
        this.unanswered--;
      }
      return;
    }
    if (this.unanswered === 0) return;
    await new Promise<void>((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Whether a worker analyses on every core, this thread's included (see SHARED_CORE_FROM). */
  get everyCoreBusy(): boolean {
    return this.slots !== null && this.slots.length >= this.o.workers;
  }

  async close(): Promise<void> {
    const slots = this.slots ?? [];
    this.slots = null;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** A worker for each core but this thread's, and one for that too on a long queue (see SHARED_CORE_FROM). */
  private grow(slots: Slot[]): void {
    const wanted = this.unanswered >= SHARED_CORE_FROM ? this.o.workers : Math.max(1, this.o.workers - 1);
    while (slots.length < wanted) {
      const slot: Slot = { worker: new Worker(workerEntry()!, { workerData: this.o.interest ?? null }), inFlight: [] };
      slot.worker.on('message', (texts: string[]) => this.answered(slot, texts));
      slot.worker.once('error', (e) => this.fail(e));
      // A worker that stops on its own (killed, out of memory) would leave settle() waiting forever.
      slot.worker.once('exit', (code) => this.slots?.includes(slot) && this.fail(new Error(`an analysis worker stopped (exit code ${code})`)));
      slots.push(slot);
    }
  }

  // A worker starts the next batch while this thread takes in the last (see AHEAD).
  private pump(): void {
    const ahead = this.everyCoreBusy ? AHEAD : AHEAD_SPARE_CORE;
    for (const slot of this.slots ?? []) {
      while (slot.inFlight.length < ahead && this.queue.length) {
        const batch = this.queue.splice(0, BATCH);
        slot.inFlight.push(batch.map((b) => b.id));
        slot.worker.postMessage(batch.map((b) => b.job));
      }
    }
  }

  private answered(slot: Slot, texts: string[]): void {
    const ids = slot.inFlight.shift()!;
    this.pump();
    // Two texts a file (see worker.ts).
    for (let k = 0; k < ids.length; k++) {
      const r = JSON.parse(texts[2 * k]!) as FileOutcome;
      const analysisText = texts[2 * k + 1]!;
      if (r.ok) {
        r.analysis = JSON.parse(analysisText) as PyAnalysis | null;
        if (r.analysis) shareStrings(r.analysis, this.strings);
      }
      this.o.onResult(ids[k]!, r, analysisText);
    }
    this.unanswered -= ids.length;
    if (this.unanswered === 0 && this.waiting) {
      this.waiting.resolve();
      this.waiting = null;
    }
  }

  private fail(e: unknown): void {
    this.failure ??= e;
    this.waiting?.reject(e);
    this.waiting = null;
  }
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/** The compiled worker script; absent when running from TypeScript sources (tests), which then stay inline. */
function workerEntry(): URL | null {
  return import.meta.url.endsWith('.js') ? new URL('./worker.js', import.meta.url) : null;
}
