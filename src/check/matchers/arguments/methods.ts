import type { PyAnalysis, Position } from '../../../home/inventory.js';
import { dataTable } from '../../../refdata/data.js';
import type { Hit, Matcher, Severity } from '../../types.js';
import { airflowAncestors, analysed, byOld, hitter, localClasses, simple, type Change } from './table.js';

// Methods Airflow 3.0 removed from its classes (rules/data/removed-methods.json). A call counts
// when its receiver resolves to the class (through an import, or `self` in a subclass defined in
// the file), or when the method's name is Airflow's own; a common name on an unknown receiver
// counts only as a warning, and only when the receiver's text names the kind of object.

export interface MethodRow extends Change {
  classPattern: string;
  distinctive: boolean;
  receiverHint: string | null;
  source: string;
}

const methodData = dataTable<{ rows: MethodRow[] }>('removed-methods.json');
export const removedMethodRows = (): MethodRow[] => methodData().rows;

/** The classes and functions around a position, innermost last, from the nesting indentation shows. */
function enclosingClass(a: PyAnalysis, at: Position): string | null {
  const items = [...a.classes.map((c) => ({ ...c, cls: true })), ...a.functions.map((f) => ({ ...f, cls: false }))]
    .filter((i) => i.line < at.line)
    .sort((x, y) => x.line - y.line || x.col - y.col);
  const stack: typeof items = [];
  for (const item of items) {
    while (stack.length && stack.at(-1)!.col >= item.col) stack.pop();
    stack.push(item);
  }
  while (stack.length && stack.at(-1)!.col >= at.col) stack.pop();
  return stack.findLast((i) => i.cls)?.name ?? null;
}

/** The Airflow class a receiver expression stands for: an imported name at its root, or `self`/`cls` in a subclass. */
function receiverClasses(a: PyAnalysis, receiver: string, at: Position): string[] {
  const root = /^[A-Za-z_]\w*/.exec(receiver)?.[0];
  if (!root) return [];
  if (root === 'self' || root === 'cls') {
    if (receiver !== root) return [];
    const cls = enclosingClass(a, at);
    return cls ? airflowAncestors(cls, localClasses(a)) : [];
  }
  // `Manager().m()` or `Manager.m()`: the root itself is the class; `mod.Manager().m()` is left alone.
  if (!/^[A-Za-z_]\w*(\(.*\))?$/s.test(receiver)) return [];
  const local = localClasses(a);
  if (local.has(root)) return airflowAncestors(root, local);
  const imp = a.imports.find((i) => i.level === 0 && i.name.startsWith('airflow.') && (i.alias ?? simple(i.name)) === root);
  return imp ? [simple(imp.name)] : [];
}

export const removedMethod: Matcher = (inv, ctx) => {
  const hits: Hit[] = [];
  const hit = hitter<MethodRow>(ctx, hits);
  const table = byOld(removedMethodRows());
  const patterns = new Map(removedMethodRows().map((r) => [r, new RegExp(r.classPattern)]));
  const hints = new Map(removedMethodRows().filter((r) => r.receiverHint).map((r) => [r, new RegExp(r.receiverHint!, 'i')]));
  for (const file of analysed(inv)) {
    const a = file.analysis;
    const emit = (row: MethodRow, at: Position, receiver: string, how: string, severity?: Severity) =>
      hit(row, file, at, `${receiver}.${row.old}()`, { receiver, how, owner: row.target }, severity);
    // Receivers an import resolves: `BaseHook.get_connections(...)` is a call of airflow.hooks.base.BaseHook.get_connections.
    for (const call of a.calls) {
      const parts = call.callee.split('.');
      for (const row of table.get(parts.at(-1)!) ?? []) {
        if (parts.length > 2 && patterns.get(row)!.test(parts.at(-2)!)) emit(row, call, parts.at(-2)!, '');
      }
    }
    if (!a.methodCalls.length || !a.imports.some((i) => i.name.startsWith('airflow'))) continue;
    for (const mc of a.methodCalls) {
      for (const row of table.get(mc.method) ?? []) {
        const resolved = receiverClasses(a, mc.receiver, mc).some((c) => patterns.get(row)!.test(c));
        if (resolved || row.distinctive) emit(row, mc, mc.receiver, '');
        else if (hints.get(row)?.test(mc.receiver)) emit(row, mc, mc.receiver, ` (if ${mc.receiver} is one of ${row.target})`, 'warning');
      }
    }
  }
  return hits;
};
