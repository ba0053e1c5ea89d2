import type { ScanCache } from './cache.js';
import type { ScanIO } from './fs.js';
import type { AnalysisInterest } from './inventory.js';
import type { FoundFile } from './walk.js';
import { AnalysisPool, type FileOutcome } from '../python/pool.js';

// The scan's Python files from found to analysed. A file starts as soon as the walk finds it (from
// the scan cache when it is unchanged, else in the pool), and the scan collects the outcomes of
// a list of files once the walk is over: the workers parse while the walk goes on.

type FoundPy = Pick<FoundFile, 'abs' | 'size' | 'mtimeMs'>;

export interface AnalysisOptions {
  analyzing: boolean;
  workers: number;
  cache: ScanCache | null;
  interest?: AnalysisInterest;
  /** Tests' custom reads keep the work on this thread (see PoolOptions.read). */
  io?: ScanIO;
  /** How many files were found and how many have their outcome, as they change. */
  onCount: (found: number, done: number) => void;
}

// Progress is told every so many files: a walk finds thousands in a few milliseconds.
const TELL_EVERY = 64;

export class ScanAnalysis {
  private readonly files: FoundPy[] = [];
  /** Each path asked for, with its place in `files`: what the cache keeps at the end of the scan. */
  readonly ids = new Map<string, number>();
  private readonly outcomes: (FileOutcome | undefined)[] = [];
  /** Who wants to hear of a file's outcome as soon as it is in, by its place in `files`. */
  private readonly listeners: (((o: FileOutcome) => void) | undefined)[] = [];
  private readonly pool: AnalysisPool;
  private done = 0;

  constructor(private readonly o: AnalysisOptions) {
    const io = o.io;
    this.pool = new AnalysisPool({
      // Hashing alone is quicker than handing files to workers.
      workers: o.analyzing ? o.workers : 0,
      read: io ? (p) => io.readFile(p) : undefined,
      interest: o.interest,
      onResult: (id, outcome, analysisText) => {
        const f = this.files[id]!;
        this.outcomes[id] = outcome;
        o.cache?.set(f.abs, f.size, f.mtimeMs, outcome, analysisText);
        this.count();
        // Only while this thread has a core of its own: what the listener does (the check) would
        // otherwise slow the workers, and hold its findings beside their heaps.
        if (!this.pool.everyCoreBusy) this.listeners[id]?.(outcome);
      },
    });
  }

  /**
   * Starts a file's analysis, once however often it is asked for; `then` hears its outcome as soon
   * as it is in, while every core is not analysing (otherwise only the caller of outcomesOf does).
   */
  start(f: FoundPy, then?: (o: FileOutcome) => void): void {
    if (this.ids.has(f.abs)) return;
    const id = this.files.length;
    this.ids.set(f.abs, id);
    this.files.push(f);
    this.outcomes.push(undefined);
    this.listeners.push(then);
    this.o.cache?.load();
    const hit = this.o.cache?.get(f.abs, f.size, f.mtimeMs);
    if (hit) {
      this.outcomes[id] = hit;
      this.count();
      then?.(hit);
    } else this.pool.add(id, { abs: f.abs, analyze: this.o.analyzing });
  }

  /** The outcomes of these files, in their order, started now if they were not yet. */
  async outcomesOf(files: FoundPy[]): Promise<FileOutcome[]> {
    for (const f of files) this.start(f);
    await this.pool.settle();
    this.o.onCount(this.files.length, this.done);
    return files.map((f) => this.outcomes[this.ids.get(f.abs)!]!);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private count(): void {
    if (++this.done % TELL_EVERY === 0) this.o.onCount(this.files.length, this.done);
  }
}
