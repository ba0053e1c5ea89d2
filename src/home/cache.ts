import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
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
  private entries: Record<string, Entry> = {};
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
      // Written as ASCII (below), so read as Latin-1: decoding 100 MB as UTF-8 took longer than
      // parsing it, and V8 parses a one-byte string faster.
      this.entries = JSON.parse(readFileSync(this.digestsOnly ? this.digestFile : this.file, 'latin1')) as Record<string, Entry>;
    } catch {
      this.entries = {};
    }
  }

  get(abs: string, size: number, mtimeMs: number): FileOutcome | undefined {
    const e = this.entries[abs];
    return e && e.size === size && e.mtimeMs === mtimeMs ? e.outcome : undefined;
  }

  set(abs: string, size: number, mtimeMs: number, outcome: FileOutcome): void {
    if (!outcome.ok) return; // errors may be transient
    this.entries[abs] = { size, mtimeMs, outcome };
    this.dirty = true;
  }

  /** Keeps only the given paths, so deleted files do not accumulate. */
  save(keep: Set<string>): void {
    for (const k of Object.keys(this.entries)) {
      if (!keep.has(k)) {
        delete this.entries[k];
        this.dirty = true;
      }
    }
    if (!this.dirty) return;
    const digest = ([k, e]: [string, Entry]): [string, Entry] => [k, e.outcome.ok ? { ...e, outcome: { ...e.outcome, analysis: null, problem: null } } : e];
    writeEntries(this.digestFile, Object.entries(this.entries).map(digest));
    if (!this.digestsOnly) writeEntries(this.file, Object.entries(this.entries));
  }
}

function writeEntries(file: string, entries: Iterable<[string, Entry]>): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    // Entry by entry: one JSON string of the whole cache would double the scan's peak memory.
    const fd = openSync(tmp, 'w');
    try {
      let sep = '{';
      for (const [k, v] of entries) {
        writeSync(fd, ascii(`${sep}${JSON.stringify(k)}:${JSON.stringify(v)}`));
        sep = ',';
      }
      writeSync(fd, sep === '{' ? '{}' : '}');
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
