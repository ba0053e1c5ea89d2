import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckAsScanned, GROUP } from '../../src/check/as-scanned.js';
import { loadCatalog } from '../../src/check/catalog.js';
import { check, type CheckOptions } from '../../src/check/engine.js';
import { analysisInterest } from '../../src/check/interest.js';
import type { ProjectFile } from '../../src/check/project.js';
import { scanHome } from '../../src/home/scan.js';
import { HOMES, ROOT } from '../helpers.js';

// The check taken file by file as the scan answers (what report and fix do) must find what the
// check of the finished inventory finds, in the same order: on a home made of every fixture DAG
// folder (1.10, 2.x and 3.x code, broken files, helpers), copied until the scan tells
// several groups of files, with the airflow1 fixture's config, requirements and plugins, and an env
// file: the plugins' registers and the host environment are facts only the finished scan has.

const catalog = loadCatalog();
const tmp = mkdtempSync(join(tmpdir(), 'mwaa-migrate-as-scanned-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAG_FOLDERS = [
  ...['airflow1', 'airflow2', 'airflow3', 'broken', 'mixed'].map((h) => join(HOMES, h, 'dags')),
  ...readdirSync(join(ROOT, 'fixtures', 'oracle')).map((h) => join(ROOT, 'fixtures', 'oracle', h, 'dags')),
];

function makeHome(name: string, withPins: boolean): string {
  const home = join(tmp, name);
  // Some 50 files each, of which .airflowignore files hide some.
  for (let copy = 0; copy < 8; copy++) {
    for (const [i, folder] of DAG_FOLDERS.entries()) cpSync(folder, join(home, 'dags', `copy${copy}`, `from${i}`), { recursive: true });
  }
  cpSync(join(HOMES, 'airflow1', 'plugins'), join(home, 'plugins'), { recursive: true });
  if (withPins) {
    for (const f of ['airflow.cfg', 'requirements.txt', 'extra-requirements.txt']) cpSync(join(HOMES, 'airflow1', f), join(home, f));
  }
  writeFileSync(join(home, '.env'), 'PARTNER_BUCKET=acme-partner-drop\n');
  // 1.10's paths to a class the plugin registers (IMP007, PLG002), and a variable the env file sets (CODE021).
  writeFileSync(
    join(home, 'dags', 'copy0', 'partner_drop.py'),
    'import os\nfrom airflow.operators import AcmeFtpToS3Operator\nfrom airflow.hooks.acme_plugin import PartnerApiHook\n\nBUCKET = os.environ["PARTNER_BUCKET"]\n',
  );
  // A file the project file ignores and a line a comment suppresses, in files checked early.
  writeFileSync(join(home, 'dags', 'copy0', 'legacy.py'), 'from airflow.operators.bash_operator import BashOperator  # mwaa-migrate: ignore\nfrom airflow.contrib.hooks.ssh_hook import SSHHook\n');
  return home;
}

async function both(home: string, options: CheckOptions) {
  const checking = new CheckAsScanned(catalog, options);
  const inventory = await scanHome(home, { cache: false, envFile: join(home, '.env'), interest: analysisInterest(catalog), onFile: checking.onFile });
  return { asScanned: checking.finish(inventory), whole: check(inventory, catalog, options), early: checking.checkedEarly, files: inventory.dagFiles.length };
}

describe('the check as the scan answers', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const project: ProjectFile = { ignore: { rules: ['CODE001'], paths: ['dags/copy1/**'], findings: [{ rule: 'IMP001', path: 'dags/copy2/from1/orders_dataset_pipeline.py' }] } };

  it('finds what the whole check finds, most files before the scan ends', async () => {
    const r = await both(makeHome('pinned', true), { now, project, replacements: true });
    expect(r.early).toBeGreaterThanOrEqual(2 * GROUP);
    expect(r.asScanned.findings.length).toBeGreaterThan(500);
    expect(r.asScanned.suppressed.some((s) => s.suppressedBy === 'comment')).toBe(true);
    expect(r.asScanned.suppressed.some((s) => s.suppressedBy === 'project-file')).toBe(true);
    const partner = r.asScanned.findings.filter((f) => f.file === 'dags/copy0/partner_drop.py').map((f) => f.ruleId);
    expect(partner).toEqual(expect.arrayContaining(['IMP007', 'PLG002', 'CODE021']));
    expect(r.asScanned).toEqual(r.whole);
  });

  it('lets the scan finish when a rule throws on a group, and throws from finish() as the check would', async () => {
    const home = makeHome('throwing', true);
    const broken = catalog.rules.find((r) => r.match.kind === 'import-name')!;
    // `names` must be a list: a number makes the matcher throw on the first group it is given.
    const faulty = { ...catalog, rules: [...catalog.rules, { ...broken, id: 'CODE999', match: { kind: 'import-name', names: 5 } }] };
    const checking = new CheckAsScanned(faulty, { now });
    const inventory = await scanHome(home, { cache: false, onFile: checking.onFile });
    expect(inventory.dagFiles.length).toBeGreaterThan(2 * GROUP);
    expect(() => checking.finish(inventory)).toThrow(TypeError);
    expect(() => check(inventory, faulty, { now })).toThrow(TypeError);
  });

  it('waits for the finished scan when only the DAG imports tell the version', async () => {
    const r = await both(makeHome('unpinned', false), { now, target: '2.10.3' });
    expect(r.early).toBe(0);
    expect(r.asScanned.findings.length).toBeGreaterThan(100);
    expect(r.asScanned).toEqual(r.whole);
  });
});
