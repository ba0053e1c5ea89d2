import type { FixIntent } from '../check/types.js';
import type { PyNode } from '../python/tree.js';
import { lastName, type Change, type Refusal } from './change.js';
import { nodesStartingAt } from './locate.js';

// airflow.utils.dates.days_ago is gone in Airflow 3. days_ago(n, hour=h) was midnight UTC today at
// h o'clock, n days back; pendulum.today("UTC").add(days=-n, hours=h) is that same instant, as the
// table's note (after ruff's AIR301) says. Unsafe all the same: a start date that moves every day
// is what Airflow warns against, and a fixed date would change when runs start.

type Intent = Extract<FixIntent, { kind: 'days-ago' }>;

const UNITS: Record<string, string> = { hour: 'hours', minute: 'minutes', second: 'seconds', microsecond: 'microseconds' };
/** Expressions that can follow a unary minus as they are. */
const ATOMS = new Set(['integer', 'float', 'identifier', 'attribute', 'call', 'subscript', 'parenthesized_expression']);

export function fixDaysAgo(root: PyNode, text: string, at: number, _intent: Intent): Change | Refusal {
  const here = nodesStartingAt(root, at);
  // At the import: nothing of its own to change; it goes once the calls no longer use the name.
  const imported = here.find((n) => n.type === 'aliased_import' || (n.type === 'dotted_name' && n.parent?.type === 'import_from_statement'));
  if (imported) {
    const name = imported.type === 'aliased_import' ? imported.childForFieldName('alias')!.text : imported.text.split('.').at(-1)!;
    return { edits: [], removals: [], unusedImports: [name] };
  }
  const call = here.find((n) => n.type === 'call' && lastName(n.childForFieldName('function')) !== null);
  if (!call) return 'days_ago is not called here (passed on as a function): rewrite it by hand';
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return 'days_ago with a generator argument: rewrite it by hand';
  const parts: string[] = [];
  for (const [i, a] of args.namedChildren.filter((c) => c.type !== 'comment').entries()) {
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')!.text;
      const value = a.childForFieldName('value')!;
      if (name === 'n') parts.unshift(days(value));
      else if (UNITS[name]) parts.push(`${UNITS[name]}=${value.text}`);
      else return `days_ago has no ${name}= argument: rewrite it by hand`;
    } else if (i === 0 && a.type !== 'list_splat' && a.type !== 'dictionary_splat') parts.push(days(a));
    else return 'days_ago with more than one positional or unpacked argument: rewrite it by hand';
  }
  const rewritten = `pendulum.today("UTC")${parts.length ? `.add(${parts.join(', ')})` : ''}`;
  const edits = [{ start: call.start, end: call.end, text: rewritten }];
  if (!importsPendulum(root)) {
    // Before the module's first import; every call's copy of this edit is the same, so it counts once.
    const first = root.namedChildren.find((n) => n.type === 'import_statement' || n.type === 'import_from_statement');
    if (!first || text.lastIndexOf('\n', first.start - 1) + 1 !== first.start) return 'no import at the start of a line to put `import pendulum` beside: rewrite it by hand';
    edits.push({ start: first.start, end: first.start, text: 'import pendulum\n' });
  }
  return { edits, removals: [], unusedImports: [] };
}

const importsPendulum = (root: PyNode): boolean =>
  root.namedChildren.some((n) => n.type === 'import_statement' && n.childrenForFieldName('name').some((i) => i.type === 'dotted_name' && i.text === 'pendulum'));

/** `days=-n`, the expression wrapped where a minus in front would bind to part of it. */
function days(n: PyNode): string {
  if (n.type === 'integer' && /^0+$/.test(n.text)) return 'days=0';
  return `days=-${ATOMS.has(n.type) ? n.text : `(${n.text})`}`;
}
