import type { SubDagRewrite } from '../check/types.js';
import type { PyNode } from '../python/tree.js';
import { lastName, type Change, type Refusal } from './change.js';
import type { Edit } from './edits.js';
import { descendants } from './locate.js';
import { isVariable } from './parameters.js';

// The factory half of the SubDagOperator fix (subdag.ts): `X = DAG(dag_id, default_args=args, ...)`
// becomes `X = TaskGroup(group_id=P, default_args=args)` (`with DAG(...) as X:` likewise), where P
// is the parameter given the SubDagOperator's task_id, and each task's `dag=X` becomes
// `task_group=X`. With the parent passed as dag= (no `with DAG` around the calls), the group and
// its tasks name the parent too: a task given only task_group= joins no DAG.

export interface Factory {
  def: PyNode;
  /** The factory's parameter that holds the group id (the SubDagOperator's task_id). */
  groupId: string;
  /** The parent DAG's module-level name, or null when the calls sit in `with DAG(...)`. */
  parent: string | null;
}

/** `X = DAG(...)` or `with DAG(...) as X:` as a statement of the factory's own body. */
interface Built {
  dag: PyNode;
  name: PyNode;
  inWith: boolean;
}

function built(statement: PyNode): Built | null {
  let call: PyNode | null | undefined = null;
  let name: PyNode | null | undefined = null;
  if (statement.type === 'expression_statement' && statement.namedChildren[0]?.type === 'assignment') {
    call = statement.namedChildren[0].childForFieldName('right');
    name = statement.namedChildren[0].childForFieldName('left');
  } else if (statement.type === 'with_statement') {
    const items = statement.namedChildren[0]!.namedChildren;
    const pattern = items.length === 1 ? items[0]!.childForFieldName('value') : null;
    call = pattern?.type === 'as_pattern' ? pattern.namedChildren[0] : null;
    name = pattern?.childForFieldName('alias')?.namedChildren[0];
  }
  if (call?.type !== 'call' || lastName(call.childForFieldName('function')) !== 'DAG' || name?.type !== 'identifier') return null;
  return { dag: call, name, inWith: statement.type === 'with_statement' };
}

/** What goes after the comma between two arguments written in place of `arg`: a new line at its indentation when it has a line of its own. */
function between(text: string, arg: PyNode): string {
  const indent = /(?:^|\n)([ \t]*)$/.exec(text.slice(0, arg.start));
  return indent ? `${text.includes('\r\n') ? '\r\n' : '\n'}${indent[1]}` : ' ';
}

// An identifier there is assigned, not read: `x = ...`, `x += ...`, `for x in`, `as x`, `(x := ...)`, `x, y = ...`.
const TARGETS = new Set(['as_pattern_target', 'pattern_list', 'tuple_pattern', 'list_pattern']);
const TARGET_OF = new Set(['assignment', 'augmented_assignment', 'for_statement', 'for_in_clause', 'named_expression']);
const isAssigned = (n: PyNode) => TARGETS.has(n.parent?.type ?? '') || (TARGET_OF.has(n.parent?.type ?? '') && (n.field === 'left' || n.field === 'name'));

const variables = (scope: PyNode, name: string) => descendants(scope, (n) => n.type === 'identifier' && n.text === name && isVariable(n));

export function rewriteFactory(text: string, f: Factory, rewrite: SubDagRewrite): Pick<Change, 'edits' | 'removals'> | Refusal {
  const fn = f.def.childForFieldName('name')!.text;
  const statements = f.def.childForFieldName('body')!.namedChildren.filter((n) => n.type !== 'comment');
  const found = statements.flatMap((s) => built(s) ?? []);
  if (found.length !== 1) return `${fn}() does not build one DAG(...) as a statement of its own body: rebuild it by hand`;
  const { dag, name, inWith } = found[0]!;
  const last = statements.at(-1)!;
  if (last.type !== 'return_statement' || last.namedChildren[0]?.text !== name.text) return `${fn}() does not end with \`return ${name.text}\`: rebuild it by hand`;
  if (inWith && f.parent) return `${fn}() builds the sub-DAG in a with-block while the parent DAG is passed as dag=, so its tasks would join no DAG: rebuild it by hand`;
  const reassigned = variables(f.def.childForFieldName('body')!, f.groupId).find(isAssigned);
  if (reassigned) return `${fn}() assigns ${f.groupId} at line ${reassigned.startPosition.row + 1}, so the group id may not be the task_id: rebuild it by hand`;
  if (f.parent && variables(f.def, f.parent).length) return `${f.parent}, the parent DAG, is also a name inside ${fn}(): rebuild it by hand`;
  const tasks = descendants(f.def, (n) => n.type === 'keyword_argument' && n.childForFieldName('name')?.text === 'dag' && n.childForFieldName('value')?.text === name.text);
  const allowed = new Set([name, last.namedChildren[0], ...tasks.map((k) => k.childForFieldName('value'))]);
  const other = variables(f.def, name.text).find((n) => !allowed.has(n));
  if (other) return `${fn}() uses ${name.text} at line ${other.startPosition.row + 1} for more than adding tasks to it: rebuild it by hand`;
  const args = groupArguments(text, dag, f, rewrite);
  if (typeof args === 'string') return args;
  const asTask = (k: PyNode) => (f.parent ? `dag=${f.parent},${between(text, k)}task_group=${name.text}` : `task_group=${name.text}`);
  const callee = dag.childForFieldName('function')!;
  const edits: Edit[] = [
    { start: callee.start, end: callee.end, text: 'TaskGroup' },
    ...args.edits,
    ...tasks.map((k) => ({ start: k.start, end: k.end, text: asTask(k) })),
  ];
  return { edits, removals: args.removals };
}

/** The DAG(...) arguments made TaskGroup's: the dag_id gives way to group_id= (and dag=), the rest kept or dropped. */
function groupArguments(text: string, dag: PyNode, f: Factory, rewrite: SubDagRewrite): Pick<Change, 'edits' | 'removals'> | Refusal {
  const list = dag.childForFieldName('arguments');
  if (list?.type !== 'argument_list') return 'DAG with a generator argument: rebuild it by hand';
  const change: Pick<Change, 'edits' | 'removals'> = { edits: [], removals: [] };
  const group = (a: PyNode) => `group_id=${f.groupId}${f.parent ? `,${between(text, a)}dag=${f.parent}` : ''}`;
  for (const [i, a] of list.namedChildren.filter((c) => c.type !== 'comment').entries()) {
    const name = a.type === 'keyword_argument' ? a.childForFieldName('name')!.text : null;
    const dagId = (i === 0 && name === null && a.type !== 'list_splat' && a.type !== 'dictionary_splat') || name === 'dag_id';
    if (dagId) change.edits.push({ start: a.start, end: a.end, text: group(a) });
    else if (name !== null && rewrite.drop.includes(name)) change.removals.push({ list, item: a });
    else if (name === null || !rewrite.keep.includes(name)) {
      return `the sub-DAG's DAG(...) takes ${name === null ? 'unpacked or more positional arguments' : `${name}=`}, which a TaskGroup has no place for: rebuild it by hand`;
    }
  }
  return change.edits.length === 1 ? change : 'the sub-DAG\'s DAG(...) has no dag_id written out: rebuild it by hand';
}
