import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanHome } from '../../src/home/scan.js';
import { buildArtifacts, pluginsLayoutProblems } from '../../src/plan/artifacts.js';
import { buildZip } from '../../src/fix/zip.js';
import { HOMES, leakedCanaries } from '../helpers.js';

const scan = (home: string) => scanHome(join(HOMES, home), { cache: false, envFile: home === 'airflow2' ? join(HOMES, home, '.env') : undefined });

describe('plugins.zip', () => {
  it.each(['airflow1', 'airflow2'])('is built flat and byte-identical twice from %s/plugins', async (home) => {
    const inv = await scan(home);
    const [a, b] = [await buildArtifacts(inv, '2.10.3', 'dags'), await buildArtifacts(inv, '2.10.3', 'dags')];
    expect(a.plugins).not.toBeNull();
    expect(Buffer.from(a.plugins!.bytes).equals(Buffer.from(b.plugins!.bytes))).toBe(true);
    expect(a.plugins!.md5).toBe(b.plugins!.md5);
    const entries = Object.keys(unzipSync(a.plugins!.bytes));
    expect(entries).toEqual([...entries].sort());
    expect(entries.some((e) => e.startsWith('plugins/'))).toBe(false);
    expect(entries.filter((e) => /(__pycache__|\.pyc$|\.DS_Store|\.airflowignore)/.test(e))).toEqual([]);
    expect(a.plugins!.layoutProblems).toEqual([]);
  });

  it('does not depend on the time zone or the order files come in', () => {
    const files = { 'b.py': new TextEncoder().encode('b'), 'a/x.py': new TextEncoder().encode('x') };
    const reversed = { 'a/x.py': files['a/x.py'], 'b.py': files['b.py'] };
    expect(Buffer.from(buildZip(files)).equals(Buffer.from(buildZip(reversed)))).toBe(true);
  });

  it('flags a wrapping folder and modules buried too deep', () => {
    expect(pluginsLayoutProblems(['plugins/a.py', 'plugins/b/c.py'])[0]).toMatch(/under plugins\//);
    expect(pluginsLayoutProblems(['a.py', 'pkg/__init__.py'])).toEqual([]);
    expect(pluginsLayoutProblems(['x.py', 'a/b/c/d/e.py'])).toHaveLength(1);
  });
});

describe('DAG objects', () => {
  it('keys every file under the DAG folder by its path there, zips as .zip', async () => {
    const { dags } = await buildArtifacts(await scan('airflow2'), '2.10.3', 'mwaa/dags');
    const keys = dags.map((d) => d.key);
    expect(keys).toContain('mwaa/dags/packaged_reports.zip');
    expect(keys).toContain('mwaa/dags/finance/ledger_utils.py');
    expect(keys).toContain('mwaa/dags/sql/reindex_hot_tables.sql');
    expect(keys.some((k) => k.includes('.zip/'))).toBe(false);
    for (const d of dags) expect(d.md5).toMatch(/^[0-9a-f]{32}$/);
  });

  it('carries the MD5 and size of the bytes on disk, with or without the analysis (the hashes come from the scan)', async () => {
    for (const analyze of [true, false]) {
      const inv = await scanHome(join(HOMES, 'airflow2'), { cache: false, analyze });
      const { dags } = await buildArtifacts(inv, '2.10.3', 'dags');
      for (const d of dags) {
        const bytes = readFileSync(join(HOMES, 'airflow2', d.source));
        expect([d.key, d.size, d.md5]).toEqual([d.key, bytes.length, createHash('md5').update(bytes).digest('hex')]);
      }
    }
  });

  it('plans 1,500 DAG files in a process allowed 256 open files', () => {
    const home = mkdtempSync(join(tmpdir(), 'mm-many-'));
    for (let i = 0; i < 1500; i++) {
      mkdirSync(join(home, 'dags', `team_${i % 7}`), { recursive: true });
      writeFileSync(join(home, 'dags', `team_${i % 7}`, `dag_${i}.py`), `from airflow import DAG\nwith DAG("d${i}") as dag:\n    pass\n`);
      if (i % 10 === 0) writeFileSync(join(home, 'dags', `team_${i % 7}`, `q_${i}.sql`), `select ${i};\n`);
    }
    const script = `const { scanHome } = await import(${JSON.stringify(new URL('../../dist/home/scan.js', import.meta.url).href)});
      const { buildArtifacts } = await import(${JSON.stringify(new URL('../../dist/plan/artifacts.js', import.meta.url).href)});
      const inv = await scanHome(${JSON.stringify(home)}, { cache: false });
      console.log((await buildArtifacts(inv, '2.10.3', 'dags')).dags.length);`;
    writeFileSync(join(home, 'plan.mjs'), script);
    const r = spawnSync('bash', ['-c', 'ulimit -n 256 && exec "$0" "$1"', process.execPath, join(home, 'plan.mjs')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1650');
  });
});

describe('files .airflowignore hides', () => {
  it('go to MWAA when a DAG imports them, with the .airflowignore files; the others stay home', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mm-ignored-'));
    mkdirSync(join(home, 'dags', 'lib'), { recursive: true });
    mkdirSync(join(home, 'dags', 'scratch'), { recursive: true });
    writeFileSync(join(home, 'dags', '.airflowignore'), 'lib/\nscratch/\n');
    writeFileSync(join(home, 'dags', 'lib', 'helpers.py'), 'def airflow_dag_helper():\n    return 1\n');
    writeFileSync(join(home, 'dags', 'scratch', 'wip.py'), 'from airflow import DAG\nDAG("wip")\n');
    writeFileSync(join(home, 'dags', 'etl.py'), 'from airflow import DAG\nfrom lib.helpers import airflow_dag_helper\nwith DAG("etl") as dag:\n    pass\n');
    const { dags } = await buildArtifacts(await scanHome(home, { cache: false }), '2.10.3', 'dags');
    expect(dags.map((d) => d.key).sort()).toEqual(['dags/.airflowignore', 'dags/etl.py', 'dags/lib/helpers.py']);
  });
});

describe('plugins only as plugins.zip', () => {
  it('uploads the zip as it is, with a note', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mm-pz-'));
    mkdirSync(join(home, 'dags'));
    const zip = buildZip({ 'my_plugin.py': new TextEncoder().encode('from airflow.plugins_manager import AirflowPlugin\n') });
    writeFileSync(join(home, 'plugins.zip'), zip);
    const built = await buildArtifacts(await scanHome(home, { cache: false }), '2.10.3', 'dags');
    expect(built.plugins?.md5).toBe(createHash('md5').update(zip).digest('hex'));
    expect(built.plugins?.entries).toEqual(['my_plugin.py']);
    expect(built.notes.join('\n')).toMatch(/plugins\.zip uploaded as it is/);
  });
});

describe('requirements.txt for MWAA', () => {
  it('airflow1: pin gone, -r inlined, constraint line first, credential index dropped', async () => {
    const { requirements, notes, requirementsDiff } = await buildArtifacts(await scan('airflow1'), '2.10.3', 'dags');
    const text = new TextDecoder().decode((requirements as { bytes: Uint8Array }).bytes);
    const lines = text.split('\n');
    expect(lines[0]).toBe('--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt"');
    expect(text).not.toMatch(/^apache-airflow==/m);
    expect(text).not.toMatch(/^-r /m);
    expect(text).toMatch(/^great-expectations==0.13.11$/m);
    expect(text).not.toMatch(/index-url/);
    expect(notes.some((n) => /credential/.test(n))).toBe(true);
    expect(requirementsDiff).toMatch(/^-apache-airflow==1.10.15$/m);
    expect(leakedCanaries(text + requirementsDiff + notes.join('\n'))).toEqual([]);
  });

  it('airflow2: the old constraint line is replaced by the target one', async () => {
    const { requirements } = await buildArtifacts(await scan('airflow2'), '3.0.6', 'dags');
    const text = new TextDecoder().decode((requirements as { bytes: Uint8Array }).bytes);
    expect(text.match(/--constraint/g)).toHaveLength(1);
    expect(text.startsWith('--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-3.0.6/constraints-3.12.txt"\n')).toBe(true);
    expect(text).toMatch(/^pywin32==306 ; sys_platform == "win32"$/m);
  });
});
