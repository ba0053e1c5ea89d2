import { promises as fsp, type Stats } from 'node:fs';
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

// Every read that holds a file open goes through one limit, so homes of any size work under the
// common `ulimit -n` of 1024 (stat and friends open nothing).
const openFiles = pLimit(64);

/** Reads a whole file, a bounded number at a time across the process. */
export const readBounded = (path: string): Promise<Buffer> => openFiles(() => fsp.readFile(path));

export const nodeIO: ScanIO = {
  stat: (p) => fsp.stat(p),
  lstat: (p) => fsp.lstat(p),
  readdir: (p) => fsp.readdir(p),
  realpath: (p) => fsp.realpath(p),
  readFile: readBounded,
};

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
