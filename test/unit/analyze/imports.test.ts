import { describe, expect, it } from 'vitest';
import { analyzePython } from '../../../src/python/analyze.js';

const py = (lines: string[]) => lines.join('\n') + '\n';

describe('import guards', () => {
  it('marks imports in an ImportError-or-broader handler as the fallback, others in a try as try', () => {
    const a = analyzePython(
      py([
        'try:',
        '    from airflow.sdk import Asset',
        'except (ImportError, AttributeError):',
        '    from airflow.datasets import Dataset as Asset',
        'try:',
        '    from airflow.providers.standard.operators.bash import BashOperator',
        'except ModuleNotFoundError as e:',
        '    from airflow.operators.bash import BashOperator',
        'try:',
        '    import a',
        'except KeyError:',
        '    import b',
        'except Exception:',
        '    import c',
        'except:',
        '    import d',
        'finally:',
        '    import e',
        'if TYPE_CHECKING:',
        '    try:',
        '        import f',
        '    except ImportError:',
        '        import g',
      ]),
    );
    expect(a.imports.map((i) => [i.name, i.guarded])).toEqual([
      ['airflow.sdk.Asset', 'try'],
      ['airflow.datasets.Dataset', 'fallback'],
      ['airflow.providers.standard.operators.bash.BashOperator', 'try'],
      ['airflow.operators.bash.BashOperator', 'fallback'],
      ['a', 'try'],
      ['b', 'try'],
      ['c', 'fallback'],
      ['d', 'fallback'],
      ['e', 'try'],
      ['f', 'type-checking'],
      ['g', 'type-checking'],
    ]);
  });
});

describe('uses of imported airflow names', () => {
  const a = analyzePython(
    py([
      'from airflow.utils.dates import days_ago',
      'from airflow.operators.bash_operator import BashOperator as BO',
      'import airflow.utils.dates as dates',
      'from airflow.decorators import task',
      'import os',
      'start = days_ago(1)',
      'other = dates.days_ago(2)',
      'os.path.join("a", "b")',
      'def f(days_ago=None, x: BO = None):',
      '    return days_ago',
      'BO(task_id="t", days_ago=3)',
      'msg = f"{days_ago(0)}"',
      '@task',
      'def t(): pass',
      'for days_ago in []: pass',
    ]),
  );

  it('records each read of a bound name with the import that bound it', () => {
    expect(a.uses.map((u) => [u.line, u.col, u.name, a.imports[u.import]!.line])).toEqual([
      [6, 9, 'airflow.utils.dates.days_ago', 1],
      [9, 25, 'airflow.operators.bash_operator.BashOperator', 2],
      // line 10 reads f's parameter days_ago, which shadows the import there
      [11, 1, 'airflow.operators.bash_operator.BashOperator', 2],
      [12, 10, 'airflow.utils.dates.days_ago', 1],
      [13, 2, 'airflow.decorators.task', 4],
    ]);
  });

  it('never counts the import itself, assignment or loop targets, parameter names or keyword names', () => {
    expect(a.uses.filter((u) => u.line === 1 || u.line === 15 || (u.line === 9 && u.col < 20) || (u.line === 11 && u.col > 1))).toEqual([]);
  });

  it('keeps attribute access in references, with the import that bound its root', () => {
    expect(a.references).toEqual([{ line: 7, col: 9, name: 'airflow.utils.dates.days_ago', import: expect.any(Number) }]);
    expect(a.imports[a.references[0]!.import!]).toMatchObject({ line: 3, col: 8 });
  });

  it('drops a binding when a later non-airflow import rebinds the name', () => {
    const b = analyzePython(py(['from airflow.models import DAG', 'from mylib import DAG', 'DAG("x")']));
    expect(b.uses).toEqual([]);
  });

  it('sees decorators through a module as references (removed decorators)', () => {
    const b = analyzePython(py(['from airflow.www import security', '@security.requires_access_dataset("GET")', 'def view(): pass']));
    expect(b.references.map((r) => [r.line, r.name])).toEqual([[2, 'airflow.www.security.requires_access_dataset']]);
  });
});

describe('uses in class statements', () => {
  it('counts base classes, not keyword names', () => {
    const a = analyzePython(
      py(['from airflow.contrib.hooks.gcp_api_base_hook import GoogleCloudBaseHook', 'from airflow.models import metaclass', 'class H(GoogleCloudBaseHook, metaclass=M):', '    pass']),
    );
    expect(a.uses.map((u) => [u.line, u.col, u.name])).toEqual([[3, 9, 'airflow.contrib.hooks.gcp_api_base_hook.GoogleCloudBaseHook']]);
  });
});

describe('names bound again', () => {
  it('stop being the import once the module binds them to something else', () => {
    const a = analyzePython(
      py([
        'from airflow import DAG',
        'from airflow.decorators import dag, task',
        '',
        'def build():',
        '    dag = 1  # a local: the module name is still the decorator',
        '    return dag',
        '',
        '@dag(schedule=None)',
        'def first():',
        '    pass',
        '',
        'with DAG("d", schedule=None) as dag:',
        '    @dag.task',
        '    def second():',
        '        pass',
        '',
        'dag.doc_md = "notes"',
        'task = None',
        'print(task)',
      ]),
    );
    expect(a.uses.map((u) => [u.line, u.name])).toEqual([
      [8, 'airflow.decorators.dag'],
      [12, 'airflow.DAG'],
    ]);
  });
});
