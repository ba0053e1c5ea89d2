import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { makeFolder } from './fs.js';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { deferAnalysis } from './deferred.js';
import type { AnalysisInterest, PyAnalysis } from './inventory.js';
import { keepOutline, outlineOfAnalysis, type FileOutline } from './outline.js';
import { asciiJson, type FileOutcome } from '../python/pool.js';
import { shareStrings } from '../python/shared-strings.js';

// Re-scans of an unchanged home skip reading and parsing: results are keyed by path, size and
// modification time, and the whole cache by the analyser's version. It holds no secret: analysis
// results are already redacted. A cache that cannot be read or written is simply not used.
//
// A line of the analysis file is `[path,size,mtime,outcome]`, a tab, and the analysis's JSON: the
// outcome (hashes, problem, the file's outline) is parsed as the cache is read, the analysis only
// when something reads it (see deferred.ts).

export const ANALYZER_VERSION = 'py-21';
/** Of the files' lines (see above). */
const LAYOUT = 2;

/** An outcome as a line of the analysis file holds it: with the file's outline (see set()). */
type CachedOutcome = FileOutcome & { outline?: FileOutline | null };

interface Entry {
  size: number;
  mtimeMs: number;
  outcome: FileOutcome;
}

export interface CacheOptions {
  /** This scan hashes without parsing, so it reads and writes the digest file alone. */
  digestsOnly?: boolean;
  /** Analyses made for another interest are kept in a file of their own; the digests are the same. */
  interest?: AnalysisInterest;
  /** Each analysis read back stays in the file till something reads it (see deferred()); parsed as the cache is read otherwise. */
  defer?: boolean;
}

export class ScanCache {
  private entries = new Map<string, Entry>();
  /** Where each entry read back lies in the analysis file: a kept one is copied from there, not made again. */
  private lineOf = new Map<string, Range>();
  /**
   * The analysis file read: kept lines are copied from it, and deferred analyses read from it,
   * even if another run replaced the file since (see OpenFile).
   */
  private read: OpenFile | null = null;
  /** The analysis file's next version, written as results come in (null: not started, or not writable). */
  private next: LineWriter | null = null;
  private fresh = new Set<string>();
  private dirty = false;
  private readonly file: string;
  /** Hashes alone, small enough to load in milliseconds: what apply needs to see nothing changed. */
  private readonly digestFile: string;
  private loaded = false;

  private readonly digestsOnly: boolean;
  private readonly defer: boolean;

  constructor(dir: string, home: string, toolVersion: string, o: CacheOptions = {}) {
    this.digestsOnly = o.digestsOnly ?? false;
    this.defer = o.defer ?? false;
    const interest = o.interest;
    const key = createHash('sha256').update(`${home}\0${toolVersion}\0${ANALYZER_VERSION}\0${LAYOUT}`).digest('hex').slice(0, 32);
    const variant = interest ? `-${createHash('sha256').update(JSON.stringify(interest)).digest('hex').slice(0, 12)}` : '';
    this.file = join(dir, `${key}${variant}.json`);
    this.digestFile = join(dir, `${key}.digests.json`);
  }

  /** Reads the cache once, on first use (a scan that finds no Python file never pays for it). */
  load(): void {
    if (this.loaded) return;
    this.loaded = true;
    // Each entry's strings kept once, as for a worker's outcomes (pool.ts): a warm report of the
    // 10,000-file home peaks at about 390 MB instead of 445, in the same time.
    const strings = new Map<string, string>();
    try {
      const read = (this.read = new OpenFile(openSync(this.digestsOnly ? this.digestFile : this.file, 'r')));
      for (const { buf, start, end, range } of lines(read.fd)) {
        // The digests have no analysis, so no tab (JSON escapes its own).
        const tab = this.digestsOnly ? end : buf.indexOf(0x09, start);
        if (tab < 0 || tab > end) throw new Error('not a line of analyses');
        const [abs, size, mtimeMs, outcome] = JSON.parse(buf.toString('latin1', start, tab)) as [string, number, number, CachedOutcome];
        if (outcome.ok && !this.digestsOnly) {
          // 'null': not analysed (too large, not decodable).
          if (end - tab === 5 && buf.toString('latin1', tab + 1, end) === 'null') outcome.analysis = null;
          else if (this.defer) deferred(outcome, read, { start: range.start + (tab + 1 - start), end: range.end - 1 }, strings);
          else {
            const analysis = (outcome.analysis = shared(JSON.parse(buf.toString('latin1', tab + 1, end)) as PyAnalysis, strings));
            if (outcome.outline) keepOutline(analysis, outcome.outline);
          }
        }
        this.entries.set(abs, { size, mtimeMs, outcome });
        this.lineOf.set(abs, range);
      }
    } catch {
      // Unreadable, cut short or of an older layout: as good as none.
      this.entries.clear();
      this.lineOf.clear();
      this.read?.close();
      this.read = null;
    }
    removeAbandoned(this.file);
    removeAbandoned(this.digestFile);
  }

  get(abs: string, size: number, mtimeMs: number): FileOutcome | undefined {
    const e = this.entries.get(abs);
    return e && e.size === size && e.mtimeMs === mtimeMs ? e.outcome : undefined;
  }

  /** A new result; `analysisText` is its analysis's asciiJson when the caller has it already (from a worker). */
  set(abs: string, size: number, mtimeMs: number, outcome: FileOutcome, analysisText?: string): void {
    if (!outcome.ok) return; // errors may be transient
    this.entries.set(abs, { size, mtimeMs, outcome });
    this.dirty = true;
    if (this.digestsOnly || this.fresh.has(abs)) return;
    this.fresh.add(abs);
    const { sha256, md5, mightContainDag, problem, analysis } = outcome;
    const outline: FileOutline | null = analysis && outlineOfAnalysis(analysis);
    // Written now rather than at save(): a cold scan's texts held till then would be 100 MB of memory.
    this.next ??= LineWriter.open(this.file);
    this.next?.write(`${entryLine(abs, size, mtimeMs, asciiJson({ ok: true, sha256, md5, mightContainDag, problem, outline }))}\t${analysisText ?? asciiJson(analysis)}\n`);
  }

  /** Keeps only the given paths, so deleted files do not accumulate. */
  save(keep: { has(abs: string): boolean }): void {
    for (const k of this.entries.keys()) {
      if (!keep.has(k)) {
        this.entries.delete(k);
        this.dirty = true;
      }
    }
    try {
      this.saveNext();
    } finally {
      this.read?.release();
      this.read = null;
    }
  }

  private saveNext(): void {
    if (!this.dirty) return this.next?.abandon();
    const digests = LineWriter.open(this.digestFile);
    if (digests) {
      for (const [abs, { size, mtimeMs, outcome }] of this.entries) {
        // Field by field: a spread would read (and parse) a deferred analysis.
        const digest = outcome.ok ? { ok: true, sha256: outcome.sha256, md5: outcome.md5, mightContainDag: outcome.mightContainDag, analysis: null, problem: null } : outcome;
        digests.write(`${entryLine(abs, size, mtimeMs, asciiJson(digest))}\n`);
      }
      digests.commit();
    }
    if (this.digestsOnly) return;
    this.next ??= LineWriter.open(this.file);
    const kept = [...this.entries.keys()].filter((abs) => !this.fresh.has(abs)).map((abs) => this.lineOf.get(abs)!);
    if (kept.length) this.next?.copy(this.read?.fd ?? null, kept);
    this.next?.commit();
  }
}

const entryLine = (abs: string, size: number, mtimeMs: number, outcome: string) => `[${asciiJson(abs)},${size},${mtimeMs},${outcome}]`;

/** The outcome's analysis deferred: read from the cache file, parsed and its strings shared when first read. */
function deferred(outcome: FileOutcome & { ok: true }, file: OpenFile, at: Range, strings: Map<string, string>): void {
  let value: PyAnalysis | null = null;
  file.pending++;
  deferAnalysis(outcome, () => {
    if (!value) {
      value = shared(JSON.parse(file.text(at)) as PyAnalysis, strings);
      file.done();
    }
    return value;
  });
}

const shared = (a: PyAnalysis, strings: Map<string, string>): PyAnalysis => (shareStrings(a, strings), a);

// A file a deferred analysis may still need is closed when none can any more (its holder is collected).
const closer = new FinalizationRegistry<number>((fd) => closeSync(fd));

/**
 * The cache file a scan read, open while an analysis it deferred is unread: read again rather
 * than kept in memory, where 94 MB of texts on 10,000 files cost more to keep than to read (the
 * collector copied them between its generations, a third of a warm scan). The open file is the
 * one read, even if another run has since put a new one in its place.
 */
class OpenFile {
  /** Analyses deferred and not read yet. */
  pending = 0;
  private released = false;
  private closed = false;
  private scratch = Buffer.allocUnsafe(0);

  constructor(readonly fd: number) {
    closer.register(this, fd, this);
  }

  /** The text at this place, as written (ASCII, see asciiJson). */
  text({ start, end }: Range): string {
    if (this.closed) throw new Error('the scan cache was closed while an analysis it deferred was unread');
    if (this.scratch.length < end - start) this.scratch = Buffer.allocUnsafe(Math.max(end - start, 2 * this.scratch.length));
    if (readSync(this.fd, this.scratch, 0, end - start, start) !== end - start) throw new Error('the scan cache changed while in use');
    return this.scratch.toString('latin1', 0, end - start);
  }

  done(): void {
    if (--this.pending === 0 && this.released) this.close();
  }

  /** The scan needs it no more: closed now, or once the last deferred analysis is read. */
  release(): void {
    this.released = true;
    if (this.pending === 0) this.close();
  }

  /** Closed now: nothing deferred from it is left to read (load() dropped all it read). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.scratch = Buffer.allocUnsafe(0);
    closer.unregister(this);
    closeSync(this.fd);
  }
}

interface Range {
  start: number;
  end: number;
}

// One entry a line, read a piece at a time: parsing 10,000 small lines needs no 100 MB string
// (one JSON text of the whole cache was a quarter of a warm scan's peak memory).
const PIECE = 1 << 20;

/**
 * The file's lines, as their bytes in the piece read and where each lies in the file. Newlines
 * are found in the bytes and the caller decodes what it needs of a line (entries are ASCII, see
 * asciiJson, so as Latin-1, the fastest way): no piece-sized string is made, searched and cut up.
 */
function* lines(fd: number): Generator<{ buf: Buffer; start: number; end: number; range: Range }> {
  let buf = Buffer.allocUnsafe(PIECE);
  let kept = 0; // bytes at the start of buf: the line the last piece cut short
  let offset = 0; // of buf[0] in the file
  for (let n = readSync(fd, buf, kept, buf.length - kept, null); n > 0; n = readSync(fd, buf, kept, buf.length - kept, null)) {
    const filled = kept + n;
    // An entry is a JSON array: anything else (the single object of earlier versions) is not read on.
    if (offset === 0 && buf[0] !== 0x5b) throw new Error('not a cache of entries');
    let start = 0;
    for (let end = buf.indexOf(0x0a, start); end >= 0 && end < filled; end = buf.indexOf(0x0a, start)) {
      yield { buf, start, end, range: { start: offset + start, end: offset + end + 1 } };
      start = end + 1;
    }
    kept = filled - start;
    offset += start;
    if (start === 0 && kept === buf.length) {
      // One line longer than the buffer: a bigger one.
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, kept);
      buf = bigger;
    } else buf.copy(buf, 0, start, filled);
  }
  if (kept) throw new Error('cut short'); // every entry ends with a newline
}

/** A cache file's next version, made beside it and put in its place only when complete. */
class LineWriter {
  private pending: string[] = [];
  private size = 0;
  private failed = false;

  private constructor(
    private readonly file: string,
    private readonly tmp: string,
    private readonly fd: number,
  ) {}

  /** null when the folder cannot be written: a read-only or full cache folder only costs speed. */
  static open(file: string): LineWriter | null {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      makeFolder(dirname(file));
      return new LineWriter(file, tmp, openSync(tmp, 'w'));
    } catch {
      return null;
    }
  }

  write(line: string): void {
    if (this.failed) return;
    this.pending.push(line);
    this.size += line.length;
    if (this.size >= PIECE) this.flush();
  }

  /** Appends byte ranges of an open file (null: there is none, so nothing can be copied). */
  copy(fd: number | null, ranges: Range[]): void {
    this.flush();
    try {
      if (fd === null) throw new Error('nothing to copy from');
      let buf = Buffer.allocUnsafe(PIECE);
      for (const { start, end } of ranges) {
        if (end - start > buf.length) buf = Buffer.allocUnsafe(end - start);
        const n = readSync(fd, buf, 0, end - start, start);
        if (n !== end - start) throw new Error('the cache changed while in use');
        writeSync(this.fd, buf, 0, n);
      }
    } catch {
      this.failed = true;
    }
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    try {
      if (this.failed) throw new Error('incomplete');
      renameSync(this.tmp, this.file);
    } catch {
      rmSync(this.tmp, { force: true });
    }
  }

  abandon(): void {
    closeSync(this.fd);
    rmSync(this.tmp, { force: true });
  }

  private flush(): void {
    if (this.failed || this.pending.length === 0) return;
    try {
      writeSync(this.fd, this.pending.join(''));
    } catch {
      this.failed = true;
    }
    this.pending = [];
    this.size = 0;
  }
}

/** Next versions that a killed run left behind (their process is gone). */
function removeAbandoned(file: string): void {
  const prefix = `${basename(file)}.`;
  try {
    for (const name of readdirSync(dirname(file))) {
      const pid = Number(name.startsWith(prefix) && name.endsWith('.tmp') ? name.slice(prefix.length, -'.tmp'.length) : NaN);
      if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(join(dirname(file), name), { force: true });
    }
  } catch {
    // No folder yet, or not readable: nothing to tidy.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function defaultCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'mwaa-migrate');
}

/**
 * A value kept as JSON in a file of the cache folder (the rule catalogue, the hand-kept tables):
 * read back when it is there and readable, else made and kept, written beside and put in place.
 */
export function keptJson<T>(file: string, make: () => T): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    // Not kept yet, or unreadable: made below.
  }
  const value = make();
  try {
    makeFolder(dirname(file));
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value));
    renameSync(tmp, file);
  } catch {
    // A read-only cache folder only costs speed.
  }
  return value;
}
