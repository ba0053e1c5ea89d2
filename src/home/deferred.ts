import type { PyAnalysis, PyFile } from './inventory.js';
import { forgetOutline, knowOutline, type FileOutline } from './outline.js';
import type { FileFacts } from '../python/file.js';

// A warm scan's analyses stay JSON text until something reads them: parsing every one was most
// of a warm scan (1.2 s of 2 s on 10,000 files), and the scan, its summary and the sizing read
// only outlines (see outline.ts). A deferred analysis is an ordinary property to its readers.

/** Reads a deferred analysis, once. */
export type ReadAnalysis = () => PyAnalysis;

const deferred = new WeakMap<object, ReadAnalysis>();

/** Gives `target` an `analysis` property that `read` fills the first time it is read. */
export function deferAnalysis<T extends object>(target: T, read: ReadAnalysis): T & { analysis: PyAnalysis } {
  const settle = (value: PyAnalysis | null) => {
    Object.defineProperty(target, 'analysis', { value, enumerable: true, writable: true, configurable: true });
    deferred.delete(target);
    return value;
  };
  // Another analysis written in its place has an outline of its own.
  const replace = (value: PyAnalysis | null) => (forgetOutline(target), settle(value));
  Object.defineProperty(target, 'analysis', { enumerable: true, configurable: true, get: () => settle(read()), set: replace });
  deferred.set(target, read);
  return target as T & { analysis: PyAnalysis };
}

/** An analysed outcome as a file of the inventory, its analysis still deferred if it was (and its outline known then). */
export function fileFrom(o: FileFacts & { outline?: FileOutline | null }, entry: Omit<PyFile, 'analysis'>): PyFile {
  const read = deferred.get(o);
  if (!read) return { ...entry, analysis: o.analysis };
  const file = deferAnalysis({ ...entry }, read);
  if (o.outline) knowOutline(file, o.outline);
  return file;
}
