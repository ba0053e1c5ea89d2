import type { LiteralValue, PyAnalysis, PyFile, PyTask } from '../../../home/inventory.js';
import type { FixIntent, Hit, Matcher } from '../../types.js';
import {
  airflowAncestors,
  analysed,
  anyArg,
  argAt,
  argNames,
  byOld,
  defaultArgs,
  hitter,
  isAirflowName,
  localClasses,
  rowsIn,
  simple,
  type ArgumentRow,
  type Hitter,
} from './table.js';

// Arguments and argument values of DAG, operator, schedule and function calls: one scan per
// scope of rules/data/arguments.json. DAG and task decorators count as the calls they stand for.

// The operator class behind each TaskFlow decorator (airflow.decorators' TaskDecoratorCollection
// in 2.x, airflow.sdk in 3.x): `@task(provide_context=True)` reaches PythonOperator's constructor.
const TASKFLOW_CLASSES: Record<string, string> = {
  task: 'PythonOperator',
  python: 'PythonOperator',
  virtualenv: 'PythonVirtualenvOperator',
  external_python: 'ExternalPythonOperator',
  branch: 'BranchPythonOperator',
  branch_virtualenv: 'BranchPythonVirtualenvOperator',
  branch_external_python: 'BranchExternalPythonOperator',
  short_circuit: 'ShortCircuitOperator',
};

/** The Airflow classes a task is an instance of. */
function taskClasses(task: PyTask, local: Map<string, string[]>): string[] {
  if (task.form !== 'taskflow') return airflowAncestors(task.operator, local);
  const cls = TASKFLOW_CLASSES[simple(task.operator)];
  return cls ? [cls] : [];
}

/** How the message names a task's class: `@task.virtualenv` for a decorated function. */
const ownerOf = (task: PyTask) => (task.form === 'taskflow' ? `@${task.operator.replace(/^airflow\.(decorators|sdk)\./, '')}` : simple(task.operator));

interface ArgumentParams {
  scope: 'dag' | 'operator' | 'unknown-argument' | 'value' | 'schedule' | 'call';
  /** unknown-argument: the class-specific arguments to look for on other operators. */
  arguments?: string[];
}

/** The fix of a renamed or removed keyword argument of the call at the hit. */
const keyword = (row: ArgumentRow): FixIntent => ({ kind: 'keyword', name: row.old, to: row.new });

/** Builds its lookups once per check, then scans one file at a time. */
type Scan = (p: ArgumentParams) => (file: PyFile, a: PyAnalysis, hit: Hitter) => void;

const SCANS: Record<ArgumentParams['scope'], Scan> = {
  dag: () => {
    const table = byOld(rowsIn('dag'));
    return (file, a, hit) => {
      for (const dag of a.dags) {
        for (const name of argNames(dag)) for (const row of table.get(name) ?? []) hit(row, file, argAt(dag, name), name, { owner: 'DAG' }, undefined, keyword(row));
      }
    };
  },
  operator: () => {
    const table = byOld(rowsIn('operator'));
    const named = (n: string) => table.has(n);
    return (file, a, hit) => {
      // The file's own classes, made only for a task with an argument the table names (few are).
      let local: Map<string, string[]> | undefined;
      for (const task of a.tasks) {
        if (!anyArg(task, named)) continue;
        const names = argNames(task);
        const classes = taskClasses(task, (local ??= localClasses(a)));
        for (const name of names) {
          for (const row of table.get(name) ?? []) {
            if (row.classes && !row.classes.some((c) => classes.includes(c))) continue;
            hit(row, file, argAt(task, name), name, { owner: ownerOf(task) }, undefined, keyword(row));
          }
        }
      }
      for (const dag of a.dags) {
        for (const name of Object.keys(defaultArgs(dag) ?? {})) {
          for (const row of table.get(name) ?? []) hit(row, file, dag, name, { owner: 'default_args' }, undefined, { kind: 'default-args-key', name, to: row.new });
        }
      }
    };
  },
  'unknown-argument': (p) => {
    const [row] = rowsIn('unknown-argument');
    const wanted = new Set(p.arguments ?? []);
    const accepting = new Set(rowsIn('operator').filter((r) => wanted.has(r.old)).flatMap((r) => r.classes ?? []));
    const isWanted = (n: string) => wanted.has(n);
    return (file, a, hit) => {
      let local: Map<string, string[]> | undefined;
      for (const task of a.tasks) {
        if (!anyArg(task, isWanted)) continue;
        // A subclass defined here may take the argument itself; a taskflow task is a PythonOperator.
        if (task.form === 'taskflow' || !isAirflowName(task.operator) || accepting.has(simple(task.operator))) continue;
        if ((local ??= localClasses(a)).has(task.operator)) continue;
        for (const name of argNames(task)) if (wanted.has(name)) hit(row!, file, argAt(task, name), name, { owner: simple(task.operator), name }, undefined, { kind: 'keyword', name, to: null });
      }
    };
  },
  value: () => {
    const table = rowsIn('value');
    return (file, a, hit) => {
      const check = (values: Record<string, LiteralValue> | null, at: { line: number; col: number }, inDefaultArgs: boolean) => {
        for (const row of table) {
          if (values?.[row.argument!] !== row.old) continue;
          const fix = { kind: 'value', argument: row.argument!, from: row.old, to: row.new!, inDefaultArgs } as const;
          hit(row, file, at, `${row.argument}="${row.old}"`, { argument: row.argument!, found: `"${row.old}"`, use: `"${row.new}"` }, undefined, fix);
        }
      };
      for (const task of a.tasks) check(task.kwargs, task, false);
      for (const dag of a.dags) check(defaultArgs(dag), dag, true);
      for (const ref of a.references) {
        for (const row of table) {
          if (!ref.name.startsWith('airflow.') || !ref.name.endsWith(`.${row.enum}`)) continue;
          const fix = { kind: 'attribute', from: simple(row.enum!), to: simple(row.newEnum!) } as const;
          hit(row, file, ref, ref.name, { argument: row.argument!, found: row.enum!, use: row.newEnum! }, undefined, fix);
        }
      }
    };
  },
  // Keyword arguments of Airflow functions, matched on Class.method so that every import path
  // of the class counts (airflow.models.Variable and airflow.sdk.Variable alike).
  call: () => {
    const tail = (q: string) => q.split('.').slice(-2).join('.');
    const table = new Map<string, ArgumentRow[]>();
    for (const row of rowsIn('call')) table.set(tail(row.callee!), [...(table.get(tail(row.callee!)) ?? []), row]);
    return (file, a, hit) => {
      for (const call of a.calls) {
        const t = tail(call.callee);
        for (const row of table.get(t) ?? []) {
          if (!call.kwargs.includes(row.old)) continue;
          // Another class of the same name (airflow.models.Variable) keeps the old keyword: it breaks
          // once the import moves to the row's class (as IMP004 says to), and fix renames it then.
          const cls = row.callee!.slice(0, row.callee!.lastIndexOf('.'));
          const exact = call.callee === row.callee;
          const fix: FixIntent = { kind: 'keyword', name: row.old, to: row.new, ...(exact ? {} : { ifMovedTo: cls }) };
          hit(row, file, call, `${t}(${row.old}=...)`, { owner: exact ? t : `${t} (once imported from ${cls})` }, exact ? undefined : 'warning', fix);
        }
      }
    };
  },
  schedule: () => {
    const table = rowsIn('schedule').map((row) => ({ row, call: new RegExp(`\\b${row.class}\\s*\\(`), arg: new RegExp(`[(,]\\s*${row.old}\\s*=`) }));
    return (file, a, hit) => {
      for (const dag of a.dags) {
        const text = 'text' in dag.schedule ? dag.schedule.text : '';
        for (const { row, call, arg } of table) {
          if (call.test(text) && arg.test(text)) hit(row, file, dag, text, { owner: row.class! }, undefined, { kind: 'keyword', name: row.old, to: row.new, callee: row.class! });
        }
      }
    };
  },
};

export const argumentTable: Matcher = (inv, ctx, raw) => {
  const p = raw as unknown as ArgumentParams;
  const hits: Hit[] = [];
  const hit = hitter(ctx, hits);
  const scan = SCANS[p.scope](p);
  for (const file of analysed(inv)) scan(file, file.analysis, hit);
  return hits;
};

