// arguments.json: renamed and removed DAG/operator arguments, argument values, method signatures
// and task-context variables, one row per row of arguments-changes.yml, each tagged with the
// scope a matcher reads (where in the Inventory the old spelling shows up).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const output = 'arguments.json';

const words = (s) => s.match(/[A-Za-z_]\w*/g) ?? [];
// `get_link(self, operator, *, ti_key)` -> ['operator', 'ti_key']
const paramsOf = (sig) => /\(([^)]*)\)/.exec(sig)[1].split(',').map((p) => p.trim()).filter((p) => p && p !== 'self' && p !== '*');

// The table's `target` column is prose; this says what each one means for a scanner. A target
// missing here fails the generation, so a new reference row cannot be silently ignored.
const TARGETS = {
  DAG: () => ({ scope: 'dag' }),
  'BaseOperator (any operator)': (r) => (r.old.startsWith('<') ? { scope: 'unknown-argument', old: '*' } : { scope: 'operator', classes: null }),
  // provide_context is popped by PythonOperator's constructor, which its subclasses in the same
  // module (branch, short-circuit, virtualenv) share; the imports table lists the 1.10 module's
  // classes, and 2.x added more subclasses to airflow.operators.python (PYTHON_2X).
  'PythonOperator and other operators': (r, imports) => ({
    scope: 'operator',
    classes: [...new Set([...classesIn(imports, 'airflow.operators.python_operator'), ...PYTHON_2X.classes])].sort(),
    note: `${r.note} Also on ${PYTHON_2X.classes.join(', ')}: ${PYTHON_2X.source}.`,
  }),
  'BaseOperator trigger_rule': (r) => valueRow(r),
  TriggerDagRunOperator: (r) => ({ scope: 'operator', classes: [r.target] }),
  'BranchDateTimeOperator / BranchDayOfWeekOperator / DayOfWeekSensor': (r) => ({ scope: 'operator', classes: r.target.split(' / ') }),
  // `Variable.get (airflow.sdk)`: the function and the module it is reached through.
  'Variable.get (airflow.sdk)': (r) => ({ scope: 'call', callee: r.target.replace(/^(\S+) \((\S+)\)$/, '$2.$1') }),
  DatasetOrTimeSchedule: (r) => ({ scope: 'schedule', class: r.target }),
  // Custom log handlers derive from FileTaskHandler or one of the provider *TaskHandler classes.
  'FileTaskHandler and subclasses': (r) => ({ scope: 'signature', classPattern: 'TaskHandler$', method: '__init__', removed: [r.old], required: [] }),
  'auth manager constructors': (r) => ({ scope: 'signature', classPattern: 'AuthManager$', method: '__init__', removed: [r.old], required: [] }),
  'decorator airflow.utils.decorators.apply_defaults': (r) => ({ scope: 'decorator', old: r.target.replace(/^decorator /, '') }),
  // Only a method lacking the new keyword breaks: `dttm=None, *, ti_key=None` shims keep working.
  'BaseOperatorLink.get_link signature': (r) => ({
    scope: 'signature',
    old: r.old,
    classPattern: '^BaseOperatorLink$',
    method: r.old.slice(0, r.old.indexOf('(')),
    removed: [],
    required: paramsOf(r.new).filter((p) => !paramsOf(r.old).includes(p)),
  }),
  'task context / Jinja template variable': (r) => contextRow(r),
  'task context': (r) => contextRow(r),
};

// Subclasses of PythonOperator that Airflow 2.x added after 1.10 (not in the imports table,
// which only lists moved names); they take provide_context through PythonOperator's constructor.
const PYTHON_2X = {
  classes: ['ExternalPythonOperator', 'BranchExternalPythonOperator', 'BranchPythonVirtualenvOperator'],
  source: 'apache/airflow@2.10.5:airflow/operators/python.py, where each derives from PythonOperator',
};

function classesIn(imports, module) {
  const names = imports.changes.filter((c) => c.old.startsWith(`${module}.`)).map((c) => c.old.slice(module.length + 1));
  if (!names.length) throw new Error(`imports-changes.yml: no classes under ${module}`);
  return [...new Set(names)].sort();
}

// `trigger_rule="dummy" / TriggerRule.DUMMY` -> the string value and its enum member. Rows that
// name no member use the enum's convention shown by the others: the value upper-cased.
function valueRow(r) {
  const [argument, value] = /(\w+)="([^"]+)"/.exec(r.old).slice(1);
  const newValue = /"([^"]+)"/.exec(r.new)[1];
  return {
    scope: 'value',
    argument,
    old: value,
    new: newValue,
    enum: `TriggerRule.${value.toUpperCase()}`,
    newEnum: `TriggerRule.${newValue.toUpperCase()}`,
  };
}

// `execution_date`, `dag_run.external_trigger` (attribute of a context object) or
// `inlet_events["<uri string>"]` (string-key lookups on a context object).
function contextRow(r) {
  const subscript = /^(\w+)\["<[^>]*>"\]$/.exec(r.old);
  if (subscript) return { scope: 'context', old: subscript[1], stringKeys: true };
  if (!/^\w+(\.\w+)?$/.test(r.old)) throw new Error(`arguments-changes.yml: cannot read context variable ${r.old}`);
  return { scope: 'context', old: r.old };
}

export function generate(ref) {
  const table = parse(readFileSync(join(ref, 'airflow/arguments-changes.yml'), 'utf8'));
  const imports = parse(readFileSync(join(ref, 'airflow/imports-changes.yml'), 'utf8'));
  const rows = table.changes.map((r) => {
    const scope = TARGETS[r.target];
    if (!scope) throw new Error(`arguments-changes.yml: unknown target ${r.target}`);
    // A target may add to the reference's note (facts beyond the table, with their source).
    const { note, ...where } = scope(r, imports);
    return {
      target: r.target,
      old: words(r.old)[0],
      new: r.new ?? null,
      kind: r.kind,
      ...where,
      deprecatedSince: r.deprecated_since ?? null,
      removedIn: String(r.removed_in),
      rule: r.rule ?? null,
      note: note ?? (r.note || null),
    };
  });
  return {
    description:
      'Renamed and removed DAG and operator arguments, argument values, method signatures and task-context variables, generated from arguments-changes.yml; do not edit by hand. `scope` says where the old spelling shows up; deprecatedSince is the first version that warns (null: not known), removedIn the first where it fails.',
    count: rows.length,
    rows,
  };
}
