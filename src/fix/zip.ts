import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { Inventory } from '../home/inventory.js';

// Files inside zip archives (zipped DAGs, plugins.zip): read out of the archive to be fixed, and the
// archive made again with the fixed entries (the others byte for byte) for --out, --write and plan --fix.

// DOS timestamps are local time: built from local fields, the stored value is 1980-01-01 00:00 everywhere.
const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);

/** A zip of the files (path -> bytes) at its root, entries sorted, timestamps fixed: same files, same bytes. */
export function buildZip(files: Record<string, Uint8Array>): Uint8Array {
  const tree: Zippable = {};
  for (const path of Object.keys(files).sort()) tree[path] = [files[path]!, { mtime: ZIP_EPOCH }];
  return zipSync(tree, { level: 9, mtime: ZIP_EPOCH });
}

/** Every entry of the home's archives, read once each; null for one the scan found a problem with (a bomb, unreadable). */
export function archiveReader(inv: Inventory, homePath: string): (zip: string) => Record<string, Uint8Array> | null {
  const troubled = new Set(inv.problems.filter((p) => p.code === 'too-large' || p.code === 'zip-invalid').map((p) => p.file));
  const opened = new Map<string, Record<string, Uint8Array> | null>();
  return (zip) => {
    if (!opened.has(zip)) opened.set(zip, troubled.has(zip) ? null : unzipSync(readFileSync(resolve(homePath, zip))));
    return opened.get(zip)!;
  };
}

/** Each archive holding fixed files, made again with them: archive path -> bytes. */
export function fixedArchives(files: { path: string; zip: string | null; after: string }[], entries: (zip: string) => Record<string, Uint8Array> | null): Map<string, Uint8Array> {
  const byZip = new Map<string, Record<string, Uint8Array>>();
  for (const f of files) {
    if (!f.zip) continue;
    const all = byZip.get(f.zip) ?? { ...entries(f.zip)! };
    all[f.path.slice(f.zip.length + 1)] = new TextEncoder().encode(f.after);
    byZip.set(f.zip, all);
  }
  return new Map([...byZip].map(([zip, all]) => [zip, buildZip(all)]));
}
