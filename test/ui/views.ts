import { vi } from 'vitest';
import type { GuideActions, GuideView } from '../../src/ui/types.js';

// Views of every step as the controller would build them, for the component tests.

export function baseView(patch: Partial<GuideView> = {}): GuideView {
  return {
    step: 'home',
    width: 100,
    height: 40,
    color: false,
    home: {
      input: '~/airflow',
      candidates: [
        { path: '~/airflow', why: '$AIRFLOW_HOME', probe: { status: 'airflow', detail: 'airflow.cfg and dags/ found' } },
        { path: '/srv/airflow', why: 'current folder', probe: { status: 'airflow', detail: 'dags/ found' } },
      ],
      probe: { status: 'airflow', detail: 'airflow.cfg and dags/ found' },
      completions: [],
    },
    scan: {
      status: 'done',
      phase: 'done',
      filesFound: 12,
      filesRead: 12,
      dags: 9,
      elapsedMs: 1400,
      summary: {
        home: '~/airflow',
        version: 'Airflow 2.7.2',
        why: 'Airflow constraints URL in requirements, confidence high: requirements.txt:1 uses Airflow\'s constraints for 2.7.2',
        counts: [['DAG files', 8], ['DAGs', 9], ['tasks', 30], ['plugins', 1], ['requirements', 11], ['connections', 3], ['variables', 4]],
        findings: { error: 4, warning: 3, info: 1, total: 8 },
        histogram: [
          { family: 'IMP', error: 3, warning: 1, info: 0, total: 4 },
          { family: 'CFG', error: 1, warning: 1, info: 1, total: 3 },
          { family: 'SEC', error: 0, warning: 1, info: 0, total: 1 },
        ],
        suppressed: 1,
        problems: ['airflow.cfg: [core] dags_folder = /opt/airflow/dags does not exist here'],
        envFile: '~/airflow/.env',
        target: '3.0.6',
      },
    },
    findings: {
      total: 2,
      filter: { severity: null, family: null, rule: null, file: null },
      items: [
        {
          ruleId: 'IMP001',
          family: 'IMP',
          severity: 'error',
          title: 'Import path removed',
          location: 'dags/etl.py:3',
          message: 'airflow.operators.bash_operator was removed in Airflow 3.0: import airflow.providers.standard.operators.bash.',
          fix: 'Replace the import with from airflow.providers.standard.operators.bash import BashOperator.',
          docs: 'https://airflow.apache.org/docs/apache-airflow/stable/release_notes.html',
          why: 'Airflow 3.0 removed the deprecated module paths.',
          excerpt: [
            { line: 2, text: 'from datetime import datetime', hit: false },
            { line: 3, text: 'from airflow.operators.bash_operator import BashOperator', hit: true },
            { line: 4, text: '', hit: false },
          ],
        },
        { ruleId: 'CFG002', family: 'CFG', severity: 'error', title: 'Option removed', location: 'airflow.cfg:30', message: '[core] dag_concurrency was removed.', fix: 'Delete it.', docs: 'https://example.org/cfg' },
        { ruleId: 'SEC002', family: 'SEC', severity: 'warning', title: 'Connection in an env variable', location: '.env:11', message: 'Connection my_postgres is defined by AIRFLOW_CONN_MY_POSTGRES.', fix: 'Store it in Secrets Manager.', docs: 'https://example.org/sec' },
      ],
      cursor: 0,
      suppressed: 1,
      projectFile: '.mwaa-migrate.yaml',
      rechecking: false,
    },
    target: {
      rows: [
        { version: '2.10.3', python: '3.11', status: 'valid in 2026-05 model', supported: true, findings: { error: 1, warning: 2, info: 0, total: 3 }, isDefault: false },
        { version: '3.0.6', python: '3.12', status: 'valid in 2026-05 model', supported: true, findings: { error: 4, warning: 3, info: 1, total: 8 }, isDefault: true },
        { version: '3.3.1', python: '3.12', status: 'image exists', supported: false, findings: { error: 5, warning: 3, info: 1, total: 9 }, isDefault: false },
      ],
      cursor: 1,
      chosen: '3.0.6',
    },
    sizing: {
      headline: 'mw1.small, 1-3 workers, 2 scheduler(s), 2-2 web servers, for Airflow 3.0.6 in us-east-1',
      reasons: ['mw1.small is the smallest class whose DAG capacity (50) covers 9 DAGs.', 'Max workers 3 = ceil(peak 14 / 5 tasks per worker).'],
      from: '9 DAGs in 8 files; peak 14 concurrent tasks at 01:00.',
      title: 'Monthly cost in us-east-1, USD (730 h)',
      rows: [
        { environmentClass: 'mw1.micro', role: 'down (too small)', workers: '1-1', floor: '211.70', expected: '211.70', ceiling: '211.70' },
        { environmentClass: 'mw1.small', role: 'recommended', workers: '1-3', floor: '357.70', expected: '367.74', ceiling: '438.00' },
        { environmentClass: 'mw1.medium', role: 'up', workers: '1-2', floor: '540.20', expected: '543.55', ceiling: '620.50' },
      ],
      cursor: 1,
      chosen: 'mw1.small',
      notes: ['Floor: min workers all month; ceiling: max workers all month.'],
    },
    aws: {
      fields: [
        { key: 'name', label: 'Environment name', kind: 'text', value: 'airflow-mwaa', options: [], highlight: 0 },
        { key: 'profile', label: 'AWS profile', kind: 'choice', value: '', options: [{ value: '', label: 'default credential chain' }, { value: 'prod', label: 'prod (eu-west-1)' }], highlight: 0 },
        { key: 'region', label: 'Region', kind: 'choice', value: 'us-east-1', options: [{ value: 'eu-west-1', label: 'eu-west-1' }, { value: 'us-east-1', label: 'us-east-1' }], highlight: 1 },
        { key: 'bucket', label: 'S3 bucket', kind: 'text', value: 'airflow-mwaa-123456789012', options: [], highlight: 0, hint: 'does not exist: will be created' },
        { key: 'role', label: 'Execution role', kind: 'choice', value: 'arn:aws:iam::123456789012:role/mwaa-exec', options: [{ value: 'arn:aws:iam::123456789012:role/mwaa-exec', label: 'mwaa-exec' }], highlight: 0 },
        { key: 'vpc', label: 'VPC', kind: 'choice', value: 'vpc-1', options: [{ value: 'vpc-1', label: 'vpc-1 10.40.0.0/16 airflow' }], highlight: 0 },
        {
          key: 'subnets',
          label: 'Subnets',
          kind: 'multi',
          value: 'subnet-a,subnet-b',
          options: [
            { value: 'subnet-a', label: 'subnet-a us-east-1a 10.40.1.0/24 private' },
            { value: 'subnet-b', label: 'subnet-b us-east-1b 10.40.2.0/24 private' },
            { value: 'subnet-c', label: 'subnet-c us-east-1a 10.40.3.0/24 public' },
          ],
          highlight: 0,
        },
        { key: 'securityGroups', label: 'Security groups', kind: 'multi', value: 'sg-1', options: [{ value: 'sg-1', label: 'sg-1 default' }], highlight: 0 },
      ],
      focus: 0,
      account: '123456789012 (arn:aws:iam::123456789012:user/alice)',
      loading: false,
      preflight: { status: 'done', checks: [{ name: 'subnets', status: 'ok', detail: 'private, two zones' }, { name: 'NAT', status: 'warn', detail: 'no route to a NAT gateway' }] },
    },
    connections: {
      sources: [{ label: '.env', connections: 2, variables: 2 }],
      connections: [{ id: 'my_postgres', type: 'postgres', source: '.env', secret: true }, { id: 'aws_default', type: 'aws', source: '.env', secret: false }],
      variables: [{ key: 'environment', source: '.env', secret: false }, { key: 'api_token', source: '.env', secret: true }],
      conflicts: [],
      secrets: { status: 'absent', lines: [] },
    },
    plan: {
      status: 'ready',
      lines: ['mwaa-migrate plan: ~/airflow -> MWAA Airflow 3.0.6 in us-east-1', '', '+ bucket airflow-mwaa-123456789012: create', '~ versioning: enable', '', 'DAG objects under dags/: 2 new, 0 changed, 0 unchanged, 0 deleted', '  + dags/etl.py', '  + dags/load.py', '', '+ environment airflow-mwaa: create', '', 'Plan: 5 to create, 1 to update, 0 to delete, 0 unchanged.'],
      scroll: 0,
      name: 'airflow-mwaa',
      bucket: 'airflow-mwaa-123456789012',
      account: '123456789012',
      confirm: '',
      overrides: ['2 error finding(s) in the home'],
    },
    apply: {
      status: 'running',
      lines: ['bucket airflow-mwaa-123456789012: created', 'objects: 2/4 in place (2 uploaded)'],
      objects: { done: 2, total: 4 },
      environment: 'airflow-mwaa',
      elapsedMs: 4000,
      resumeHint: 'Ctrl-C is safe: run mwaa-migrate guide ~/airflow again to continue',
    },
    done: {
      name: 'airflow-mwaa',
      status: 'AVAILABLE (created)',
      url: 'https://abc.c10.us-east-1.airflow.amazonaws.com',
      reportPath: '~/airflow/.mwaa-migrate/report.md',
      planPath: '~/airflow/.mwaa-migrate/plan.json',
      command: 'mwaa-migrate migrate ~/airflow --name airflow-mwaa --bucket airflow-mwaa-123456789012 --region us-east-1',
      nextSteps: ['sign in to the Airflow UI and check for DAG import errors'],
    },
    resume: null,
    ...patch,
  };
}

/** Actions that record calls. */
export function fakeActions(): GuideActions & { [K in keyof GuideActions]: ReturnType<typeof vi.fn> } {
  const names: (keyof GuideActions)[] = ['next', 'back', 'quit', 'editHome', 'completeHome', 'cycleHome', 'move', 'filterFindings', 'jumpFile', 'acceptFinding', 'ignoreRule', 'recheck', 'fixes', 'focusField', 'editField', 'cycleOption', 'toggleOption', 'editConfirm', 'scroll', 'retry'];
  return Object.fromEntries(names.map((n) => [n, vi.fn()])) as never;
}
