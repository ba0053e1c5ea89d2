import { describe, expect, it } from 'vitest';
import { analyzePython } from '../../../src/python/analyze.js';

const py = (lines: string[]) => lines.join('\n') + '\n';

describe('method calls', () => {
  const a = analyzePython(
    py([
      'import os',
      'from airflow.models import Connection, DagBag',
      'dag = DagBag().get_dag("x")',
      'dag.create_dagrun(run_id="r")',
      'Connection.get_connections("c")',
      'os.path.join("a", "b")',
      'conn = Connection(conn_id="c")',
      'conn.get_uri()',
      'def execute(self, context):',
      '    self.dag.iter_datasets()',
      'x = "a very long receiver string that goes on and on and on and on and on and on and on".upper()',
    ]),
  );

  it('records x.m(...) whose receiver is not an import, with the receiver text', () => {
    expect(a.methodCalls.map((m) => [m.line, m.receiver, m.method])).toEqual([
      [3, 'DagBag()', 'get_dag'],
      [4, 'dag', 'create_dagrun'],
      [8, 'conn', 'get_uri'],
      [10, 'self.dag', 'iter_datasets'],
      [11, '"a very long receiver string that goes on and on and on and on and on and on ...', 'upper'],
    ]);
    expect(a.methodCalls.every((m) => m.receiver.length <= 80)).toBe(true);
  });

  it('leaves calls through an imported name to `calls` (qualified)', () => {
    expect(a.calls.map((c) => c.callee)).toContain('airflow.models.Connection.get_connections');
  });
});

describe('parse-time hook connection lookups', () => {
  it('records a hook method called at module level, on the instance or through a variable', () => {
    const a = analyzePython(
      py([
        'from airflow.contrib.hooks.aws_hook import AwsHook',
        'from airflow.providers.postgres.hooks.postgres import PostgresHook',
        'from airflow.hooks.base import BaseHook',
        'creds = AwsHook("aws_default").get_credentials()',
        'hook = PostgresHook(postgres_conn_id="pg")',
        'rows = hook.get_records("select 1")',
        'conn = BaseHook.get_connection("pg")',
        'def task_code():',
        '    AwsHook("aws_default").get_credentials()',
      ]),
    );
    expect(a.parseTimeCalls.map((c) => [c.line, c.callee, c.category])).toEqual([
      [4, 'airflow.contrib.hooks.aws_hook.AwsHook.get_credentials', 'connection'],
      [6, 'airflow.providers.postgres.hooks.postgres.PostgresHook.get_records', 'database'],
      [7, 'airflow.hooks.base.BaseHook.get_connection', 'connection'],
    ]);
  });

  it('counts work in decorator arguments and parameter defaults, which run at import', () => {
    const a = analyzePython(
      py(['from airflow.models import Variable', 'from airflow.decorators import dag', '@dag(params={"x": Variable.get("x")})', 'def f(y=Variable.get("y")):', '    pass']),
    );
    expect(a.parseTimeCalls.map((c) => c.line)).toEqual([3, 4]);
  });
});

describe('decorator arguments', () => {
  it('puts @dag(...) keywords on the DAG and @task(...)/@task.python(...) keywords on the task', () => {
    const a = analyzePython(
      py([
        'from airflow.decorators import dag, task',
        '@dag(schedule_interval="@daily", catchup=False, default_args=ARGS)',
        'def flow():',
        '    @task(provide_context=True, retries=2)',
        '    def a(): pass',
        '    @task.python(task_id="b", multiple_outputs=True)',
        '    def b(): pass',
        '    @task',
        '    def c(): pass',
        'flow()',
      ]),
    );
    expect(a.dags.map((d) => [d.scheduleArg, d.kwargs, d.exprKwargs])).toEqual([['schedule_interval', { schedule_interval: '@daily', catchup: false }, ['default_args']]]);
    expect(a.tasks.map((t) => [t.operator, t.taskId, t.kwargs])).toEqual([
      ['airflow.decorators.task', 'a', { provide_context: true, retries: 2 }],
      ['airflow.decorators.task.python', 'b', { task_id: 'b', multiple_outputs: true }],
      ['airflow.decorators.task', 'c', {}],
    ]);
    // the decorator call itself is not an airflow call of its own
    expect(a.calls).toEqual([]);
  });
});
