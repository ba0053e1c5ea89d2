import type { Inventory, PyAnalysis, PyFile, PyTask } from '../../../home/inventory.js';
import type { CheckContext, FixIntent, Hit, Matcher, SubDagRewrite } from '../../types.js';
import { importRows } from '../imports.js';
import { airflowAncestors, analysed, defaultArgs, hitter, isAirflowName, localClasses, methodsOf, rowsIn, simple } from './table.js';

// Methods overriding changed Airflow signatures, removed decorators, and rules about one
// operator class or one construct (dag >> task, operator metaclasses).

interface SignatureParams {
  scope: 'signature' | 'decorator';
}

export const signatureTable: Matcher = (inv, ctx, raw) => {
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
            hit(row, file, fn, `@${d}`, { owner: cls ? `${cls}.${fn.name}` : fn.name }, undefined, { kind: 'decorator', name: simple(d) });
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
  /** The fix of a SubDagOperator task (ARG009): TaskGroup's class as of 2.x, and the argument lists of SubDagRewrite. */
  taskGroup?: { class: string } & Omit<SubDagRewrite, 'path'>;
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

/** TaskGroup's path on the target: where rules/data/imports.json moves the class by then. */
function taskGroupPath(ctx: CheckContext, cls: string): string {
  const row = importRows().find((r) => r.old === cls && r.new);
  return row && ctx.crosses(row.since) ? row.new! : cls;
}

export const operatorClass: Matcher = (inv, ctx, raw) => {
  const p = raw as unknown as OperatorParams;
  const hits: Hit[] = [];
  const fix: FixIntent | undefined = p.taskGroup && {
    kind: 'subdag',
    taskGroup: { path: taskGroupPath(ctx, p.taskGroup.class), keep: p.taskGroup.keep, drop: p.taskGroup.drop, dropFromCall: p.taskGroup.dropFromCall },
  };
  tasksOf(inv, p.operators, (file, _a, task, cls) => {
    const hit: Hit = { file: file.path, line: task.line, col: task.col, text: simple(task.operator), vars: { operator: cls, task: taskLabel(task) } };
    if (fix) hit.fix = fix;
    hits.push(hit);
  });
  return hits;
};

interface DefaultChangedParams extends OperatorParams {
  argument: string;
  old: string;
  new: string;
}

export const argumentDefaultChanged: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as DefaultChangedParams;
  const hits: Hit[] = [];
  tasksOf(inv, p.operators, (file, a, task, cls) => {
    const dag = task.dag === null ? undefined : a.dags[task.dag];
    if (p.argument in task.kwargs || task.exprKwargs.includes(p.argument) || (dag && p.argument in (defaultArgs(dag) ?? {}))) return;
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

// --- dag-default-schedule: DAGs that give no schedule, which Airflow 3.0 stopped running daily --

export const dagDefaultSchedule: Matcher = (inv) =>
  analysed(inv).flatMap((file) =>
    file.analysis.dags
      .filter((d) => d.schedule.kind === 'default')
      .map((d) => ({ file: file.path, line: d.line, col: d.col, text: d.form === 'decorator' ? '@dag' : 'DAG(...)', vars: { dag: d.dagId ?? 'The DAG' } })),
  );

// --- dag-chain: `dag >> task`, which Airflow 1.10 read as "add task to dag" and 2.0 refuses ----

export const dagChain: Matcher = (inv) =>
  analysed(inv).flatMap((file) => file.analysis.dagChains.map((at) => ({ file: file.path, line: at.line, col: at.col, text: 'dag >> task' })));

// --- operator-metaclass: custom operators with their own metaclass (2.0 requires BaseOperatorMeta) -

export const operatorMetaclass: Matcher = (inv) =>
  analysed(inv).flatMap((file) => {
    const local = localClasses(file.analysis);
    return file.analysis.classes
      .filter((c) => c.keywords.includes('metaclass') && c.bases.some((b) => airflowAncestors(b, local).some((a) => /Operator$|Sensor$/.test(a))))
      .map((c) => ({ file: file.path, line: c.line, col: c.col, text: `class ${c.name}(..., metaclass=...)`, vars: { name: c.name } }));
  });
