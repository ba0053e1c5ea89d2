import { mkdtempSync, readdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScanCache } from '../../src/home/cache.js';
import type { FileOutcome } from '../../src/python/pool.js';

// The scan cache on disk: what a re-scan reads back, and what it does with a file it cannot use.

const outcome = (text: string): FileOutcome => ({ ok: true, sha256: 'a'.repeat(64), md5: 'b'.repeat(32), mightContainDag: true, analysis: null, problem: { code: 'python2', message: text } });
// Read back with its outline (none without an analysis).
const readBack = (text: string) => ({ ...outcome(text), outline: null });

function filled(dir: string, n: number): ScanCache {
  const cache = new ScanCache(dir, '/home/x', '1.0.0');
  cache.load();
  for (let i = 0; i < n; i++) cache.set(`/home/x/dags/f${i}.py`, i, 1000 + i, outcome(text(i)));
  cache.save(new Set(Array.from({ length: n }, (_, i) => `/home/x/dags/f${i}.py`)));
  return cache;
}

// Every tenth entry is over the 1 MiB piece the cache is read by, so entries cross piece boundaries.
const text = (i: number) => `file ${i} ünïcödé ✓ ${'x'.repeat(i % 10 ? i : 1.5 * 2 ** 20)}`;

const reread = (dir: string) => {
  const cache = new ScanCache(dir, '/home/x', '1.0.0');
  cache.load();
  return cache;
};

const analysisFile = (dir: string) => join(dir, readdirSync(dir).find((f) => f.endsWith('.json') && !f.endsWith('.digests.json'))!);

describe('scan cache', () => {
  it('reads back every entry, non-ASCII text included, and only for the same size and mtime', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-'));
    filled(dir, 25);
    const cache = reread(dir);
    for (let i = 0; i < 25; i++) expect(cache.get(`/home/x/dags/f${i}.py`, i, 1000 + i)).toEqual(readBack(text(i)));
    expect(cache.get('/home/x/dags/f7.py', 8, 1007)).toBeUndefined();
    expect(cache.get('/home/x/dags/f7.py', 7, 1008)).toBeUndefined();
    // Written as ASCII, so it can be read as Latin-1.
    expect(readFileSync(analysisFile(dir)).every((b) => b < 0x80)).toBe(true);
  });

  it('uses nothing of a file cut short, of another layout or of garbage, and writes it anew', () => {
    for (const spoil of [
      (f: string) => truncateSync(f, readFileSync(f).length - 10),
      (f: string) => writeFileSync(f, JSON.stringify({ '/home/x/dags/f1.py': { size: 1, mtimeMs: 1001, outcome: outcome('old') } })),
      (f: string) => writeFileSync(f, Buffer.from([0xff, 0x00, 0x5b, 0x0a])),
    ]) {
      const dir = mkdtempSync(join(tmpdir(), 'cache-'));
      filled(dir, 3);
      spoil(analysisFile(dir));
      const cache = reread(dir);
      for (let i = 0; i < 3; i++) expect(cache.get(`/home/x/dags/f${i}.py`, i, 1000 + i)).toBeUndefined();
      cache.set('/home/x/dags/f1.py', 1, 1001, outcome('new'));
      cache.save(new Set(['/home/x/dags/f1.py']));
      expect(reread(dir).get('/home/x/dags/f1.py', 1, 1001)).toEqual(readBack('new'));
    }
  });

  it('writes a re-scan anew from the lines it kept, byte for byte, the changed entry and no deleted one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-'));
    filled(dir, 12);
    const before = readFileSync(analysisFile(dir), 'latin1').split('\n');
    const cache = reread(dir);
    const keep = new Set<string>();
    for (let i = 0; i < 11; i++) {
      const abs = `/home/x/dags/f${i}.py`;
      keep.add(abs);
      if (i === 4) cache.set(abs, 40, 1004, outcome('changed'), 'null');
      else expect(cache.get(abs, i, 1000 + i)).toBeDefined();
    }
    cache.save(keep);
    const after = readFileSync(analysisFile(dir), 'latin1').split('\n');
    expect(after.filter((l) => before.includes(l) && l).length).toBe(10);
    expect(after.some((l) => l.includes('f11.py'))).toBe(false);
    const back = reread(dir);
    expect(back.get('/home/x/dags/f4.py', 40, 1004)).toEqual(readBack('changed'));
    for (const i of [0, 3, 5, 9, 10]) expect(back.get(`/home/x/dags/f${i}.py`, i, 1000 + i)).toEqual(readBack(text(i)));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('copies kept lines from the file it read, even when another run has replaced it since', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-'));
    filled(dir, 5);
    const cache = reread(dir);
    for (let i = 0; i < 5; i++) cache.get(`/home/x/dags/f${i}.py`, i, 1000 + i);
    // Another scan's cache takes its place: a shorter file, so offsets into it would cut entries apart.
    const other = mkdtempSync(join(tmpdir(), 'cache-'));
    filled(other, 1);
    renameSync(analysisFile(other), analysisFile(dir));
    cache.set('/home/x/dags/f5.py', 5, 1005, outcome('new'));
    cache.save(new Set(Array.from({ length: 6 }, (_, i) => `/home/x/dags/f${i}.py`)));
    const back = reread(dir);
    for (let i = 0; i < 5; i++) expect(back.get(`/home/x/dags/f${i}.py`, i, 1000 + i)).toEqual(readBack(text(i)));
    expect(back.get('/home/x/dags/f5.py', 5, 1005)).toEqual(readBack('new'));
  });

  it('removes what a killed run left half written, and never reads it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-'));
    filled(dir, 2);
    // A process that has exited: its pid names the left-over file.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const leftOver = `${analysisFile(dir)}.${dead}.tmp`;
    writeFileSync(leftOver, '["/home/x/dags/f0.py",0,1000,{"ok":tr');
    const cache = reread(dir);
    expect(cache.get('/home/x/dags/f0.py', 0, 1000)).toEqual(readBack(text(0)));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
