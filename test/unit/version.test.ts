import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeIO } from '../../src/home/fs.js';
import type { PyImport, VersionDecision } from '../../src/home/inventory.js';
import { scanHome } from '../../src/home/scan.js';
import { airflowImageVersion, parseCompose, parseDockerfile, parseHelmValues, parsePinFile, readVersionFiles } from '../../src/home/version-files.js';
import { decideVersion } from '../../src/home/version.js';
import { HOMES } from '../helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-version-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The version-detection table: every fixture home through the real scanner. `evidence` is a piece
// of text the decision must show; "-" means no exact release is claimed.
const TABLE: [home: string, evidence: string, detected: string, source: VersionDecision['source'], confidence: VersionDecision['confidence']][] = [
  ['airflow1', 'requirements.txt:6 pins apache-airflow==1.10.15', '1.10.15', 'requirements-pin', 'high'],
  ['airflow2', "requirements.txt:1 uses Airflow's constraints for 2.7.2", '2.7.2', 'constraints-url', 'high'],
  ['airflow3', 'requirements.txt:2 pins apache-airflow==3.0.6', '3.0.6', 'requirements-pin', 'high'],
  ['broken', "100% of the 10 options in airflow.cfg exist in Airflow 2.2.2's catalogue", '2.2.2', 'config-fingerprint', 'medium'],
  ['versions/dockerfile', 'Dockerfile:4 FROM apache/airflow:2.9.2-python3.11', '2.9.2', 'image-tag', 'high'],
  ['versions/compose', 'docker-compose.yaml:3 image: ${AIRFLOW_IMAGE_NAME:-apache/airflow:2.8.1}', '2.8.1', 'image-tag', 'high'],
  ['versions/helm', 'helm/values.yaml:5 airflowVersion: 2.10.3', '2.10.3', 'image-tag', 'high'],
  ['versions/freeze', 'pip-freeze.txt:2 pins apache-airflow==2.6.3', '2.6.3', 'pinned-file', 'high'],
  ['versions/pin-1.10.12', 'requirements.txt:1 pins apache-airflow==1.10.12', '1.10.12', 'requirements-pin', 'high'],
  ['versions/conflict', 'Dockerfile:1 FROM apache/airflow:2.7.1-python3.10, which disagrees', '2.8.1', 'requirements-pin', 'medium'],
  ['versions/cfg-1.10', '1.10.15 is the only 1.10 catalogue, so only the family is known', '1.10 (family)', 'config-fingerprint', 'medium'],
  ['versions/mixed-imports', '2 files point to 2.x, 1 file points to 3.x, 1 file points to 1.10', '2.x (family)', 'dag-imports', 'low'],
  ['versions/imports-3x', '2 files point to 3.x, 1 file points to 2.x', '3.x (family)', 'dag-imports', 'low'],
  ['versions/astro', 'astro-runtime:12.1.1 is an Astro Runtime image', '2.x (family)', 'dag-imports', 'low'],
];

const EXACT = new Set(['requirements-pin', 'constraints-url', 'image-tag', 'pinned-file']);

describe('version-detection table (real scanner over the fixture homes)', () => {
  it.each(TABLE)('%s: %s -> %s (%s, %s)', async (home, evidence, detected, source, confidence) => {
    const v = (await scanHome(join(HOMES, home), { cache: false, env: {} })).airflowVersion;
    expect({ detected: v.version ?? `${v.family} (family)`, source: v.source, confidence: v.confidence }).toEqual({ detected, source, confidence });
    expect(v.evidence.join('\n')).toContain(evidence);
    // No "high" without exact evidence naming the very version reported.
    if (v.confidence === 'high') {
      expect(EXACT.has(v.source)).toBe(true);
      expect(v.pins?.some((p) => p.version === v.version)).toBe(true);
    }
    // Each import is counted once: no evidence line repeats.
    expect(new Set(v.evidence).size).toBe(v.evidence.length);
  });
});

const imp = (name: string, file: string, guarded: PyImport['guarded'] = 'none', line = 1): PyImport & { file: string } => ({
  name,
  module: name.slice(0, name.lastIndexOf('.')),
  alias: null,
  level: 0,
  guarded,
  line,
  col: 1,
  file,
});

describe('imports vote by file', () => {
  it('one airflow.sdk import does not outvote 87 files of 1.10 imports', () => {
    const imports = Array.from({ length: 87 }, (_, i) => imp('airflow.contrib.hooks.aws_hook.AwsHook', `dags/d${i}.py`));
    imports.push(imp('airflow.sdk.DAG', 'dags/new.py'));
    const v = decideVersion({ requirements: [], cfgKeys: [], imports });
    expect(v).toMatchObject({ version: null, family: '1.10', confidence: 'low' });
    expect(v.evidence[0]).toBe('87 files point to 1.10, 1 file points to 3.x');
  });

  it('guarded imports do not vote, whatever the guard', () => {
    const imports = [
      imp('airflow.sdk.dag', 'a.py', 'try', 3),
      imp('airflow.decorators.dag', 'a.py', 'fallback', 5),
      imp('airflow.sdk.Context', 'a.py', 'type-checking', 8),
      imp('airflow.providers.http.hooks.http.HttpHook', 'b.py'),
    ];
    const v = decideVersion({ requirements: [], cfgKeys: [], imports });
    expect(v).toMatchObject({ family: '2.x', candidates: [{ version: '2.x', score: 1 }] });
    expect(v.evidence).toContain('3 guarded imports (try/except, TYPE_CHECKING) not counted');
    expect(decideVersion({ requirements: [], cfgKeys: [], imports: imports.slice(0, 3) })).toMatchObject({ source: 'none' });
  });

  it('counts `from x import A, B` once, and a 1.10 package-level import pins a file to 1.10', () => {
    const v = decideVersion({
      requirements: [],
      cfgKeys: [],
      imports: [imp('airflow.operators.PythonOperator', 'a.py', 'none', 2), imp('airflow.operators.BashOperator', 'a.py', 'none', 2), imp('airflow.providers.amazon.aws.hooks.s3.S3Hook', 'a.py', 'none', 3)],
    });
    expect(v.family).toBe('1.10');
    expect(v.evidence).toContain('1 import of airflow.operators/hooks/sensors package-level classes (1.10 only) in 1 file');
  });
});

describe('exact evidence', () => {
  const pin = (version: string, source: 'image-tag' | 'pinned-file', file: string) => ({ version, source, file, line: 1, what: `says ${version}` });

  it('agreeing exact sources are "high"; disagreeing ones say so and lower the confidence', () => {
    const agree = decideVersion({ requirements: [], cfgKeys: [], imports: [], files: { pins: [pin('2.9.2', 'image-tag', 'Dockerfile'), pin('2.9.2', 'pinned-file', 'freeze.txt')], notes: [] } });
    expect(agree).toMatchObject({ version: '2.9.2', source: 'image-tag', confidence: 'high' });
    const majors = decideVersion({ requirements: [], cfgKeys: [], imports: [], files: { pins: [pin('2.9.2', 'image-tag', 'Dockerfile'), pin('3.0.6', 'pinned-file', 'freeze.txt')], notes: [] } });
    expect(majors).toMatchObject({ version: '2.9.2', confidence: 'low' });
    expect(majors.evidence.at(-1)).toContain('exact sources disagree');
  });

  it('reads the image forms used in practice', () => {
    const v = (ref: string) => {
      const r = airflowImageVersion(ref);
      return r && ('version' in r ? r.version : 'note');
    };
    expect(v('apache/airflow:2.7.1-python3.10')).toBe('2.7.1');
    expect(v('apache/airflow:slim-2.10.3-python3.12')).toBe('2.10.3');
    expect(v('docker.io/apache/airflow:3.0.6')).toBe('3.0.6');
    expect(v('localhost:5000/apache/airflow:2.8.1@sha256:abcdef')).toBe('2.8.1');
    expect(v('bitnami/airflow:2.9.3-debian-12-r0')).toBe('2.9.3');
    expect(v('puckel/docker-airflow:1.10.9')).toBe('1.10.9');
    expect(v('quay.io/astronomer/ap-airflow:2.2.5-1-onbuild')).toBe('2.2.5');
    expect(v('apache/airflow')).toBe('note');
    expect(v('apache/airflow:latest')).toBe('note');
    expect(v('quay.io/astronomer/astro-runtime:12.1.1')).toBe('note');
    expect(v('astrocrpublic.azurecr.io/runtime:3.0-10')).toBe('note');
    expect(v('postgres:13')).toBe(null);
    expect(v('my-registry.example.com/team/airflow:2.7.1')).toBe(null);
  });

  it('Dockerfile: ARG/ENV expansion, stages, pip pins and constraints URLs; unknown variables never match', () => {
    const text = [
      'ARG AIRFLOW_VERSION=2.7.3',
      'FROM apache/airflow:${AIRFLOW_VERSION}-python3.10 AS build',
      'ENV PY 3.10',
      'RUN pip install "apache-airflow==${AIRFLOW_VERSION}" \\',
      '    --constraint "https://raw.githubusercontent.com/apache/airflow/constraints-${AIRFLOW_VERSION}/constraints-${PY}.txt"',
      'FROM build',
      'RUN pip install "apache-airflow==${UNSET_VERSION}" apache-airflow-providers-amazon==8.1.0',
    ].join('\n');
    const r = parseDockerfile(text, 'Dockerfile');
    expect(r.pins.map((p) => `${p.line} ${p.source} ${p.version}`)).toEqual(['2 image-tag 2.7.3', '4 pinned-file 2.7.3', '4 pinned-file 2.7.3']);
    expect(r.notes).toEqual([]);
  });

  it('compose: an anchored image is counted once; Helm: official, community and Bitnami charts', () => {
    const compose = parseCompose('x-common: &c\n  image: apache/airflow:2.8.1\nservices:\n  a:\n    <<: *c\n  b:\n    <<: *c\n  db:\n    image: postgres:13\n', 'compose.yaml');
    expect(compose.pins.map((p) => p.version)).toEqual(['2.8.1']);
    const official = parseHelmValues('defaultAirflowRepository: apache/airflow\ndefaultAirflowTag: "2.9.3"\nimages:\n  airflow:\n    tag: 2.9.3-python3.11\n', 'values.yaml');
    expect(official.pins.map((p) => `${p.line}:${p.version}`)).toEqual(['2:2.9.3', '5:2.9.3']);
    const community = parseHelmValues('airflow:\n  image:\n    repository: apache/airflow\n    tag: 2.8.4-python3.9\n', 'values.yaml');
    expect(community.pins.map((p) => p.version)).toEqual(['2.8.4']);
    const bitnami = parseHelmValues('image:\n  registry: docker.io\n  repository: bitnami/airflow\n  tag: 2.10.5-debian-12-r7\n', 'values.yaml');
    expect(bitnami.pins.map((p) => p.version)).toEqual(['2.10.5']);
    const custom = parseHelmValues('defaultAirflowRepository: acme/airflow\ndefaultAirflowTag: "0.0.1"\n', 'values.yaml');
    expect(custom.pins).toEqual([]);
  });

  it('freeze files: apache-airflow pins only, not providers or comments', () => {
    const r = parsePinFile('# apache-airflow==1.0.0\napache-airflow-providers-amazon==8.1.0\napache-airflow[celery]==2.6.3 ; python_version >= "3.8"\n', 'freeze.txt');
    expect(r.pins.map((p) => `${p.line}:${p.version}`)).toEqual(['3:2.6.3']);
  });
});

describe('readVersionFiles', () => {
  it('reads the top level and one folder down, within the home and the size cap', async () => {
    const home = join(tmp, 'home');
    const outside = join(tmp, 'outside');
    mkdirSync(join(home, 'docker', 'deeper'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(home, 'requirements.txt'), 'apache-airflow==2.5.0\n');
    writeFileSync(join(home, 'docker', 'Dockerfile'), 'FROM apache/airflow:2.7.1\n');
    writeFileSync(join(home, 'docker', 'deeper', 'Dockerfile'), 'FROM apache/airflow:2.0.0\n');
    writeFileSync(join(home, 'constraints-big.txt'), `apache-airflow==2.1.0\n${'x'.repeat(70 * 1024)}\n`);
    writeFileSync(join(outside, 'Dockerfile'), 'FROM apache/airflow:1.10.9\n');
    symlinkSync(join(outside, 'Dockerfile'), join(home, 'Dockerfile'));
    const r = await readVersionFiles(nodeIO, home, new Set(['requirements.txt']));
    expect(r.pins.map((p) => `${p.file}:${p.version}`)).toEqual(['docker/Dockerfile:2.7.1']);
    expect(r.notes).toEqual(['Dockerfile: leads outside the home; not read', 'constraints-big.txt: over 64 KiB; not read for version evidence']);
  });
});
