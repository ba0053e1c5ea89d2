import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/check/catalog.js';
import { check } from '../../src/check/engine.js';
import { codeMatchers, simpleCommands } from '../../src/check/matchers/code.js';
import { makeContext } from '../../src/check/versions.js';
import { scanHome } from '../../src/home/scan.js';

// Edge cases of the CODE match kinds, run with the parameters of the rules in rules/code.yaml.

const catalog = loadCatalog();
const rule = (id: string) => catalog.rules.find((r) => r.id === id)!;
const homes: string[] = [];
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function makeHome(files: Record<string, string>): string {
  const home = mkdtempSync(join(tmpdir(), 'code-rules-'));
  homes.push(home);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(home, rel)), { recursive: true });
    writeFileSync(join(home, rel), text.replaceAll('{HOME}', home));
  }
  return home;
}

const scan = (files: Record<string, string>) => scanHome(makeHome(files), { cache: false, workers: 0 });

async function findings(id: string, files: Record<string, string>) {
  return check(await scan(files), catalog, { select: [id] }).findings.filter((f) => f.ruleId === id);
}

/** A DAG file with one BashOperator per command, on lines 6, 7, ... */
const bashDag = (...commands: string[]) =>
  [
    'from datetime import datetime',
    'from airflow import DAG',
    'from airflow.operators.bash import BashOperator',
    '',
    'with DAG("d", start_date=datetime(2024, 1, 1), schedule=None) as dag:',
    ...commands.map((c, i) => `    BashOperator(task_id="t${i}", bash_command=${JSON.stringify(c)})`),
    '',
  ].join('\n');

const linesOf = (fs: { line: number }[]) => fs.map((f) => f.line);

describe('simpleCommands', () => {
  it('splits on shell separators but not inside quotes', () => {
    expect(simpleCommands(`cd /x && echo "a; b" | tee out; docker ps`)).toEqual([['cd', '/x'], ['echo', 'a; b'], ['tee', 'out'], ['docker', 'ps']]);
  });

  it('finds commands inside $( ) and backticks', () => {
    expect(simpleCommands('echo $(kubectl get pods) `hdfs dfs -ls`').map((c) => c[0])).toEqual(['echo', 'kubectl', 'hdfs']);
  });

  it('looks through wrappers, assignments and bash -c', () => {
    expect(simpleCommands(`FOO=1 sudo -u deploy -E nohup docker ps`)).toEqual([['docker', 'ps']]);
    expect(simpleCommands(`timeout 30 psql -c 'select 1'`)).toEqual([['psql', '-c', 'select 1']]);
    expect(simpleCommands(`bash -lc "gcloud auth list; gsutil ls"`)).toEqual([['gcloud', 'auth', 'list'], ['gsutil', 'ls']]);
    expect(simpleCommands(`if true; then helm list; fi`).map((c) => c[0])).toEqual(['true', 'helm', 'fi']);
  });

  it('keeps Jinja templates as opaque words and skips comments and line continuations', () => {
    expect(simpleCommands(`echo {{ params.cmd | default('docker ps; ls') }} # docker rm x\nls \\\n -la`)).toEqual([
      ['echo', "{{ params.cmd | default('docker ps; ls') }}"],
      ['ls', '-la'],
    ]);
  });
});

describe('bash-command rules', () => {
  it('report quoted mentions and echoes of a binary as nothing', async () => {
    const got = await findings('CODE004', { 'dags/d.py': bashDag(`echo "run docker ps; later"`, `printf 'docker'`, `docker ps`) });
    expect(linesOf(got)).toEqual([8]);
  });

  it('match subcommands in order with options between them', async () => {
    const got = await findings('CODE011', { 'dags/d.py': bashDag('pip freeze', 'pip -q install x', 'python3 -m pip list', 'python3 -m pip install x', 'yum list installed') });
    expect(linesOf(got)).toEqual([7, 9]);
  });

  it('give one finding per task naming every listed command it runs', async () => {
    const [f, ...rest] = await findings('CODE009', { 'dags/d.py': bashDag('gcloud auth list && gsutil ls && gcloud config list') });
    expect(rest).toEqual([]);
    expect(f!.message).toContain('runs gcloud and gsutil,');
    expect(f!.text).toBe('gcloud auth list');
  });

  it('count a binary as present when requirements.txt installs the package that provides it', async () => {
    const files = { 'dags/d.py': bashDag('spark-submit job.py', 'hdfs dfs -ls /') };
    expect(linesOf(await findings('CODE007', files))).toEqual([6, 7]);
    expect(linesOf(await findings('CODE007', { ...files, 'requirements.txt': 'PySpark==3.5.1\n' }))).toEqual([7]);
  });

  it('read mapped bash commands and ignore commands that run on another host', async () => {
    const dag = [
      'from datetime import datetime',
      'from airflow import DAG',
      'from airflow.operators.bash import BashOperator',
      'from airflow.providers.ssh.operators.ssh import SSHOperator',
      'with DAG("d", start_date=datetime(2024, 1, 1), schedule=None) as dag:',
      '    BashOperator.partial(task_id="m").expand(bash_command=["ls", "kubectl get pods"])',
      '    SSHOperator(task_id="remote", ssh_conn_id="edge", command="kubectl get pods")',
      '',
    ].join('\n');
    expect(linesOf(await findings('CODE006', { 'dags/d.py': dag }))).toEqual([6]);
  });
});

describe('path-literal rules', () => {
  const pathDag = (...paths: string[]) =>
    ['from airflow import DAG', ...paths.map((p, i) => `P${i} = ${JSON.stringify(p)}`), ''].join('\n');

  it('allow whole path segments only: /usr/bin but not /usr/binaries', async () => {
    const files = { 'dags/d.py': pathDag('/tmp', '/tmp/x/y', '/usr/bin/env', '/usr/binaries/x', '/usr/local/airflow/dags/a.sql', '/usr/local/airflowx/a') };
    expect(linesOf(await findings('CODE002', files))).toEqual([5, 7]);
  });

  it('report only paths under the usual top-level folders, not URL or HDFS paths', async () => {
    const files = { 'dags/d.py': pathDag('/v1/orders', '/warehouse/clicks/', '/data/in.csv', '~/keys/id_rsa', '/Users/ana/x.csv') };
    expect(linesOf(await findings('CODE002', files))).toEqual([4, 5, 6]);
  });

  it('rewrite paths under the old folders, the deepest folder first', async () => {
    const files = {
      'airflow.cfg': '[core]\ndags_folder = /srv/af/dags\nplugins_folder = /srv/af/dags/plugins/\n',
      'dags/d.py': pathDag('/srv/af/dags/sql/a.sql', '/srv/af/dags/plugins/acme/x.csv', '/srv/af/dagsx/a', '/srv/af/data/in.csv'),
    };
    const moved = await findings('CODE001', files);
    expect(moved.map((f) => [f.line, f.message.split(' so on its workers the file is at ')[1]])).toEqual([
      [2, '/usr/local/airflow/dags/sql/a.sql.'],
      [3, '/usr/local/airflow/plugins/acme/x.csv.'],
    ]);
    expect(linesOf(await findings('CODE002', files))).toEqual([4, 5]);
  });

  it('expand {AIRFLOW_HOME} in the configured folder, and check plugin files too', async () => {
    const files = {
      'airflow.cfg': '[core]\ndags_folder = {AIRFLOW_HOME}/dags\n',
      'dags/d.py': pathDag('{HOME}/dags/sql/a.sql'),
      'plugins/helpers.py': 'LOOKUP = "/etc/acme/lookup.csv"\n',
    };
    expect((await findings('CODE001', files)).map((f) => f.file)).toEqual(['dags/d.py']);
    expect((await findings('CODE002', files)).map((f) => f.file)).toEqual(['plugins/helpers.py']);
  });

  it('leave HTTP endpoints alone', async () => {
    const dag = [
      'from datetime import datetime',
      'from airflow import DAG',
      'from airflow.providers.http.operators.http import HttpOperator',
      'with DAG("d", start_date=datetime(2024, 1, 1), schedule=None) as dag:',
      '    HttpOperator(task_id="h", endpoint="/api/v1/orders", log_response=True)',
      '',
    ].join('\n');
    expect(await findings('CODE002', { 'dags/d.py': dag })).toEqual([]);
  });

  it('leave paths inside container images alone, but not the host-side arguments of container tasks', async () => {
    const dag = [
      'from datetime import datetime',
      'from airflow import DAG',
      'from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator',
      'from airflow.providers.amazon.aws.operators.ecs import EcsRunTaskOperator',
      'with DAG("d", start_date=datetime(2024, 1, 1), schedule=None) as dag:',
      '    KubernetesPodOperator(',
      '        task_id="k", image="acme/etl:1",',
      '        cmds=["python", "/app/etl/run.py"],',
      '        arguments=["--out", "/data/out"],',
      '        env_vars={"CONFIG": "/etc/acme/etl.yaml"},',
      '        config_file="/home/airflow/.kube/config",',
      '    )',
      '    EcsRunTaskOperator(task_id="e", cluster="c", task_definition="t", launch_type="FARGATE",',
      '        overrides={"containerOverrides": [{"name": "etl", "command": ["/opt/etl/bin/run", "--all"]}]})',
      '    DATA = "/data/out"  # reused after the task that passes it: not told apart',
      '',
    ].join('\n');
    // The kubeconfig lives on the worker (line 11); line 15 reuses a container path after the task
    // that passes it, which the position-only path fact cannot tell apart (see report).
    expect(linesOf(await findings('CODE002', { 'dags/d.py': dag }))).toEqual([11]);
    const host = dag.replace('    KubernetesPodOperator(', '    HOST = "/data/out"\n    KubernetesPodOperator(');
    expect(linesOf(await findings('CODE002', { 'dags/d.py': host }))).toEqual([6, 12]);
  });
});

describe('operator-use rules', () => {
  const taskDag = (...kwargs: string[]) =>
    [
      'from datetime import datetime',
      'from airflow import DAG',
      'from airflow.operators.bash import BashOperator',
      'QUEUE = "spark"',
      'with DAG("d", start_date=datetime(2024, 1, 1), schedule=None) as dag:',
      ...kwargs.map((k, i) => `    BashOperator(task_id="t${i}", bash_command="ls", ${k})`),
      '',
    ].join('\n');

  it('report a computed queue, since no queue works on MWAA', async () => {
    const got = await findings('CODE012', { 'dags/d.py': taskDag('queue=QUEUE', 'pool="p"') });
    expect(linesOf(got)).toEqual([6]);
    expect(got[0]!.message).toContain('queue=a computed value');
  });

  it('do not report a computed executor, which may be the Celery one', async () => {
    const got = await findings('CODE013', { 'dags/d.py': taskDag('executor=QUEUE', 'executor="CeleryExecutor"', 'executor="LocalExecutor"') });
    expect(linesOf(got)).toEqual([8]);
  });

  it('accept a KubernetesPodOperator that names a Kubernetes connection', async () => {
    const dag = [
      'from datetime import datetime',
      'from airflow import DAG',
      'from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator',
      'with DAG("d", start_date=datetime(2024, 1, 1), schedule=None) as dag:',
      '    KubernetesPodOperator(task_id="a", image="x", kubernetes_conn_id="eks")',
      '    KubernetesPodOperator(task_id="b", image="x", in_cluster=True)',
      '',
    ].join('\n');
    expect(linesOf(await findings('CODE005', { 'dags/d.py': dag }))).toEqual([6]);
  });
});

describe('file-size', () => {
  it('reports files strictly larger than the rule threshold, with the measured size', async () => {
    const r = rule('CODE019');
    const max = r.match['maxBytes'] as number;
    const inv = await scan({ 'dags/a.py': bashDag('ls'), 'dags/b.py': bashDag('ls') });
    inv.dagFiles[0]!.size = max;
    inv.dagFiles[1]!.size = max + 1;
    const hits = codeMatchers['file-size']!(inv, makeContext(null, '2.10.3'), r.match);
    expect(hits.map((h) => [h.file, h.vars])).toEqual([['dags/b.py', { size: '1.0 MB', limit: '1.0 MB' }]]);
  });
});
