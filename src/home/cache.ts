import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FileOutcome } from '../python/pool.js';

// Re-scans of an unchanged home skip reading and parsing: results are keyed by path, size and
// modification time, and the whole cache by the analyser's version. It holds no secret: analysis
// results are already redacted. A cache that cannot be read or written is simply not used.

export const ANALYZER_VERSION = 'py-14';

interface Entry {
  size: number;
  mtimeMs: number;
  outcome: FileOutcome;
}

export class ScanCache {
  private entries = new Map<string, Entry>();
  private dirty = false;
  private readonly file: string;
  /** Hashes alone, small enough to load in milliseconds: what apply needs to see nothing changed. */
  private readonly digestFile: string;
  private loaded = false;

  /** `digestsOnly`: this scan hashes without parsing, so it reads and writes the digest file alone. */
  constructor(dir: string, home: string, toolVersion: string, private readonly digestsOnly = false) {
    const key = createHash('sha256').update(`${home}\0${toolVersion}\0${ANALYZER_VERSION}`).digest('hex').slice(0, 32);
    this.file = join(dir, `${key}.json`);
    this.digestFile = join(dir, `${key}.digests.json`);
  }

  /** Reads the cache once, on first use (a scan that finds no Python file never pays for it). */
  load(): void {
    if (this.loaded) return;
    this.loaded = true;
    try {
      for (const line of lines(this.digestsOnly ? this.digestFile : this.file)) {
        const [abs, size, mtimeMs, outcome] = JSON.parse(line) as [string, number, number, FileOutcome];
        this.entries.set(abs, { size, mtimeMs, outcome });
      }
    } catch {
      // Unreadable, cut short or of an older layout: as good as none.
      this.entries.clear();
    }
  }

  get(abs: string, size: number, mtimeMs: number): FileOutcome | undefined {
    const e = this.entries.get(abs);
    return e && e.size === size && e.mtimeMs === mtimeMs ? e.outcome : undefined;
  }

  set(abs: string, size: number, mtimeMs: number, outcome: FileOutcome): void {
    if (!outcome.ok) return; // errors may be transient
    this.entries.set(abs, { size, mtimeMs, outcome });
    this.dirty = true;
  }

  /** Keeps only the given paths, so deleted files do not accumulate. */
  save(keep: Set<string>): void {
    for (const k of this.entries.keys()) {
      if (!keep.has(k)) {
        this.entries.delete(k);
        this.dirty = true;
      }
    }
    if (!this.dirty) return;
    const digest = (e: Entry): Entry => (e.outcome.ok ? { ...e, outcome: { ...e.outcome, analysis: null, problem: null } } : e);
    writeEntries(this.digestFile, this.entries, digest);
    if (!this.digestsOnly) writeEntries(this.file, this.entries, (e) => e);
  }
}

// One entry a line, read a piece at a time: parsing 10,000 small lines needs no 100 MB string
// (one JSON text of the whole cache was a quarter of a warm scan's peak memory).
const PIECE = 1 << 20;

/** The file's lines; entries are written as ASCII (below), so bytes decode as Latin-1, the fastest way. */
function* lines(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(PIECE);
    let rest = '';
    for (let n = readSync(fd, buf, 0, PIECE, null); n > 0; n = readSync(fd, buf, 0, PIECE, null)) {
      const text = rest + buf.toString('latin1', 0, n);
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        yield text.slice(start, end);
        start = end + 1;
      }
      rest = text.slice(start);
      // An entry is a JSON array: anything else (the single object of earlier versions) is not read on.
      if (start === 0 && !text.startsWith('[')) throw new Error('not a cache of entries');
    }
    if (rest) throw new Error('cut short'); // every entry ends with a newline
  } finally {
    closeSync(fd);
  }
}

function writeEntries(file: string, entries: Map<string, Entry>, view: (e: Entry) => Entry): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    // Entry by entry: one JSON string of the whole cache would double the scan's peak memory.
    const fd = openSync(tmp, 'w');
    try {
      for (const [abs, entry] of entries) {
        const { size, mtimeMs, outcome } = view(entry);
        writeSync(fd, `${ascii(JSON.stringify([abs, size, mtimeMs, outcome]))}\n`);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch {
    // A read-only or full cache folder only costs speed.
  }
}

/** JSON text with every non-ASCII character as a \\u escape, which JSON.parse reads back the same. */
const ascii = (json: string) => json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function defaultCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'mwaa-migrate');
}
