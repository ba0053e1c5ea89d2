import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { scanHome } from '../../src/home/scan.js';

// Issue 14, item 6: the Airflow 3 settings MWAA forces off (multi-team, triggerer queues, the API's
// auth) need no rule of their own: MWAA001 (and MWAA004 for sign-in) report them from the image's
// essential configuration, for the versions whose image forces them.

const tmp = mkdtempSync(join(tmpdir(), 'airflow3-blockers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('reports multi_team, triggerer queues and auth settings MWAA 3.x forces', async () => {
  mkdirSync(join(tmp, 'dags'));
  const cfg = ['[core]', 'multi_team = True', 'simple_auth_manager_users = alice:admin', '', '[triggerer]', 'queues_enabled = True', '', '[api_auth]', 'jwt_algorithm = RS256'];
  writeFileSync(join(tmp, 'airflow.cfg'), cfg.join('\n') + '\n');
  const inv = await scanHome(tmp, { cache: false, workers: 0, airflowVersion: '3.0.6' });
  const found = (target: string) =>
    check(inv, loadCatalog(), { target, select: ['MWAA001', 'MWAA004'] }).findings.map((f) => `${f.ruleId} ${f.line}`);
  expect(found('3.3.1')).toEqual(['MWAA001 2', 'MWAA004 3', 'MWAA001 6', 'MWAA001 9']);
  // 3.0.6's image forces the API's JWT settings but has no multi-team or triggerer queues yet.
  expect(found('3.0.6')).toEqual(['MWAA004 3', 'MWAA001 9']);
}, 60_000);
