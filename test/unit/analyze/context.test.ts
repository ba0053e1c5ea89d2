import { describe, expect, it } from 'vitest';
import { analyzePython } from '../../../src/python/analyze.js';

const py = (lines: string[]) => lines.join('\n') + '\n';
const reads = (src: string[]) => analyzePython(py(src)).contextReads.map((r) => [r.line, r.key, r.via]);

describe('context reads in task code', () => {
  it('finds subscripts, .get(), attributes of dag_run/ti and callable parameters', () => {
    expect(
      reads([
        'def cb(ds, execution_date, **kwargs):',
        '    ti = kwargs["ti"]',
        '    kwargs.get("next_ds", None)',
        '    kwargs["dag_run"].external_trigger',
        '    return dag_run.conf.get("x")',
      ]),
    ).toEqual([
      [1, 'ds', 'parameter'],
      [1, 'execution_date', 'parameter'],
      [2, 'ti', 'subscript'],
      [3, 'next_ds', 'get'],
      [4, 'dag_run.external_trigger', 'attribute'],
      [4, 'dag_run', 'subscript'],
      [5, 'dag_run.conf', 'attribute'],
    ]);
  });

  it('points a lookup at its key, as ruff does', () => {
    const src = py(['def cb(**context):', '    return context["execution_date"], context.get("next_ds")']);
    expect(analyzePython(src).contextReads.map((r) => [r.line, r.col, r.key])).toEqual([
      [2, 20, 'execution_date'],
      [2, 51, 'next_ds'],
    ]);
  });

  it('reads f-strings and .format() only where they index the context', () => {
    expect(
      reads([
        'def cb(**context):',
        "    a = f\"{context['prev_ds']}/{x['not_context']}\"",
        '    b = "{0[yesterday_ds]}".format(context)',
        '    c = "{tomorrow_ds}".format(**context)',
        '    d = "{c[next_execution_date]}".format(c=context)',
        '    e = "{ds}".format(ds="2020")',
      ]),
    ).toEqual([
      [2, 'prev_ds', 'fstring'],
      [3, 'yesterday_ds', 'format'],
      [4, 'tomorrow_ds', 'format'],
      [5, 'next_execution_date', 'format'],
    ]);
  });

  it('keeps subscripts as they were: f-string lookups are only context reads', () => {
    const a = analyzePython(py(['def cb(**context):', "    return f\"{context['ds']}\" + context['ts']"]));
    expect(a.subscripts.map((s) => s.key)).toEqual(['ts']);
  });

  it('treats execute(self, context), @task functions and get_current_context() as context', () => {
    expect(
      reads([
        'from airflow.decorators import task',
        'from airflow.operators.python import get_current_context',
        'class Op(BaseOperator):',
        '    def __init__(self, conf=None, **kwargs):',
        '        kwargs["task_id"]',
        '    def execute(self, context):',
        '        return context["execution_date"]',
        '@task',
        'def t(logical_date=None):',
        '    c = get_current_context()',
        '    return c["triggering_dataset_events"]',
      ]),
    ).toEqual([
      [7, 'execution_date', 'subscript'],
      [9, 'logical_date', 'parameter'],
      [11, 'triggering_dataset_events', 'subscript'],
    ]);
  });
});

describe('what is not a context read (negatives)', () => {
  it('ignores a helper whose parameter or local is named after a key, unless it is passed as a callable', () => {
    const src = [
      'def helper(execution_date):',
      '    return execution_date',
      'def other():',
      '    execution_date = 1',
      '    return execution_date',
      'def used(prev_ds):',
      '    return prev_ds',
      'PythonOperator(task_id="t", python_callable=used)',
    ];
    expect(reads(src)).toEqual([[6, 'prev_ds', 'parameter']]);
  });

  it('ignores a `context` parameter of an unrelated function, but not of a callback', () => {
    const src = [
      'def render(template, context):',
      '    return context["execution_date"]',
      'def notify(context):',
      '    return context.get("execution_date")',
      'default_args = {"on_failure_callback": notify}',
    ];
    expect(reads(src)).toEqual([[4, 'execution_date', 'get']]);
  });

  it('ignores context-like names at module level and names bound by imports', () => {
    expect(reads(['from x import ti', 'context = {}', 'context["execution_date"]', 'def f(**kw):', '    ti.conf'])).toEqual([]);
  });
});

describe('Jinja templates', () => {
  it('records every root name of {{ }} and {% %} blocks, with its line and column', () => {
    const a = analyzePython(
      py([
        'cmd = """echo {{ ds }} {{ macros.ds_add(ds, 1) }}',
        '  {{ dag_run.conf["x"] | tojson }} {{ execution_date.strftime("%Y") }}',
        '  {% if ti.xcom_pull(task_ids="a") is defined %}{{ params.table }}{% endif %}"""',
      ]),
    );
    expect(a.contextReads.map((r) => [r.line, r.col, r.key])).toEqual([
      [1, 18, 'ds'],
      [1, 27, 'macros.ds_add'],
      [2, 6, 'dag_run.conf'],
      [2, 39, 'execution_date'],
      [3, 9, 'ti.xcom_pull'],
      [3, 52, 'params'],
    ]);
    expect(a.contextReads.every((r) => r.via === 'template')).toBe(true);
  });

  it('skips f-strings, where {{ is an escape, and reads each part of a concatenation', () => {
    expect(reads(['a = f"{{ ds }}"', 'b = ("{{ next_ds }}"', '     "{{ prev_ds }}")'])).toEqual([
      [2, 'next_ds', 'template'],
      [3, 'prev_ds', 'template'],
    ]);
  });
});
