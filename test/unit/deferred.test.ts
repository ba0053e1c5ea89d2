import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScanCache } from '../../src/home/cache.js';
import { fileFrom } from '../../src/home/deferred.js';
import { importCandidates } from '../../src/home/dag-folder.js';
import type { Inventory, PyAnalysis, PyFile } from '../../src/home/inventory.js';
import { outlineFrom, outlineOf } from '../../src/home/outline.js';
import { scanHome } from '../../src/home/scan.js';
import { fileFacts } from '../../src/python/file.js';
import { loadTreeSitter } from '../../src/python/parser.js';
import type { FileOutcome } from '../../src/python/pool.js';
import { renderScanText } from '../../src/report/scan-text.js';
import { sizeEnvironment } from '../../src/sizing/sizing.js';

// A warm scan's analyses stay in the cache file till read (deferred.ts, cache.ts), and what the
// scan itself, its text and the sizing read comes from each file's outline (outline.ts).

beforeAll(loadTreeSitter);

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

function pyFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.py'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const analysed = (abs: string) => fileFacts(readFileSync(abs), true);
const isDeferred = (o: object) => Object.getOwnPropertyDescriptor(o, 'analysis')?.get !== undefined;
const openFiles = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0);

describe('outline', () => {
  it("agrees with its analysis on every fixture file: counts, DAGs and the files an import may load", () => {
    const files = pyFiles(FIXTURES);
    expect(files.length).toBeGreaterThan(50);
    let tasks = 0;
    for (const abs of files) {
      const a = analysed(abs).analysis;
      if (!a) continue;
      const o = outlineFrom(a);
      const byDag = o.tasksByDag.reduce((n, c) => n + c.tasks, 0);
      expect(byDag + o.untied.tasks, abs).toBe(a.tasks.length);
      expect(byDag, abs).toBe(a.tasks.filter((t) => t.dag !== null).length);
      a.dags.forEach((_, i) => expect(o.tasksByDag[i]!.expanded, abs).toBe(a.tasks.filter((t) => t.dag === i && (t.inLoop || t.mapped)).length));
      expect(o.dags).toEqual(a.dags);
      expect(o.envReads).toEqual([...new Set(a.envReads.map((r) => r.name))]);
      const rel = relative(FIXTURES, abs);
      expect(importCandidates(rel, o.localImports), abs).toEqual(importCandidates(rel, a.imports));
      tasks += a.tasks.length;
    }
    expect(tasks).toBeGreaterThan(50);
  });
});

describe('deferred analyses', () => {
  const sources = pyFiles(join(FIXTURES, 'homes', 'airflow2', 'dags')).slice(0, 6);

  function filled(dir: string): Map<string, FileOutcome & { ok: true }> {
    const cache = new ScanCache(dir, '/home/x', '1.0.0');
    cache.load();
    const written = new Map<string, FileOutcome & { ok: true }>();
    sources.forEach((abs, i) => {
      const o: FileOutcome & { ok: true } = { ok: true, ...analysed(abs) };
      written.set(`/home/x/dags/f${i}.py`, o);
      cache.set(`/home/x/dags/f${i}.py`, i, 1000 + i, o);
    });
    cache.save(new Set(written.keys()));
    return written;
  }

  it('reads outlines at once and each analysis when first read, from the file it opened even once replaced, then closes it', () => {
    expect(sources.length).toBeGreaterThan(3);
    const dir = mkdtempSync(join(tmpdir(), 'deferred-'));
    const written = filled(dir);
    const before = openFiles();
    const cache = new ScanCache(dir, '/home/x', '1.0.0', { defer: true });
    cache.load();
    const hits = [...written.keys()].map((abs, i) => cache.get(abs, i, 1000 + i) as FileOutcome & { ok: true });
    // Another run puts a cache of other files in its place: the analyses still come from the one read.
    const other = mkdtempSync(join(tmpdir(), 'deferred-'));
    const cacheOther = new ScanCache(other, '/home/x', '1.0.0');
    cacheOther.load();
    cacheOther.set('/home/x/dags/g.py', 1, 1, { ok: true, ...analysed(sources[0]!) });
    cacheOther.save(new Set(['/home/x/dags/g.py']));
    const name = readdirSync(other).find((f) => !f.endsWith('.digests.json'))!;
    renameSync(join(other, name), join(dir, name));
    cache.save(new Set(written.keys()));

    const files = hits.map((o, i) => fileFrom(o, { path: `dags/f${i}.py`, size: i, sha256: o.sha256, md5: o.md5, zip: null, role: 'dag' }));
    [...written.values()].forEach((w, i) => {
      expect(isDeferred(hits[i]!)).toBe(true);
      expect(isDeferred(files[i]!)).toBe(true);
      // The outline, without the analysis.
      expect(outlineOf(files[i]!)).toEqual(outlineFrom(w.analysis!));
      expect(isDeferred(files[i]!)).toBe(true);
    });
    if (before) expect(openFiles()).toBe(before + 1);
    [...written.values()].forEach((w, i) => {
      // Read through a copy, as JSON and as the property: the same analysis, parsed once.
      expect(JSON.parse(JSON.stringify({ ...files[i]! })).analysis).toEqual(w.analysis);
      expect(files[i]!.analysis).toBe(hits[i]!.analysis);
      expect(isDeferred(files[i]!)).toBe(false);
    });
    if (before) expect(openFiles()).toBe(before);
  });

  it('is an ordinary property to write, and the outline follows what is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deferred-'));
    filled(dir);
    const cache = new ScanCache(dir, '/home/x', '1.0.0', { defer: true });
    cache.load();
    const o = cache.get('/home/x/dags/f0.py', 0, 1000) as FileOutcome & { ok: true };
    const f = fileFrom(o, { path: 'dags/f0.py', size: 0, sha256: o.sha256, md5: o.md5, zip: null, role: 'dag' });
    expect(outlineOf(f)).not.toBeNull();
    f.analysis = null;
    expect(f.analysis).toBeNull();
    expect(outlineOf(f)).toBeNull();
    expect(o.analysis).not.toBeNull();
    cache.save(new Set());
  });
});

describe('a warm scan with deferred analyses', () => {
  const plain = (inv: Inventory) => JSON.parse(JSON.stringify(inv)) as Inventory;
  const analysesOf = (inv: Inventory): PyFile[] => [...inv.dagFiles, ...inv.plugins.files].filter((f) => f.analysis !== null);

  for (const name of ['airflow1', 'airflow2', 'airflow3']) {
    it(`${name}: gives the cold scan's inventory, text and sizing, and parses no analysis for them`, async () => {
      const home = join(FIXTURES, 'homes', name);
      const envFile = existsSync(join(home, '.env')) ? join(home, '.env') : undefined;
      const cacheDir = mkdtempSync(join(tmpdir(), 'deferred-scan-'));
      const cold = await scanHome(home, { envFile, cache: false });
      await scanHome(home, { envFile, cacheDir });
      const warm = await scanHome(home, { envFile, cacheDir, deferAnalyses: true });
      const dagFiles = warm.dagFiles.filter((f) => isDeferred(f));
      expect(dagFiles.length).toBeGreaterThan(0);
      expect(warm.summary).toEqual(cold.summary);
      const sizing = { target: '2.10.3', region: 'us-east-1' };
      expect(sizeEnvironment(warm, sizing)).toEqual(sizeEnvironment(cold, sizing));
      expect(renderScanText(warm, { color: false, width: 100 })).toBe(renderScanText(cold, { color: false, width: 100 }));
      // Only the plugins' classes are read during the scan (their registers); no DAG file's analysis.
      expect(warm.dagFiles.filter((f) => isDeferred(f))).toEqual(dagFiles);
      expect(plain(warm)).toEqual(plain(cold));
      expect(analysesOf(warm).length).toBe(analysesOf(cold).length);
    });
  }

  it("reads the DAG files' analyses when the version is decided from their imports", async () => {
    const home = join(FIXTURES, 'homes', 'mixed');
    const cacheDir = mkdtempSync(join(tmpdir(), 'deferred-scan-'));
    const cold = await scanHome(home, { cache: false });
    await scanHome(home, { cacheDir });
    const warm = await scanHome(home, { cacheDir, deferAnalyses: true });
    expect(warm.airflowVersion).toEqual(cold.airflowVersion);
    expect(warm.airflowVersion.source).toBe('dag-imports');
    expect(warm.dagFiles.some((f) => isDeferred(f))).toBe(false);
    expect(plain(warm)).toEqual(plain(cold));
  });

  it('parses each analysis as it reads the cache when not asked to defer', async () => {
    const home = join(FIXTURES, 'homes', 'airflow2');
    const cacheDir = mkdtempSync(join(tmpdir(), 'deferred-scan-'));
    await scanHome(home, { cacheDir });
    const warm = await scanHome(home, { cacheDir });
    expect(warm.dagFiles.some((f) => isDeferred(f))).toBe(false);
    const analysis: PyAnalysis | null = warm.dagFiles[0]!.analysis;
    expect(analysis).not.toBeNull();
  });
});
