import type { PyDag } from '../../home/inventory.js';
import { literal } from '../literal.js';
import type { PyNode } from '../tree.js';
import { rebind } from './imports.js';
import { noteDynamicArgs } from './dynamic-values.js';
import { scheduleOf } from './schedule.js';
import { startDateOf } from './start-date.js';
import { args, kwargsOf, lastPart, pos, type Ctx, type State } from './state.js';

// DAGs (constructor, `with DAG(...)`, @dag) and tasks (operators, sensors, @task, mapped
// `.partial().expand()`), tied to the DAG they belong to.

export const DAG_CLASSES = new Set(['airflow.DAG', 'airflow.models.DAG', 'airflow.models.dag.DAG', 'airflow.sdk.DAG', 'airflow.sdk.definitions.dag.DAG', 'DAG']);
const DAG_DECORATORS = new Set(['airflow.decorators.dag', 'airflow.sdk.dag', 'airflow.models.dag.dag', 'dag']);
const TASK_DECORATOR_ROOTS = ['airflow.decorators.task', 'airflow.sdk.task', 'task'];

const isTaskDecorator = (q: string) => TASK_DECORATOR_ROOTS.some((r) => q === r || q.startsWith(r + '.')) && !/\.(override|expand|partial)$/.test(q);

function addDag(s: State, call: PyNode, form: PyDag['form'], fallbackId: string | null, at: PyNode, ctx: Ctx): number {
  const given = args(call);
  const { positional, keywords } = given;
  const id = s.literalOf(keywords.get('dag_id') ?? positional[0]);
  s.out.dags.push({ ...pos(at), dagId: typeof id === 'string' ? id : fallbackId, form, inLoop: ctx.loop, ...scheduleOf(s, given), startDate: startDateOf(s, keywords), ...dagKwargs(s, keywords) });
  noteDynamicArgs(s, keywords, { dag: s.out.dags.length - 1 });
  return s.out.dags.length - 1;
}

/** A DAG's keyword arguments, default_args read through a module-level `default_args = {...}` (the usual way to write it). */
function dagKwargs(s: State, keywords: Map<string, PyNode>): Pick<PyDag, 'kwargs' | 'exprKwargs' | 'keywordAt'> {
  return kwargsOf(keywords, (name, v) => {
    if (name === 'default_args' && v.type === 'identifier') {
      const value = s.literalOf(v);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value;
    }
    return literal(v);
  });
}

function dagOfTask(s: State, keywords: Map<string, PyNode>, ctx: Ctx): number | null {
  const d = keywords.get('dag');
  if (d?.type === 'identifier' && s.dagVars.has(d.text)) return s.dagVars.get(d.text)!;
  return ctx.dag;
}

export function addTask(s: State, call: PyNode, operator: string, ctx: Ctx, mapped: boolean, extra?: PyNode): void {
  const keywords = new Map(args(call).keywords);
  if (extra) for (const [k, v] of args(extra).keywords) keywords.set(k, v);
  const id = literal(keywords.get('task_id'));
  s.out.tasks.push({
    ...pos(call),
    operator,
    form: /Sensor$/.test(lastPart(operator)) ? 'sensor' : 'operator',
    taskId: typeof id === 'string' ? id : null,
    dag: dagOfTask(s, keywords, ctx),
    inLoop: ctx.loop,
    mapped,
    ...kwargsOf(keywords),
  });
  noteDynamicArgs(s, keywords, { task: s.out.tasks.length - 1 });
}

/** `DAG(...)` assigned to a name, for `dag=name` and `name >> task`. */
export function addConstructedDag(s: State, call: PyNode, ctx: Ctx): void {
  const idx = addDag(s, call, 'constructor', null, call, ctx);
  const parent = call.parent;
  if (parent?.type === 'assignment' && parent.childForFieldName('left')?.type === 'identifier') s.dagVars.set(parent.childForFieldName('left')!.text, idx);
}

/** X.partial(...).expand(...): one mapped task of X; t.expand(...) on a @task function marks it mapped. */
export function visitExpand(s: State, call: PyNode, fn: PyNode, ctx: Ctx): void {
  const obj = fn.childForFieldName('object');
  const partial = obj?.type === 'call' ? obj : null;
  const partialFn = partial?.childForFieldName('function');
  const base = partialFn?.type === 'attribute' && partialFn.childForFieldName('attribute')?.text === 'partial' ? partialFn.childForFieldName('object') : obj;
  const baseQ = s.resolve(base ?? null);
  if (baseQ && s.isOperatorName(baseQ) && partial) {
    addTask(s, partial, baseQ, ctx, true, call);
    s.consumed.add(partial);
  } else if (base?.type === 'identifier' && s.taskFunctions.has(base.text)) {
    s.out.tasks[s.taskFunctions.get(base.text)!]!.mapped = true;
  }
}

/** @dag and @task decorators of one function: the DAG index it opens, and whether it is a task. */
export function visitDagTaskDecorators(s: State, decorated: PyNode, fname: string | null, ctx: Ctx): { dag: number | null; task: boolean } {
  let dagIndex: number | null = null;
  let taskDecorator: { q: string; call: PyNode | null } | null = null;
  for (const dec of decorated.namedChildren) {
    const expr = dec.type === 'decorator' ? dec.namedChildren[0] : null;
    if (!expr) continue;
    const call = expr.type === 'call' ? expr : null;
    const q = s.resolve(call ? call.childForFieldName('function') : expr);
    if (!q) continue;
    if (DAG_DECORATORS.has(q)) {
      if (call) dagIndex = addDag(s, call, 'decorator', fname, decorated, ctx);
      else {
        s.out.dags.push({ ...pos(decorated), dagId: fname, form: 'decorator', inLoop: ctx.loop, scheduleArg: null, schedule: { kind: 'default' }, startDate: null, kwargs: {}, exprKwargs: [], keywordAt: [] });
        dagIndex = s.out.dags.length - 1;
      }
    } else if (isTaskDecorator(q) && !taskDecorator) {
      taskDecorator = { q, call };
    }
  }
  if (taskDecorator) {
    const keywords = taskDecorator.call ? args(taskDecorator.call).keywords : new Map<string, PyNode>();
    const id = literal(keywords.get('task_id'));
    s.out.tasks.push({
      ...pos(decorated),
      operator: taskDecorator.q,
      form: 'taskflow',
      taskId: typeof id === 'string' ? id : fname,
      dag: ctx.dag,
      inLoop: ctx.loop,
      mapped: false,
      ...kwargsOf(keywords),
    });
    noteDynamicArgs(s, keywords, { task: s.out.tasks.length - 1 });
    if (fname) s.taskFunctions.set(fname, s.out.tasks.length - 1);
  }
  return { dag: dagIndex, task: taskDecorator !== null };
}

export function visitWith(s: State, node: PyNode, ctx: Ctx): void {
  let inner = ctx;
  const clause = node.namedChildren.find((c) => c.type === 'with_clause');
  for (const item of clause?.namedChildren ?? []) {
    let value = item.childForFieldName('value');
    let alias: string | null = null;
    if (value?.type === 'as_pattern') {
      alias = value.namedChildren.find((c) => c.type === 'as_pattern_target')?.text ?? null;
      value = value.namedChildren[0] ?? null;
    }
    if (value?.type === 'call' && DAG_CLASSES.has(s.resolve(value.childForFieldName('function')) ?? '')) {
      const idx = addDag(s, value, 'context-manager', null, value, ctx);
      if (alias) s.dagVars.set(alias, idx);
      inner = { ...inner, dag: idx };
      s.walk(value.childForFieldName('function'), ctx);
      s.walk(value.childForFieldName('arguments'), ctx);
    } else {
      s.walk(value, ctx);
    }
    // Bound once the value is read: `with DAG(...) as dag:` after `from airflow.decorators import dag`.
    if (alias) rebind(s, alias, ctx);
  }
  s.walk(node.childForFieldName('body'), inner);
}

/** `dag >> task` / `task << dag` (Airflow 1.10 let a DAG on either side assign the task). */
export function visitChain(s: State, node: PyNode): void {
  const [left, right] = [node.childForFieldName('left'), node.childForFieldName('right')];
  const op = left && right ? node.text.slice(left.end - node.start, right.start - node.start).trim() : '';
  const isDag = (n: PyNode | null) => n?.type === 'identifier' && s.dagVars.has(n.text);
  if ((op === '>>' || op === '<<') && (isDag(left) || isDag(right))) s.out.dagChains.push(pos(node));
}
