import { beforeAll, describe, expect, it } from 'vitest';
import { analyzePython } from '../../src/python/analyze.js';
import { loadTreeSitter } from '../../src/python/parser.js';
import { decodePython } from '../../src/python/decode.js';

const py = (lines: string[]) => lines.join('\n') + '\n';

// Broken and Python 2 files go to tree-sitter, which the callers load first (see parser.ts).
beforeAll(loadTreeSitter);

describe('imports', () => {
  it('records absolute, aliased, relative, wildcard, try-guarded and TYPE_CHECKING imports with positions', () => {
    const a = analyzePython(
      py([
        'import os, json',
        'import airflow.utils.dates as dates',
        'from airflow.operators.bash_operator import BashOperator as BO, DummyOperator',
        'from ..common import helpers',
        'from airflow.contrib.hooks import *',
        'try:',
        '    from airflow.providers.http.operators.http import SimpleHttpOperator',
        'except ImportError:',
        '    from airflow.operators.http_operator import SimpleHttpOperator',
        'if TYPE_CHECKING:',
        '    from airflow.utils.context import Context',
        'from __future__ import annotations',
      ]),
    );
    expect(a.imports.map((i) => [i.name, i.alias, i.level, i.guarded, i.line])).toEqual([
      ['os', null, 0, 'none', 1],
      ['json', null, 0, 'none', 1],
      ['airflow.utils.dates', 'dates', 0, 'none', 2],
      ['airflow.operators.bash_operator.BashOperator', 'BO', 0, 'none', 3],
      ['airflow.operators.bash_operator.DummyOperator', null, 0, 'none', 3],
      ['..common.helpers', null, 2, 'none', 4],
      ['airflow.contrib.hooks.*', null, 0, 'none', 5],
      ['airflow.providers.http.operators.http.SimpleHttpOperator', null, 0, 'try', 7],
      ['airflow.operators.http_operator.SimpleHttpOperator', null, 0, 'fallback', 9],
      ['airflow.utils.context.Context', null, 0, 'type-checking', 11],
      ['__future__.annotations', null, 0, 'none', 12],
    ]);
    expect(a.imports[0]).toMatchObject({ line: 1, col: 8 });
  });
});

describe('DAGs and tasks', () => {
  const src = py([
    'from datetime import timedelta',
    'from airflow import DAG',
    'from airflow.models import Variable',
    'from airflow.operators.bash import BashOperator',
    'from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor',
    'from airflow.decorators import dag, task',
    'SCHEDULE = "@hourly"',
    'threshold = Variable.get("threshold")',
    '',
    'with DAG("etl", schedule=SCHEDULE, catchup=False, default_args={"owner": "data", "password": "hunter2"}) as etl:',
    '    wait = S3KeySensor(task_id="wait", bucket_key="s3://b/k")',
    '    for table in ["a", "b"]:',
    '        BashOperator(task_id=f"load_{table}", bash_command="load.sh")',
    '    fan = BashOperator.partial(task_id="fan").expand(bash_command=["x", "y"])',
    '',
    'other = DAG(dag_id="legacy", schedule_interval=timedelta(hours=6))',
    'BashOperator(task_id="orphan", bash_command="true", dag=other)',
    '',
    '@dag(schedule=None)',
    'def flow():',
    '    @task',
    '    def extract():',
    '        return Variable.get("at_runtime")',
    '    @task.virtualenv(requirements=["pandas"])',
    '    def transform(x):',
    '        return x',
    '    transform.expand(x=extract())',
    'flow()',
  ]);
  const a = analyzePython(src);

  it('finds every DAG with its id, form and schedule', () => {
    expect(a.dags.map((d) => [d.dagId, d.form, d.scheduleArg, d.schedule, d.line])).toEqual([
      ['etl', 'context-manager', 'schedule', { kind: 'preset', value: '@hourly' }, 10],
      ['legacy', 'constructor', 'schedule_interval', { kind: 'timedelta', seconds: 21600, text: 'timedelta(hours=6)' }, 16],
      ['flow', 'decorator', 'schedule', { kind: 'none' }, 19],
    ]);
  });

  it('counts tasks, resolves operators through imports and ties them to their DAG', () => {
    expect(a.tasks.map((t) => [t.operator, t.form, t.taskId, t.dag, t.inLoop, t.mapped])).toEqual([
      ['airflow.providers.amazon.aws.sensors.s3.S3KeySensor', 'sensor', 'wait', 0, false, false],
      ['airflow.operators.bash.BashOperator', 'operator', null, 0, true, false],
      ['airflow.operators.bash.BashOperator', 'operator', 'fan', 0, false, true],
      ['airflow.operators.bash.BashOperator', 'operator', 'orphan', 1, false, false],
      ['airflow.decorators.task', 'taskflow', 'extract', 2, false, false],
      ['airflow.decorators.task.virtualenv', 'taskflow', 'transform', 2, false, true],
    ]);
  });

  it('keeps literal keyword values, redacting sensitive names', () => {
    expect(a.dags[0]!.kwargs).toEqual({ catchup: false, default_args: { owner: 'data', password: '<redacted>' } });
    expect(a.dags[0]!.exprKwargs).toEqual(['schedule']);
    expect(a.tasks[1]!.exprKwargs).toEqual(['task_id']);
  });

  it('records calls that run when the scheduler parses the file, not those inside tasks', () => {
    expect(a.parseTimeCalls).toEqual([{ line: 8, col: 13, callee: 'airflow.models.Variable.get', category: 'variable', inLoop: false }]);
  });
});

describe('schedules', () => {
  const schedule = (expr: string) => analyzePython(`from airflow import DAG\nDAG("d", schedule=${expr})\n`).dags[0]!.schedule;
  it.each([
    ['"0 3 * * *"', { kind: 'cron', value: '0 3 * * *' }],
    ['"@daily"', { kind: 'preset', value: '@daily' }],
    ['None', { kind: 'none' }],
    ['[Dataset("s3://bucket/key")]', { kind: 'dataset', text: '[Dataset("s3://bucket/key")]' }],
    ['Asset("a") | Asset("b")', { kind: 'dataset', text: 'Asset("a") | Asset("b")' }],
    ['CronTriggerTimetable("0 0 * * *", timezone="UTC")', { kind: 'timetable', text: 'CronTriggerTimetable("0 0 * * *", timezone="UTC")' }],
    ['timedelta(1, 30)', { kind: 'timedelta', seconds: 86430, text: 'timedelta(1, 30)' }],
    ['get_schedule()', { kind: 'expression', text: 'get_schedule()' }],
  ])('%s', (expr, expected) => {
    expect(schedule(expr)).toEqual(expected);
  });
  it('is "default" when the DAG names none', () => {
    expect(analyzePython('from airflow import DAG\nDAG("d")\n').dags[0]!.schedule).toEqual({ kind: 'default' });
  });
});

describe('classes and plugins', () => {
  it('records bases and list attributes', () => {
    const a = analyzePython(
      py([
        'from airflow.plugins_manager import AirflowPlugin',
        'from my_ops import HelloOperator',
        'class MyPlugin(AirflowPlugin):',
        '    name = "my_plugin"',
        '    operators = [HelloOperator]',
        '    macros = [lambda: 1]',
      ]),
    );
    expect(a.classes).toEqual([
      {
        line: 3,
        col: 1,
        name: 'MyPlugin',
        bases: ['airflow.plugins_manager.AirflowPlugin'],
        keywords: [],
        attributes: { name: ['my_plugin'], operators: ['my_ops.HelloOperator'], macros: ['lambda: 1'] },
      },
    ]);
  });
});

describe('host paths in string literals', () => {
  it('finds absolute and home paths, written or escaped, and nothing else', () => {
    const a = analyzePython(py(['A = "/opt/airflow/data/x.csv"', "B = '~/keys/id_rsa'", 'C = "\\x2fetc\\x2fhosts"', 'D = "no/leading/slash"', 'E = "plain"', "F = 'https://example.com/a'"]));
    expect(a.paths.map((p) => [p.line, p.value])).toEqual([
      [1, '/opt/airflow/data/x.csv'],
      [2, '~/keys/id_rsa'],
      [3, '/etc/hosts'],
    ]);
  });
});

describe('syntax', () => {
  it('recognises Python 2 code without crashing', () => {
    const a = analyzePython(py(['from airflow import DAG', 'print "hello"', 'try:', '    pass', 'except Exception, e:', '    pass', 'x = 0777']));
    expect(a.syntax).toBe('python2');
    expect(a.syntaxErrors.map((e) => [e.line, e.message])).toEqual([
      [2, 'Python 2 print statement'],
      [5, "Python 2 'except X, e' syntax"],
      [7, 'Python 2 integer literal 0777'],
    ]);
  });

  it('reports a syntax error with its position', () => {
    const a = analyzePython('from airflow import DAG\ndef broken(:\n    pass\n');
    expect(a.syntax).toBe('error');
    expect(a.syntaxErrors[0]).toMatchObject({ line: 2 });
  });

  it('accepts modern syntax', () => {
    expect(analyzePython(py(['match x:', '    case 1:', '        pass', 'type T = int', 'def f[T](x: T) -> T: return x', 'y = f"{x!r:>{w}}"'])).syntax).toBe('ok');
  });
});

describe('decoding', () => {
  it('follows a PEP 263 coding line', () => {
    const bytes = Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nname = "'), Buffer.from([0xe9]), Buffer.from('"\n')]);
    expect(decodePython(bytes)).toEqual({ ok: true, text: '# -*- coding: latin-1 -*-\nname = "é"\n', encoding: 'latin-1' });
  });
  it('rejects invalid UTF-8 without a coding line, naming the offset', () => {
    const r = decodePython(Buffer.concat([Buffer.from('x = "'), Buffer.from([0xe9]), Buffer.from('"\n')]));
    expect(r).toEqual({ ok: false, code: 'not-utf8', reason: 'not valid UTF-8 (byte 0xe9 at offset 5) and no PEP 263 coding line' });
  });
  it('rejects NUL bytes as binary', () => {
    expect(decodePython(Buffer.from([0x41, 0x00, 0x42]))).toMatchObject({ ok: false, code: 'binary' });
  });
  it('strips a UTF-8 BOM', () => {
    expect(decodePython(Buffer.from('\ufeffx = 1\n'))).toEqual({ ok: true, text: 'x = 1\n', encoding: 'utf-8' });
  });
});
