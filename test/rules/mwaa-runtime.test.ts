import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultsFor, reservedFor } from '../../src/check/matchers/config/mwaa-owned.js';
import { cliAsync, ROOT } from '../helpers.js';
import { requires, SHARED_REFERENCE } from '../support/requires.js';

// What MWAA forces and defaults, per target version, from its runtime images; the documented list
// for versions without one.

const tmp = mkdtempSync(join(tmpdir(), 'mwaa-runtime-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const options = (entries: { option: string }[]) => entries.map((e) => e.option);

describe('MWAA runtime configuration', () => {
  it.skipIf(!requires(import.meta.url, '../shared/reference'))('is generated from the runtime images as committed', async () => {
    const { generate } = (await import(join(ROOT, 'rules/data/gen/mwaa-runtime.mjs'))) as { generate: (ref: string) => unknown };
    expect(JSON.parse(readFileSync(join(ROOT, 'rules/data/mwaa-runtime.json'), 'utf8'))).toEqual(generate(SHARED_REFERENCE));
  });

  it('forces per version what that image forces', () => {
    expect(options(reservedFor('3.3.1'))).toEqual(expect.arrayContaining(['api.secret_key', 'core.multi_team', 'triggerer.queues_enabled', 'core.executor']));
    expect(options(reservedFor('3.0.6'))).not.toContain('triggerer.queues_enabled');
    expect(options(reservedFor('2.9.2'))).toEqual(expect.arrayContaining(['webserver.secret_key', 'core.executor']));
    expect(options(reservedFor('2.9.2'))).not.toContain('core.multi_team');
    // Built from the customer's value, so merged rather than forced.
    expect(options(reservedFor('3.3.1'))).not.toContain('celery.extra_celery_config');
    expect(reservedFor('3.3.1').find((e) => e.option === 'core.load_examples')?.value).toBe('False');
  });

  it('uses the documented list, and says so, where MWAA publishes no image', () => {
    const older = reservedFor('2.8.1');
    expect(options(older)).toContain('core.executor');
    expect(older.every((e) => /no runtime image for Airflow 2\.8\.1/.test(e.note ?? ''))).toBe(true);
  });

  it("takes MWAA's overridable defaults from the image", () => {
    expect(options(defaultsFor('2.9.2'))).not.toContain('usage_data_collection.enabled');
    expect(options(defaultsFor('3.3.1'))).toEqual(expect.arrayContaining(['api.server_type', 'scheduler.task_queued_timeout']));
    expect(defaultsFor('3.3.1').find((d) => d.option === 'scheduler.task_queued_timeout')).toMatchObject({ value: '1800.0', notable: true });
  });

  it('reports an option only the target version forces (MWAA001)', async () => {
    const home = join(tmp, 'queues');
    mkdirSync(join(home, 'dags'), { recursive: true });
    writeFileSync(join(home, 'airflow.cfg'), '[triggerer]\nqueues_enabled = True\n');
    const ids = async (target: string) => {
      const r = await cliAsync(['report', home, '--format', 'json', '--no-cache', '--fail-on', 'never', '--target-version', target]);
      const report = JSON.parse(r.stdout) as { findings: { ruleId: string; message: string }[] };
      return report.findings.filter((f) => f.ruleId === 'MWAA001').map((f) => f.message);
    };
    expect((await ids('3.2.1')).join('\n')).toMatch(/triggerer/);
    expect(await ids('3.0.6')).toEqual([]);
  }, 60_000);
});
