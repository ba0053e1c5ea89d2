import { unzipSync } from 'fflate';
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

export function openZip(bytes: Uint8Array, shown: string, problems: Problem[]): Record<string, Uint8Array> | null {
  try {
    return unzipSync(bytes);
  } catch (e) {
    problems.push({ code: 'zip-invalid', file: shown, message: `not a readable zip archive (${(e as Error).message}); Airflow skips it, so its DAGs would be lost` });
    return null;
  }
}
