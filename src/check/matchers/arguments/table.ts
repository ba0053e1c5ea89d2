import type { Inventory, LiteralValue, Position, PyAnalysis, PyDag, PyFile, PyFunction, PyTask } from '../../../home/inventory.js';
import { dataTable } from '../../../refdata/data.js';
import type { CheckContext, FixIntent, Hit, Severity } from '../../types.js';

// The rows of rules/data/arguments.json (from arguments-changes.yml) and what every ARG matcher
// shares: the severity a row has on the way to the target, its message variables, and the
// Airflow classes a name in a file stands for.

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

export const rowsIn = (scope: ArgumentScope) => argumentRows().filter((r) => r.scope === scope);

/** What a table row needs for its severity and wording. */
export type Change = Pick<ArgumentRow, 'old' | 'new' | 'deprecatedSince' | 'removedIn' | 'target' | 'note'>;

/** Error when the target lacks it; warning when the target still takes it but warns. */
export function severityOf(row: Change, ctx: CheckContext): Severity | null {
  if (ctx.crosses(row.removedIn)) return 'error';
  if (row.deprecatedSince && ctx.targetIn(`>=${row.deprecatedSince}`) && !ctx.targetIn(`>=${row.removedIn}`)) return 'warning';
  return null;
}

/** The detected version only changes the wording: a home that already warns, or already lacks it. */
function changeText(row: Change, severity: Severity, ctx: CheckContext): string {
  if (severity !== 'error') return `is deprecated since Airflow ${row.deprecatedSince} and removed in ${row.removedIn}`;
  const removed = `was removed in Airflow ${row.removedIn}`;
  if (ctx.detected && !ctx.detectedBefore(row.removedIn)) return `${removed} (the detected ${ctx.detected} should already lack it: is this code still run?)`;
  if (ctx.detected && row.deprecatedSince && !ctx.detectedBefore(row.deprecatedSince)) return `${removed} (already deprecated on the detected ${ctx.detected})`;
  return removed;
}

export function rowVars(row: Change, severity: Severity, ctx: CheckContext): Record<string, string> {
  return {
    name: row.old,
    change: changeText(row, severity, ctx),
    replacement: row.new ? `use ${row.new}` : 'remove it',
    action: row.new ? `replace ${row.old} with ${row.new}` : `remove ${row.old}`,
    target: row.target,
    removedIn: row.removedIn,
    note: row.note ? ` (${row.note.replace(/\.$/, '')})` : '',
  };
}

export type Hitter<R extends Change = ArgumentRow> = (
  row: R,
  file: PyFile,
  at: { line: number; col: number },
  text: string,
  vars: Record<string, string>,
  severity?: Severity,
  fix?: FixIntent,
) => void;

/** Hits for table rows, with the severity each row has on the way to the target (a hit may lower it). */
export function hitter<R extends Change = ArgumentRow>(ctx: CheckContext, hits: Hit[]): Hitter<R> {
  const judged = new Map<R, Severity | null>();
  return (row, file, at, text, vars, lower, fix) => {
    let severity = judged.get(row);
    if (severity === undefined) judged.set(row, (severity = severityOf(row, ctx)));
    if (!severity) return;
    const s = lower === 'warning' && severity === 'error' ? lower : severity;
    // A lowered hit is one the scan is less sure of, not a milder change: it is worded as the row is.
    hits.push({ file: file.path, line: at.line, col: at.col, text, severity: s, vars: { ...rowVars(row, severity, ctx), ...vars }, ...(fix ? { fix } : {}) });
  };
}

export const byOld = <R extends { old: string }>(list: R[]) => {
  const m = new Map<string, R[]>();
  for (const r of list) m.set(r.old, [...(m.get(r.old) ?? []), r]);
  return m;
};

export const analysed = (inv: Inventory) =>
  [...inv.dagFiles, ...inv.plugins.files].filter((f): f is PyFile & { analysis: PyAnalysis } => f.analysis !== null);

export const simple = (q: string) => q.slice(q.lastIndexOf('.') + 1);
// An Airflow class under any import path (old, new, provider), or a bare name a star import left unresolved.
export const isAirflowName = (q: string) => q.startsWith('airflow.') || !q.includes('.');

/** Classes defined in the file: name -> bases, for operators and handlers that subclass Airflow's. */
export const localClasses = (a: PyAnalysis) => new Map(a.classes.map((c) => [c.name, c.bases]));

/** The Airflow classes a name stands for, following subclasses defined in the same file. */
export function airflowAncestors(q: string, local: Map<string, string[]>, depth = 0): string[] {
  const bases = local.get(q);
  if (bases) return depth < 8 ? bases.flatMap((b) => airflowAncestors(b, local, depth + 1)) : [];
  return isAirflowName(q) ? [simple(q)] : [];
}

export const argNames = (x: { kwargs: Record<string, LiteralValue>; exprKwargs: string[] }): string[] => {
  // Asked of every task by several rules: no spread copies when there is nothing to add.
  const names = Object.keys(x.kwargs);
  return x.exprKwargs.length ? names.concat(x.exprKwargs) : names;
};

/** Whether any keyword name of a call passes `test`: asked of every task, without listing its names. */
export function anyArg(x: { kwargs: Record<string, LiteralValue>; exprKwargs: string[] }, test: (name: string) => boolean): boolean {
  for (const k in x.kwargs) if (test(k)) return true;
  return x.exprKwargs.some(test);
}

/** Where a DAG's or task's keyword argument `name` is written; the call's place when it is not (a default_args key). */
export function argAt(x: PyDag | PyTask, name: string): Position {
  const i = argNames(x).indexOf(name);
  return i >= 0 && x.keywordAt.length > 2 * i ? { line: x.keywordAt[2 * i]!, col: x.keywordAt[2 * i + 1]! } : x;
}

/** default_args keys reach every operator of the DAG; known only when written as a literal dict. */
export function defaultArgs(dag: PyDag): Record<string, LiteralValue> | null {
  const d = dag.kwargs['default_args'];
  return d && typeof d === 'object' && !Array.isArray(d) ? d : null;
}

/** The class each function is a method of, from the nesting that indentation shows. */
export function methodsOf(a: PyAnalysis): Map<PyFunction, string> {
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
