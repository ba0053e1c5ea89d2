import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import type { Inventory } from '../../src/home/inventory.js';
import { scanHome } from '../../src/home/scan.js';
import { ROOT } from '../helpers.js';
import { requires, SHARED_REFERENCE } from '../support/requires.js';

// The REQ/PLG data tables match the MWAA reference (../shared/reference/mwaa), and the rules
// behave on the cases their fixtures do not spell out.

const REF = join(SHARED_REFERENCE, 'mwaa');
const hasReference = requires(import.meta.url, '../shared/reference');
const data = <T>(name: string): T => JSON.parse(readFileSync(join(ROOT, 'rules', 'data', name), 'utf8')) as T;

interface Constraints {
  versions: { version: string; file: string; essential: Record<string, string> | null }[];
  pins: Record<string, string>;
}

// Pins per version as counted in the reference files: [constraints file, essential file].
const COUNTS: Record<string, [number, number | null]> = {
  '1.10.12': [327, null],
  '1.10.15': [349, null],
  '2.0.2': [497, null],
  '2.2.2': [539, null],
  '2.4.3': [622, null],
  '2.5.1': [632, null],
  '2.6.3': [646, null],
  '2.7.2': [642, null],
  '2.8.1': [683, null],
  '2.9.2': [712, 25],
  '2.10.1': [716, 25],
  '2.10.3': [726, 25],
  '2.11.0': [723, 24],
  '2.11.2': [754, 24],
  '3.0.6': [796, 25],
  '3.2.1': [678, 24],
  '3.3.1': [696, 22],
};

/** A reference constraints file read as plainly as possible: every non-comment line is name==version. */
function referencePins(path: string): Map<string, string> {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return new Map(
    lines.map((l) => {
      const [name, version] = l.split('==');
      return [name!.replace(/[-_.]+/g, '-').toLowerCase(), version!];
    }),
  );
}

describe('constraints.json against mwaa/constraints', () => {
  const constraints = data<Constraints>('constraints.json');
  const column = (i: number) =>
    new Map(
      Object.entries(constraints.pins)
        .map(([name, row]) => [name, row.split(' ')[i]!] as const)
        .filter(([, v]) => v !== '-'),
    );

  it.skipIf(!hasReference)('has every reference version', () => {
    const dirs = readdirSync(join(REF, 'constraints'), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(constraints.versions.map((v) => v.version).sort()).toEqual(dirs.map((d) => d.name).sort());
  });

  it('has every version, in order, with its pin counts', () => {
    expect(constraints.versions.map((v) => v.version)).toEqual(Object.keys(COUNTS));
    constraints.versions.forEach((v, i) => {
      const essential = v.essential ? Object.keys(v.essential).length : null;
      expect([column(i).size, essential], v.version).toEqual(COUNTS[v.version]);
    });
  });

  it.skipIf(!hasReference)('holds exactly the pins of each reference file', () => {
    constraints.versions.forEach((v, i) => {
      const dir = join(REF, 'constraints', v.version);
      expect(column(i), `${v.version}/${v.file}`).toEqual(referencePins(join(dir, v.file)));
      expect(referencePins(join(dir, v.file)).size).toBe(COUNTS[v.version]![0]);
      if (v.essential) expect(new Map(Object.entries(v.essential)), v.version).toEqual(referencePins(join(dir, 'mwaa_essential_constraints.txt')));
      else expect(readdirSync(dir)).not.toContain('mwaa_essential_constraints.txt');
    });
  });

  it('pins apache-airflow to its own version among the essential constraints', () => {
    for (const v of constraints.versions) if (v.essential) expect(v.essential['apache-airflow']).toBe(v.version);
  });

  it.skipIf(!hasReference)('takes the 2.x pre-installed providers from mwaa.yaml', () => {
    const mwaa = parse(readFileSync(join(REF, 'mwaa.yaml'), 'utf8')) as { airflow_versions: { preinstalled: { provider_packages_2_10_1: string[] } } };
    const listed = mwaa.airflow_versions.preinstalled.provider_packages_2_10_1.map((p) => `apache-airflow-providers-${p.replace(/\./g, '-')}`);
    expect(data<{ preinstalled: Record<string, string[]> }>('providers.json').preinstalled['2']).toEqual(listed.sort());
  });
});

// ---------------------------------------------------------------------------------------------

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-req-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let homes = 0;

async function scan(files: Record<string, string>): Promise<Inventory> {
  const home = join(tmp, `home${homes++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(home, path)), { recursive: true });
    writeFileSync(join(home, path), text);
  }
  return scanHome(home, { cache: false, workers: 0 });
}

const catalog = loadCatalog();
const found = (inv: Inventory, target: string, rule: string) =>
  check(inv, catalog, { target, select: [rule] })
    .findings.filter((f) => f.ruleId === rule)
    .map((f) => `${f.file}:${f.line}`);
const dag = (imports: string) => `${imports}\nfrom airflow import DAG\n\nDAG(dag_id="d")\n`;
const C2103 = '-c https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt\n';

describe('REQ rules', () => {
  it('judges each package by the first layer that pins it and reads every specifier form', async () => {
    const inv = await scan({
      'requirements.txt': C2103 + 'pandas~=2.1.0\npandas!=2.1.4\npandas==2.1.*\nnumpy>=1.26,<1.27\ncelery>=5.5\napache-airflow>=2.10\nnumpy===1.26.3\n',
    });
    expect(found(inv, '2.10.3', 'REQ003')).toEqual(['requirements.txt:3', 'requirements.txt:8']);
    expect(found(inv, '2.10.3', 'REQ002')).toEqual(['requirements.txt:6']);
    expect(found(inv, '2.10.3', 'REQ001')).toEqual([]);
    expect(found(inv, '2.9.2', 'REQ001')).toEqual(['requirements.txt:7']);
  });

  it('stays silent about constraints for a target without constraints data', async () => {
    const inv = await scan({ 'requirements.txt': 'pandas==1.0.0\nacme-tools\napache-airflow==2.10.3\n' });
    expect(found(inv, '3.1.6', 'REQ003')).toEqual([]);
    expect(found(inv, '3.1.6', 'REQ006')).toEqual([]);
    expect(found(inv, '3.1.6', 'REQ001')).toEqual(['requirements.txt:3']);
  });

  it('wants the --constraint line in requirements.txt itself, and only when it installs something', async () => {
    expect(found(await scan({ 'requirements.txt': '--index-url https://pypi.org/simple\n' }), '2.10.3', 'REQ004')).toEqual([]);
    const included = await scan({ 'requirements.txt': '-r more.txt\npandas\n', 'more.txt': C2103 });
    expect(found(included, '2.10.3', 'REQ004')).toEqual(['requirements.txt:1']);
    // MWAA checks from 2.7.2 on.
    expect(found(included, '2.6.3', 'REQ004')).toEqual([]);
  });

  it('reads the variants of Airflow constraints URLs', async () => {
    const inv = await scan({
      'requirements.txt':
        '-c https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-no-providers-3.11.txt\n' +
        '-c https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-source-providers-3.12.txt\n' +
        '-c https://example.com/our-constraints.txt\npandas\n',
    });
    expect(found(inv, '2.10.3', 'REQ005')).toEqual(['requirements.txt:2']);
  });

  it('maps imports to provider packages and reports each missing one once', async () => {
    const inv = await scan({
      'requirements.txt': C2103 + 'apache-airflow-providers-dbt-cloud\n',
      'dags/a.py': dag(
        'from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n' +
          'from airflow.providers.dbt.cloud.operators.dbt import DbtCloudRunJobOperator\n' +
          'from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n' +
          'from airflow.operators.bash import BashOperator\n' +
          'from airflow.macros.hive import max_partition',
      ),
      'dags/b.py': dag('import airflow.providers.microsoft.azure.hooks.wasb\nfrom airflow.providers.cncf.kubernetes.operators import *'),
      'dags/c.py': dag('from airflow.providers.cncf.kubernetes import kube_client'),
      'plugins/azure_tools.py': 'from airflow.providers.microsoft.azure.hooks.wasb import WasbHook\n',
    });
    const on2 = check(inv, catalog, { target: '2.10.3', select: ['REQ012'] }).findings;
    expect(on2.map((f) => `${f.file}:${f.line} ${f.text}`)).toEqual([
      'dags/a.py:1 airflow.providers.cncf.kubernetes.operators.pod.KubernetesPodOperator',
      'dags/b.py:1 airflow.providers.microsoft.azure.hooks.wasb',
    ]);
    expect(on2[0]!.message).toContain('apache-airflow-providers-cncf-kubernetes (and 2 more files)');
    expect(on2[1]!.message).toContain('apache-airflow-providers-microsoft-azure (and 1 more file)');
    // On Airflow 3, airflow.macros.hive belongs to the hive provider; BashOperator's standard provider is pre-installed.
    expect(found(inv, '3.0.6', 'REQ012')).toEqual(['dags/a.py:1', 'dags/a.py:5', 'dags/b.py:1']);
  });

  it('counts apache-airflow extras as the providers they install', async () => {
    const inv = await scan({
      'requirements.txt': C2103 + 'apache-airflow[cncf.kubernetes,google]==2.10.3\n',
      'dags/a.py': dag('from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\nfrom airflow.providers.google.cloud.hooks.gcs import GCSHook'),
    });
    expect(found(inv, '2.10.3', 'REQ012')).toEqual([]);
  });
});

describe('PLG rules', () => {
  it('flags every import form of a 1.10 plugin module, and only for named plugins', async () => {
    const inv = await scan({
      'plugins/acme_plugin.py':
        'from airflow.plugins_manager import AirflowPlugin\nfrom acme.ops import AcmeOperator\n\n\nclass AcmePlugin(AirflowPlugin):\n    name = "acme_plugin"\n    operators = [AcmeOperator]\n\n\nclass Nameless(AirflowPlugin):\n    hooks = []\n',
      'dags/a.py': dag('import airflow.operators.acme_plugin\nfrom airflow.sensors import acme_plugin\nfrom airflow.operators.acme_plugin_extra import X\nfrom airflow.macros.acme_plugin import fiscal_quarter'),
    });
    const hits = check(inv, catalog, { target: '2.10.3', select: ['PLG002'] }).findings;
    expect(hits.map((f) => `${f.file}:${f.line}`)).toEqual(['dags/a.py:1', 'dags/a.py:2']);
    expect(hits[0]!.fix).toBe('Import the module in plugins/acme_plugin.py that defines it directly (the plugins folder is on sys.path).');
  });

  it('gives a reason for plugin files inside plugins.zip that cannot be decoded', async () => {
    const inv = await scan({ 'plugins/ok.py': 'x = 1\n' });
    inv.plugins.files.push({ path: 'plugins.zip/bad.py', size: 3, sha256: '', zip: 'plugins.zip', analysis: null });
    const hits = check(inv, catalog, { select: ['PLG005'] }).findings;
    expect(hits.map((f) => [f.file, f.line, f.message])).toEqual([
      ['plugins.zip/bad.py', 1, 'it could not be read or decoded; Airflow cannot import this plugin module, so nothing it defines is available on MWAA.'],
    ]);
  });
});

describe('speed', () => {
  it('checks a 10,000-file home quickly', async () => {
    const inv = await scan({
      'requirements.txt': C2103 + 'pandas==1.0.0\nacme-tools\n',
      'plugins/acme_plugin.py': 'from airflow.plugins_manager import AirflowPlugin\n\n\nclass AcmePlugin(AirflowPlugin):\n    name = "acme_plugin"\n',
      'dags/a.py': dag(
        'from airflow.providers.google.cloud.hooks.gcs import GCSHook\nfrom airflow.contrib.hooks.redis_hook import RedisHook\nfrom airflow.operators.acme_plugin import X\nimport pandas',
      ),
    });
    const template = inv.dagFiles[0]!;
    inv.dagFiles = Array.from({ length: 10_000 }, (_, i) => ({ ...template, path: `dags/d${i}.py` }));
    const started = performance.now();
    const result = check(inv, catalog, { target: '2.10.3', select: ['REQ', 'PLG'] });
    const elapsed = performance.now() - started;
    expect(result.findings.filter((f) => f.ruleId === 'REQ012')).toHaveLength(2);
    expect(result.findings.filter((f) => f.ruleId === 'PLG002')).toHaveLength(10_000);
    expect(elapsed).toBeLessThan(2_000);
  });
});
