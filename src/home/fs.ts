import { closeSync, constants, fstatSync, mkdirSync, openSync, promises as fsp, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pLimit from 'p-limit';

// The scanner's only contact with the file system. Everything else is pure and takes contents.
// Tests replace it to inject errors that root cannot provoke (EACCES) or to count reads.

export interface ScanIO {
  stat(path: string): Promise<Stats>; // follows symlinks
  lstat(path: string): Promise<Stats>;
  readdir(path: string): Promise<string[]>;
  realpath(path: string): Promise<string>;
  readFile(path: string): Promise<Uint8Array>;
}

// Every read that holds a file or folder open goes through one limit, so homes of any size work
// under the common `ulimit -n` of 1024 (stat and friends open nothing).
const openFiles = pLimit(64);

// Opened without blocking, then checked: a FIFO, socket or device is refused instead of read
// (reading a FIFO waits forever for a writer). The flag means nothing to regular files.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const notRegular = (path: string) => Object.assign(new Error(`${path}: not a regular file`), { code: 'ENOTREG' });

async function readRegular(path: string): Promise<Buffer> {
  const fh = await fsp.open(path, OPEN_FLAGS);
  try {
    if (!(await fh.stat()).isFile()) throw notRegular(path);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Reads a whole regular file, a bounded number at a time across the process. */
export const readBounded = (path: string): Promise<Buffer> => openFiles(() => readRegular(path));

/** At most `max` bytes of a regular file, synchronously (for parsers that pull files as they go). */
export const readRegularSync = (path: string, max: number): Buffer => readStartSync(path, (size) => Math.min(size, max))!;

/** A whole regular file, synchronously; null when it is larger than `max` (nothing of it is read then). */
export const readWholeSync = (path: string, max: number): Buffer | null => readStartSync(path, (size) => (size > max ? null : size));

/** The first `length(size)` bytes of a regular file, or null when `length` says none. */
function readStartSync(path: string, length: (size: number) => number | null): Buffer | null {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(path);
    const wanted = length(st.size);
    if (wanted === null) return null;
    const buf = Buffer.allocUnsafe(wanted);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export const nodeIO: ScanIO = {
  // Synchronous: the walk stats every entry, and a stat through the thread pool and a promise costs
  // the main thread (which takes in the analysers' answers meanwhile) three to four times the CPU.
  stat: async (p) => statSync(p),
  lstat: (p) => fsp.lstat(p),
  readdir: (p) => openFiles(() => fsp.readdir(p)),
  realpath: (p) => fsp.realpath(p),
  readFile: readBounded,
};

export const NOT_REGULAR = 'not a regular file (a FIFO, socket or device): not read';

/** A one-line reason for a failed file-system call, without a stack. */
export function ioReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'does not exist (or a dangling symlink)';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'is not a directory';
    case 'ENOTREG':
      return NOT_REGULAR;
    default:
      return err?.code ? `${err.code}` : String((e as Error)?.message ?? e);
  }
}

/** Reads a text file, or null when it is absent or unreadable. */
export async function readTextOrNull(io: ScanIO, path: string): Promise<Uint8Array | null> {
  try {
    return await io.readFile(path);
  } catch {
    return null;
  }
}

/**
 * `mkdir -p`, refused inside /proc: there Node's recursive mkdir never returns (procfs answers
 * each step as if the folder were made), so a cache or output folder named there hung the CLI.
 * The deepest folder that exists is resolved first (/proc/self/cwd/x is a real folder's child).
 */
export function makeFolder(dir: string, mode?: number): void {
  const abs = resolve(dir);
  let real = abs;
  for (let d = abs; ; d = dirname(d)) {
    try {
      real = realpathSync(d);
      break;
    } catch {
      if (dirname(d) === d) break;
    }
  }
  if (real === '/proc' || real.startsWith('/proc/')) throw new Error('no folder can be made under /proc');
  mkdirSync(abs, { recursive: true, ...(mode !== undefined ? { mode } : {}) });
}
