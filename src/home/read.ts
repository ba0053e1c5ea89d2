import { unzipSync, type UnzipFileInfo } from 'fflate';
import { ioReason, type ScanIO } from './fs.js';
import type { Problem } from './inventory.js';

// Capped reads shared by the scanner's folders: a file too large or unreadable becomes a problem.

export async function readCapped(io: ScanIO, path: string, maxSize: number, shown: string, problems: Problem[], reportMissing: boolean): Promise<Uint8Array | null> {
  try {
    const st = await io.stat(path);
    if (st.size > maxSize) {
      problems.push(tooLargeProblem(shown, st.size, maxSize));
      return null;
    }
    return await io.readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' || reportMissing) problems.push({ code: code === 'ELOOP' ? 'symlink-loop' : 'unreadable', file: shown, message: ioReason(e) });
    return null;
  }
}

export function tooLargeProblem(file: string, size: number, max: number): Problem {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return { code: 'too-large', file, message: `${mb(size)} is over the ${mb(max)} limit per file; not read` };
}

export function splitBySize<T extends { size: number }>(files: T[], max: number) {
  return { fitting: files.filter((f) => f.size <= max), tooLarge: files.filter((f) => f.size > max) };
}

// A zip's entries are judged by what their headers declare before anything is inflated: one entry
// over the per-file limit, all of them over ten times it, or one that inflates more than 200-fold
// (text compresses 5 to 20-fold; bombs a thousandfold) is left packed.
const MAX_RATIO = 200;
const RATIO_FROM = 1024 * 1024;

export function openZip(bytes: Uint8Array, shown: string, problems: Problem[], maxSize: number): Record<string, Uint8Array> | null {
  let total = 0;
  const skipped: string[] = [];
  const fits = (f: UnzipFileInfo) => {
    const ok = f.originalSize <= maxSize && total + f.originalSize <= maxSize * 10 && !(f.originalSize > RATIO_FROM && f.originalSize > f.size * MAX_RATIO);
    if (ok) total += f.originalSize;
    else skipped.push(f.name);
    return ok;
  };
  try {
    const files = unzipSync(bytes, { filter: fits });
    if (skipped.length > 0) {
      const names = skipped.slice(0, 3).join(', ') + (skipped.length > 3 ? ', ...' : '');
      problems.push({ code: 'too-large', file: shown, message: `${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'} (${names}) would inflate past the limits (over the per-file limit, ten times it in all, or ${MAX_RATIO}-fold): not unpacked, a zip bomb or an archive to check by hand` });
    }
    return files;
  } catch (e) {
    problems.push({ code: 'zip-invalid', file: shown, message: `not a readable zip archive (${(e as Error).message}); Airflow skips it, so its DAGs would be lost` });
    return null;
  }
}
