import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { carryDecisions } from '../../src/check/matchers/config.js';
import { scanHome } from '../../src/home/scan.js';
import { sizeEnvironment } from '../../src/sizing/sizing.js';
import { HOMES, leakedCanaries } from '../helpers.js';

// What the plan sends as AirflowConfigurationOptions from a 2.3 home whose airflow.cfg took
// values from its host's environment ($VAR), set the web server's port, MWAA's infrastructure and
// an execution_date log template: the list `size` shows and the plan sends (sizing.options).

const HOME = join(HOMES, 'versions', 'env-refs');
const TARGET = '3.0.6';
const scan = () => scanHome(HOME, { cache: false, workers: 0, airflowVersion: '2.3.4', envFile: join(HOME, '.env') });

describe('options carried from a home with $VAR values, the port and an old log template', () => {
  it('hold no unresolved reference, port, infrastructure or execution_date; resolved values are sent', async () => {
    const inv = await scan();
    const options = Object.fromEntries(sizeEnvironment(inv, { target: TARGET, region: 'us-east-1' }).options.map((o) => [o.key, o.value]));
    for (const [key, value] of Object.entries(options)) {
      expect(value, key).not.toMatch(/\$(\w|\{)/);
      expect(value, key).not.toMatch(/execution_date/);
    }
    for (const key of ['api.port', 'webserver.web_server_port', 'email.email_backend', 'smtp.smtp_mail_from', 'database.check_migrations', 'database.sql_alchemy_pool_enabled', 'celery.celery_app_name', 'celery.worker_concurrency', 'logging.task_log_prefix_template']) {
      expect(options, key).not.toHaveProperty(key);
    }
    expect(options).toMatchObject({
      'core.default_task_retries': '3',
      'core.default_timezone': 'Europe/Berlin',
      'smtp.smtp_host': 'smtp.acme.example',
      'logging.log_filename_template': '{{ ti.dag_id }}/{{ ti.task_id }}/{{ ti.run_id }}/{{ try_number }}.log',
    });
    // One list: the sizing's tasks per worker, never the home's worker_concurrency beside it.
    expect(options['celery.worker_autoscale']).toMatch(/^\d+,\d+$/);
    expect(leakedCanaries(JSON.stringify(options))).toEqual([]);
  });

  it('makes a finding of every option it leaves out, without the secret it would have held', async () => {
    const inv = await scan();
    const { findings } = check(inv, loadCatalog(), { target: TARGET });
    const leftOut = carryDecisions(inv, TARGET).filter((d) => ['unresolved', 'infrastructure', 'execution-date'].includes(d.skipped ?? ''));
    expect(leftOut.map((d) => `${d.option.key}:${d.skipped}`).sort()).toEqual([
      'celery_app_name:infrastructure',
      'check_migrations:infrastructure',
      'email_backend:unresolved',
      'smtp_mail_from:unresolved',
      'sql_alchemy_pool_enabled:infrastructure',
      'task_log_prefix_template:execution-date',
      'web_server_port:unresolved',
    ]);
    for (const d of leftOut) {
      const line = d.option.source.kind === 'file' ? d.option.source.line : -1;
      const here = findings.filter((f) => f.file === 'airflow.cfg' && f.line === line);
      expect(here.map((f) => f.message).join('\n'), d.option.key).toMatch(/the plan does not send it/);
    }
    const byRule = (id: string) => findings.filter((f) => f.ruleId === id).map((f) => f.text).sort();
    expect(byRule('CFG006')).toEqual(['[email] email_backend', '[smtp] smtp_mail_from']);
    expect(byRule('CFG007')).toEqual(['[logging] log_filename_template', '[logging] task_log_prefix_template']);
    expect(byRule('MWAA008')).toEqual(['[celery] celery_app_name', '[database] check_migrations', '[database] sql_alchemy_pool_enabled']);
    expect(findings.find((f) => f.ruleId === 'CFG006' && f.text === '[smtp] smtp_mail_from')?.message).toMatch(/\$ALERTS_API_TOKEN holds a secret/);
    expect(leakedCanaries(JSON.stringify(findings))).toEqual([]);
  });
});
