import type { Inventory, LiteralValue, PyAnalysis, PyDag, PyFile, PyFunction, PyTask } from '../../home/inventory.js';
import { dataTable } from '../../refdata/data.js';
import type { CheckContext, Hit, Matcher, Severity } from '../types.js';

// Renamed and removed arguments, argument values, method signatures and task-context variables,
// driven by rules/data/arguments.json (from arguments-changes.yml). Each row carries a scope that
// says where its old spelling shows up in the Inventory; each match kind reads some scopes.

export type ArgumentScope = 'dag' | 'operator' | 'unknown-argument' | 'value' | 'call' | 'schedule' | 'signature' | 'decorator' | 'context';

export interface ArgumentRow {
  target: string; // the reference table's wording of what changed
  scope: ArgumentScope;
  old: string;
  new: string | null;
  kind: 'renamed' | 'removed';
  deprecatedSince: string | null;
  removedIn: string;
  rule: string | null;
  note: string | null;
  /** operator: the classes that take the argument (null: every operator). */
  classes?: string[] | null;
  /** value: the argument whose value changed, and the enum members for old and new values. */
  argument?: string;
  enum?: string;
  newEnum?: string;
  /** schedule: the schedule class taking the argument. */
  class?: string;
  /** signature: methods of classes deriving from a class matching classPattern. */
  classPattern?: string;
  method?: string;
  removed?: string[];
  required?: string[];
  /** context: lookups with any string key on this context object are what changed. */
  stringKeys?: boolean;
  /** call: the function taking the argument. */
  callee?: string;
}

const argumentData = dataTable<{ rows: ArgumentRow[] }>('arguments.json');
export const argumentRows = (): ArgumentRow[] => argumentData().rows;

const rowsIn = (scope: ArgumentScope) => argumentRows().filter((r) => r.scope === scope);

/** Error when the removal lies on the way to the target; warning when the target still takes it but warns. */
function severityOf(row: ArgumentRow, ctx: CheckContext): Severity | null {
  if (ctx.crosses(row.removedIn)) return 'error';
  if (row.deprecatedSince && ctx.targetIn(`>=${row.deprecatedSince}`) && !ctx.targetIn(`>=${row.removedIn}`)) return 'warning';
  return null;
}

function rowVars(row: ArgumentRow, severity: Severity): Record<string, string> {
  return {
    name: row.old,
    change:
      severity === 'error'
        ? `was removed in Airflow ${row.removedIn}`
        : `is deprecated since Airflow ${row.deprecatedSince} and removed in ${row.removedIn}`,
    replacement: row.new ? `use ${row.new}` : 'remove it',
    action: row.new ? `replace ${row.old} with ${row.new}` : `remove ${row.old}`,
    target: row.target,
    removedIn: row.removedIn,
    note: row.note ? ` (${row.note.replace(/\.$/, '')})` : '',
  };
}

/** Hits for one scope's rows, with the severity each row has on the way to the target. */
function hitter(ctx: CheckContext, hits: Hit[]) {
  const judged = new Map<ArgumentRow, { severity: Severity; vars: Record<string, string> } | null>();
  return (row: ArgumentRow, file: PyFile, at: { line: number; col: number }, text: string, vars: Record<string, string>) => {
    let j = judged.get(row);
    if (j === undefined) {
      const severity = severityOf(row, ctx);
      j = severity && { severity, vars: rowVars(row, severity) };
      judged.set(row, j);
    }
    if (j) hits.push({ file: file.path, line: at.line, col: at.col, text, severity: j.severity, vars: { ...j.vars, ...vars } });
  };
}

const byOld = (list: ArgumentRow[]) => {
  const m = new Map<string, ArgumentRow[]>();
  for (const r of list) m.set(r.old, [...(m.get(r.old) ?? []), r]);
  return m;
};

const analysed = (inv: Inventory) =>
  [...inv.dagFiles, ...inv.plugins.files].filter((f): f is PyFile & { analysis: PyAnalysis } => f.analysis !== null);

const simple = (q: string) => q.slice(q.lastIndexOf('.') + 1);
// An Airflow class under any import path (old, new, provider), or a bare name a star import left unresolved.
const isAirflowName = (q: string) => q.startsWith('airflow.') || !q.includes('.');

/** Classes defined in the file: name -> bases, for operators and handlers that subclass Airflow's. */
const localClasses = (a: PyAnalysis) => new Map(a.classes.map((c) => [c.name, c.bases]));

/** The Airflow classes a name stands for, following subclasses defined in the same file. */
function airflowAncestors(q: string, local: Map<string, string[]>, depth = 0): string[] {
  const bases = local.get(q);
  if (bases) return depth < 8 ? bases.flatMap((b) => airflowAncestors(b, local, depth + 1)) : [];
  return isAirflowName(q) ? [simple(q)] : [];
}

const argNames = (x: { kwargs: Record<string, LiteralValue>; exprKwargs: string[] }) => [...Object.keys(x.kwargs), ...x.exprKwargs];

/** default_args keys reach every operator of the DAG; known only when written as a literal dict. */
function defaultArgs(dag: PyDag): Record<string, LiteralValue> | null {
  const d = dag.kwargs['default_args'];
  return d && typeof d === 'object' && !Array.isArray(d) ? d : null;
}

// --- argument-table: arguments and argument values of DAG, operator and schedule calls ---------

interface ArgumentParams {
  scope: 'dag' | 'operator' | 'unknown-argument' | 'value' | 'schedule' | 'call';
  /** unknown-argument: the class-specific arguments to look for on other operators. */
  arguments?: string[];
}

type Hitter = ReturnType<typeof hitter>;
/** Builds its lookups once per check, then scans one file at a time. */
type Scan = (p: ArgumentParams) => (file: PyFile, a: PyAnalysis, hit: Hitter) => void;

const SCANS: Record<ArgumentParams['scope'], Scan> = {
  dag: () => {
    const table = byOld(rowsIn('dag'));
    return (file, a, hit) => {
      for (const dag of a.dags) {
        for (const name of argNames(dag)) for (const row of table.get(name) ?? []) hit(row, file, dag, name, { owner: 'DAG' });
      }
    };
  },
  operator: () => {
    const table = byOld(rowsIn('operator'));
    return (file, a, hit) => {
      const local = localClasses(a);
      for (const task of a.tasks) {
        const names = argNames(task);
        if (!names.some((n) => table.has(n))) continue;
        const classes = task.form === 'taskflow' ? [] : airflowAncestors(task.operator, local);
        for (const name of names) {
          for (const row of table.get(name) ?? []) {
            if (row.classes && !row.classes.some((c) => classes.includes(c))) continue;
            hit(row, file, task, name, { owner: simple(task.operator) });
          }
        }
      }
      for (const dag of a.dags) {
        for (const name of Object.keys(defaultArgs(dag) ?? {})) for (const row of table.get(name) ?? []) hit(row, file, dag, name, { owner: 'default_args' });
      }
    };
  },
  'unknown-argument': (p) => {
    const [row] = rowsIn('unknown-argument');
    const wanted = new Set(p.arguments ?? []);
    const accepting = new Set(rowsIn('operator').filter((r) => wanted.has(r.old)).flatMap((r) => r.classes ?? []));
    return (file, a, hit) => {
      const local = localClasses(a);
      for (const task of a.tasks) {
        // A subclass defined here may take the argument itself; a taskflow task is a PythonOperator.
        if (task.form === 'taskflow' || local.has(task.operator) || !isAirflowName(task.operator) || accepting.has(simple(task.operator))) continue;
        for (const name of argNames(task)) if (wanted.has(name)) hit(row!, file, task, name, { owner: simple(task.operator), name });
      }
    };
  },
  value: () => {
    const table = rowsIn('value');
    return (file, a, hit) => {
      const check = (values: Record<string, LiteralValue> | null, at: { line: number; col: number }) => {
        for (const row of table) {
          if (values?.[row.argument!] === row.old) hit(row, file, at, `${row.argument}="${row.old}"`, { argument: row.argument!, found: `"${row.old}"`, use: `"${row.new}"` });
        }
      };
      for (const task of a.tasks) check(task.kwargs, task);
      for (const dag of a.dags) check(defaultArgs(dag), dag);
      for (const ref of a.references) {
        for (const row of table) {
          if (ref.name.startsWith('airflow.') && ref.name.endsWith(`.${row.enum}`)) hit(row, file, ref, ref.name, { argument: row.argument!, found: row.enum!, use: row.newEnum! });
        }
      }
    };
  },
  // Keyword arguments of Airflow functions, matched on Class.method so that every import path
  // of the class counts (airflow.models.Variable and airflow.sdk.Variable alike).
  call: () => {
    const tail = (q: string) => q.split('.').slice(-2).join('.');
    const table = rowsIn('call').map((row) => ({ row, tail: tail(row.callee!) }));
    return (file, a, hit) => {
      for (const call of a.calls) {
        for (const { row, tail: t } of table) if (tail(call.callee) === t && call.kwargs.includes(row.old)) hit(row, file, call, `${t}(${row.old}=...)`, { owner: t });
      }
    };
  },
  schedule: () => {
    const table = rowsIn('schedule').map((row) => ({ row, call: new RegExp(`\\b${row.class}\\s*\\(`), arg: new RegExp(`[(,]\\s*${row.old}\\s*=`) }));
    return (file, a, hit) => {
      for (const dag of a.dags) {
        const text = 'text' in dag.schedule ? dag.schedule.text : '';
        for (const { row, call, arg } of table) if (call.test(text) && arg.test(text)) hit(row, file, dag, text, { owner: row.class! });
      }
    };
  },
};

const argumentTable: Matcher = (inv, ctx, raw) => {
  const p = raw as unknown as ArgumentParams;
  const hits: Hit[] = [];
  const hit = hitter(ctx, hits);
  const scan = SCANS[p.scope](p);
  for (const file of analysed(inv)) scan(file, file.analysis, hit);
  return hits;
};

// --- context-table: task-context variables in callables, context lookups and Jinja templates ---

const TEMPLATE = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
const QUOTED = /'[^']*'|"[^"]*"/g;
// A top-level name with an optional attribute, not itself an attribute or a keyword argument.
const NAME = /(?<![\w.])([A-Za-z_]\w*)(?:\s*\.\s*([A-Za-z_]\w*))?(?!\s*=[^=])/g;

/** Names (`execution_date`, `dag_run.external_trigger`) used inside the Jinja blocks of a string. */
function templateNames(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(TEMPLATE)) {
    for (const n of (m[1] ?? m[2]!).replace(QUOTED, '""').matchAll(NAME)) {
      out.push(n[1]!);
      if (n[2]) out.push(`${n[1]}.${n[2]}`);
    }
  }
  return out;
}

/** The strings inside a literal value that hold a Jinja block. */
function templates(value: LiteralValue, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('{{') || value.includes('{%')) out.push(value);
  } else if (Array.isArray(value)) for (const v of value) templates(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) templates(v, out);
  return out;
}

const contextTable: Matcher = (inv, ctx) => {
  const hits: Hit[] = [];
  const hit = hitter(ctx, hits);
  const table = rowsIn('context');
  const names = new Map(table.filter((r) => !r.stringKeys).map((r) => [r.old, r]));
  const keyed = new Map(table.filter((r) => r.stringKeys).map((r) => [r.old, r]));
  // Most templates use none of the names; one search skips them before they are parsed.
  const mentioned = new RegExp(`\\b(${[...new Set([...names.keys()].map((n) => n.split('.')[0]!))].join('|')})\\b`);
  for (const file of analysed(inv)) {
    const a = file.analysis;
    if (a.functions.length) {
      const taskFunctions = new Set(a.tasks.filter((t) => t.form === 'taskflow').map((t) => t.line));
      const methods = a.classes.length ? methodsOf(a) : null;
      for (const fn of a.functions) {
        // Named parameters are filled from the context only in task callables: @task functions, or
        // functions that take `**kwargs` the way callables given provide_context did. Methods
        // (an operator's `__init__(self, conf, **kwargs)`) take their arguments from their caller.
        if (methods?.has(fn) || (!taskFunctions.has(fn.line) && !fn.params.some((p) => p.startsWith('**')))) continue;
        for (const param of fn.params) {
          const row = names.get(param);
          if (row) hit(row, file, fn, param, { where: `parameter ${param} of ${fn.name}()` });
        }
      }
    }
    if (a.subscripts.length) {
      // The context reaches a callable as `**kwargs` (any name) or an `execute(self, context)` argument.
      const contextObjects = new Set(['context']);
      for (const fn of a.functions) for (const p of fn.params) if (p.startsWith('**')) contextObjects.add(p.slice(2));
      for (const s of a.subscripts) {
        const row = contextObjects.has(s.object) ? names.get(s.key) : keyed.get(s.object);
        if (row) hit(row, file, s, `${s.object}["${s.key}"]`, { where: `${s.object}["${s.key}"]` });
      }
    }
    for (const task of a.tasks) {
      let seen: Set<ArgumentRow> | null = null;
      for (const argument in task.kwargs) {
        for (const s of templates(task.kwargs[argument]!)) {
          if (!mentioned.test(s)) continue;
          for (const name of templateNames(s)) {
            const row = names.get(name);
            if (!row || seen?.has(row)) continue;
            (seen ??= new Set()).add(row);
            hit(row, file, task, `{{ ${name} }}`, { where: `{{ ${name} }} in the ${argument} template of task ${task.taskId ?? simple(task.operator)}` });
          }
        }
      }
    }
  }
  return hits;
};

// --- signature-table: methods overriding changed Airflow signatures, and removed decorators ----

/** The class each function is a method of, from the nesting that indentation shows. */
function methodsOf(a: PyAnalysis): Map<PyFunction, string> {
  const items = [
    ...a.classes.map((c) => ({ line: c.line, col: c.col, name: c.name, fn: null })),
    ...a.functions.map((f) => ({ line: f.line, col: f.col, name: f.name, fn: f })),
  ].sort((x, y) => x.line - y.line || x.col - y.col);
  const out = new Map<PyFunction, string>();
  const stack: typeof items = [];
  for (const item of items) {
    while (stack.length && stack.at(-1)!.col >= item.col) stack.pop();
    const parent = stack.at(-1);
    if (item.fn && parent && !parent.fn) out.set(item.fn, parent.name);
    stack.push(item);
  }
  return out;
}

interface SignatureParams {
  scope: 'signature' | 'decorator';
}

const signatureTable: Matcher = (inv, ctx, raw) => {
  const p = raw as unknown as SignatureParams;
  const hits: Hit[] = [];
  const hit = hitter(ctx, hits);
  const table = rowsIn(p.scope).map((row) => ({ row, base: new RegExp(row.classPattern ?? '^$') }));
  for (const file of analysed(inv)) {
    const a = file.analysis;
    if (p.scope === 'decorator') {
      const methods = a.classes.length ? methodsOf(a) : null;
      for (const fn of a.functions) {
        for (const d of fn.decorators) {
          for (const { row } of table) {
            if (d !== row.old && !(isAirflowName(d) && simple(d) === simple(row.old))) continue;
            const cls = methods?.get(fn);
            hit(row, file, fn, `@${d}`, { owner: cls ? `${cls}.${fn.name}` : fn.name });
          }
        }
      }
      continue;
    }
    if (!a.classes.length) continue;
    const local = localClasses(a);
    for (const [fn, cls] of methodsOf(a)) {
      const bases = local.get(cls)!.flatMap((b) => airflowAncestors(b, local));
      for (const { row, base } of table) {
        if (fn.name !== row.method || !bases.some((b) => base.test(b))) continue;
        const present = row.removed!.filter((r) => fn.params.includes(r));
        // `**kwargs` absorbs a new keyword argument.
        const missing = fn.params.some((q) => q.startsWith('**')) ? [] : row.required!.filter((r) => !fn.params.includes(r));
        if (!present.length && !missing.length) continue;
        const problem = [...present.map((x) => `takes ${x}`), ...missing.map((x) => `lacks the ${x} keyword`)].join(' and ');
        hit(row, file, fn, `def ${fn.name}(${fn.params.join(', ')})`, { owner: `${cls}.${fn.name}`, problem });
      }
    }
  }
  return hits;
};

// --- operator-class and argument-default-changed: one operator class, named by the rule -------

interface OperatorParams {
  operators: string[];
}

const taskLabel = (task: PyTask) => (task.taskId ? `Task ${task.taskId}` : 'A task');

/** Tasks of the given Airflow classes (or subclasses defined beside them). */
function tasksOf(inv: Inventory, operators: string[], each: (file: PyFile, a: PyAnalysis, task: PyTask, cls: string) => void) {
  const wanted = new Set(operators);
  for (const file of analysed(inv)) {
    const a = file.analysis;
    if (!a.tasks.length) continue;
    const local = localClasses(a);
    for (const task of a.tasks) {
      const cls = airflowAncestors(task.operator, local).find((c) => wanted.has(c));
      if (cls && task.form !== 'taskflow') each(file, a, task, cls);
    }
  }
}

const operatorClass: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as OperatorParams;
  const hits: Hit[] = [];
  tasksOf(inv, p.operators, (file, _a, task, cls) =>
    hits.push({ file: file.path, line: task.line, col: task.col, text: simple(task.operator), vars: { operator: cls, task: taskLabel(task) } }),
  );
  return hits;
};

interface DefaultChangedParams extends OperatorParams {
  argument: string;
  old: string;
  new: string;
}

const argumentDefaultChanged: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as DefaultChangedParams;
  const hits: Hit[] = [];
  tasksOf(inv, p.operators, (file, a, task, cls) => {
    const dag = task.dag === null ? undefined : a.dags[task.dag];
    if (argNames(task).includes(p.argument) || (dag && p.argument in (defaultArgs(dag) ?? {}))) return;
    hits.push({
      file: file.path,
      line: task.line,
      col: task.col,
      text: simple(task.operator),
      vars: { operator: cls, task: taskLabel(task), argument: p.argument, old: p.old, new: p.new },
    });
  });
  return hits;
};

// --- dag-chain: `dag >> task`, which Airflow 1.10 read as "add task to dag" and 2.0 refuses ----

const dagChain: Matcher = (inv) =>
  analysed(inv).flatMap((file) => file.analysis.dagChains.map((at) => ({ file: file.path, line: at.line, col: at.col, text: 'dag >> task' })));

// --- operator-metaclass: custom operators with their own metaclass (2.0 requires BaseOperatorMeta) -

const operatorMetaclass: Matcher = (inv) =>
  analysed(inv).flatMap((file) => {
    const local = localClasses(file.analysis);
    return file.analysis.classes
      .filter((c) => c.keywords.includes('metaclass') && c.bases.some((b) => airflowAncestors(b, local).some((a) => /Operator$|Sensor$/.test(a))))
      .map((c) => ({ file: file.path, line: c.line, col: c.col, text: `class ${c.name}(..., metaclass=...)`, vars: { name: c.name } }));
  });

export const argumentsMatchers: Record<string, Matcher> = {
  'dag-chain': dagChain,
  'operator-metaclass': operatorMetaclass,
  'argument-table': argumentTable,
  'context-table': contextTable,
  'signature-table': signatureTable,
  'operator-class': operatorClass,
  'argument-default-changed': argumentDefaultChanged,
};
