import type { FixIntent, SubDagRewrite } from '../check/types.js';
import type { PyNode } from '../python/tree.js';
import type { Change, Refusal } from './change.js';
import type { Edit } from './edits.js';
import { hasAncestor } from './decorators.js';
import { callsAt, descendants, keywordOf, nodesStartingAt } from './locate.js';
import { isVariable } from './parameters.js';
import { rewriteFactory, type Factory } from './subdag-factory.js';

// SubDagOperator is gone in Airflow 3; a TaskGroup is its replacement. The canonical pattern is
// rewritten: a factory function in the same file builds the sub-DAG, and every use of the factory
// is `SubDagOperator(task_id=T, subdag=factory(...), dag=parent)`. The factory then builds a
// TaskGroup (subdag-factory.ts) and each call becomes the factory call, so `a >> section >> b`
// still holds. Every call of the factory is checked and rewritten by each finding's fix alike
// (identical edits count once), so that none is left passing a TaskGroup as subdag=.

type Intent = Extract<FixIntent, { kind: 'subdag' }>;

/** One `SubDagOperator(task_id=T, subdag=factory(...), dag=parent)`. */
interface Site {
  call: PyNode;
  taskId: PyNode;
  factory: PyNode;
  /** The parent DAG's name passed as dag=, or null when the call sits in `with DAG(...)`. */
  parent: string | null;
}

const IMPORTS = new Set(['import_statement', 'import_from_statement']);

export function fixSubDag(root: PyNode, text: string, at: number, intent: Intent): Change | Refusal {
  const here = nodesStartingAt(root, at);
  if (!intent.taskGroup) {
    // An import or a use of the name: nothing of its own to change; the import goes once no call is left.
    const alias = here.find((n) => n.type === 'aliased_import')?.childForFieldName('alias');
    const name = alias ?? here.findLast((n) => n.type === 'identifier' || n.type === 'dotted_name');
    return { edits: [], removals: [], unusedImports: name ? [name.text.split('.').at(-1)!] : [] };
  }
  const call = callsAt(root, at)[0];
  const callee = call?.childForFieldName('function');
  if (!call || callee?.type !== 'identifier') return 'SubDagOperator is not called by its plain name here: rebuild it as a TaskGroup by hand';
  // A subclass may do more than SubDagOperator: only the class itself, imported at the top, is rewritten.
  const importedAt = root.namedChildren.find((s) => s.type === 'import_from_statement' && s.childrenForFieldName('name').some((n) => n.text === 'SubDagOperator'));
  if (callee.text !== 'SubDagOperator' || !importedAt) return `${callee.text} is not SubDagOperator imported by its own name at the top of the file: rebuild it by hand`;
  const site = siteOf(call, intent.taskGroup);
  if (typeof site === 'string') return site;
  const fn = site.factory.childForFieldName('function')!.text;
  const def = root.namedChildren.filter((n) => n.type === 'function_definition' && n.childForFieldName('name')?.text === fn);
  if (def.length !== 1) return `the sub-DAG comes from ${fn}(), not one function defined at the top of this file: rebuild it by hand`;
  const sites = sitesOf(root, def[0]!, callee.text, intent.taskGroup);
  if (typeof sites === 'string') return sites;
  const parent = parentOf(root, sites);
  if (typeof parent === 'string') return parent;
  const groupId = groupParameter(def[0]!, sites);
  if (groupId === null) return 'no parameter of the factory is given the task_id at every call, so the group id is unknown: rebuild it by hand';
  const imported = importTaskGroup(root, text, importedAt, intent.taskGroup.path);
  if (typeof imported === 'string') return imported;
  const factory: Factory = { def: def[0]!, groupId, parent: parent.name };
  const rewritten = rewriteFactory(text, factory, intent.taskGroup);
  if (typeof rewritten === 'string') return rewritten;
  const calls: Edit[] = sites.map((s) => ({ start: s.call.start, end: s.call.end, text: s.factory.text }));
  return { edits: [...calls, ...rewritten.edits, ...imported], removals: rewritten.removals, unusedImports: [callee.text] };
}

/** The call's task id, factory call and parent, or why it is not the pattern. */
function siteOf(call: PyNode, rewrite: SubDagRewrite): Site | Refusal {
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return 'SubDagOperator with a generator argument: rebuild it by hand';
  if (descendants(call, (n) => n.type === 'comment').length) return 'the SubDagOperator(...) call holds comments the rewrite would lose: rebuild it by hand';
  for (const a of args.namedChildren) {
    const name = a.type === 'keyword_argument' ? a.childForFieldName('name')!.text : null;
    if (name === null) return 'SubDagOperator with positional or unpacked arguments: rebuild it by hand';
    if (!['task_id', 'subdag', 'dag', ...rewrite.dropFromCall].includes(name)) return `SubDagOperator's ${name}= has no TaskGroup counterpart: rebuild it by hand`;
  }
  const taskId = keywordOf(call, 'task_id')?.childForFieldName('value');
  const factory = keywordOf(call, 'subdag')?.childForFieldName('value');
  const parent = keywordOf(call, 'dag')?.childForFieldName('value');
  if (!taskId || factory?.type !== 'call' || factory.childForFieldName('function')?.type !== 'identifier') {
    return 'the sub-DAG is not built by a call of a function here (subdag=factory(...)): rebuild it by hand';
  }
  if (parent && parent.type !== 'identifier') return 'dag= is not a plain name: rebuild it by hand';
  return { call, taskId, factory, parent: parent?.text ?? null };
}

/** Every use of the factory, each of which must be the subdag= of a SubDagOperator call of the pattern. */
function sitesOf(root: PyNode, def: PyNode, operator: string, rewrite: SubDagRewrite): Site[] | Refusal {
  const name = def.childForFieldName('name')!;
  const uses = descendants(root, (n) => n.type === 'identifier' && n.text === name.text && n !== name && isVariable(n));
  const sites: Site[] = [];
  for (const use of uses) {
    const call = use.field === 'function' ? use.parent?.parent?.parent?.parent : null;
    const outer = call?.type === 'call' && call.childForFieldName('function')?.text === operator ? call : null;
    if (!outer || keywordOf(outer, 'subdag')?.childForFieldName('value') !== use.parent) {
      return `${name.text}() is used at line ${use.startPosition.row + 1} for more than a SubDagOperator's subdag=: rebuild it by hand`;
    }
    const site = siteOf(outer, rewrite);
    if (typeof site === 'string') return `${site} (line ${outer.startPosition.row + 1}, another call of ${name.text}())`;
    sites.push(site);
  }
  return sites;
}

const inFunction = (n: PyNode) => hasAncestor(n, (p) => p.type === 'function_definition' || p.type === 'class_definition');

const isDagCall = (c: PyNode) => c.type === 'call' && /(^|\.)DAG$/.test(c.childForFieldName('function')?.text ?? '');

/** A `with DAG(...)` around the call: the factory then runs with that DAG as the current one. */
const inDagBlock = (n: PyNode) => hasAncestor(n, (p) => p.type === 'with_statement' && descendants(p.namedChildren[0]!, isDagCall).length > 0);

/** Whether a top-level statement binds `name`: `name = ...` or `with ... as name:`. */
const binds = (statement: PyNode, name: string) =>
  (statement.type === 'expression_statement' && statement.namedChildren[0]?.childForFieldName('left')?.text === name) ||
  (statement.type === 'with_statement' && descendants(statement.namedChildren[0]!, (c) => c.type === 'as_pattern_target' && c.text === name).length > 0);

/** The parent DAG's module-level name shared by every call, null when each sits in `with DAG(...)`. */
function parentOf(root: PyNode, sites: Site[]): { name: string | null } | Refusal {
  const parents = new Set(sites.map((s) => s.parent));
  if (parents.size > 1) return 'the calls of the factory pass different parent DAGs: rebuild them by hand';
  const parent = sites[0]!.parent;
  if (parent === null) {
    return sites.every((s) => inDagBlock(s.call)) ? { name: null } : 'SubDagOperator without dag= outside a `with DAG(...)` block: rebuild it by hand';
  }
  if (!root.namedChildren.some((n) => binds(n, parent)) || sites.some((s) => inFunction(s.call))) {
    return `the parent DAG ${parent} is not a name the factory can see (assigned at the top of the module): rebuild it by hand`;
  }
  return { name: parent };
}

/** The factory's parameter given the task_id at every call (by position or keyword): the group id. */
function groupParameter(def: PyNode, sites: Site[]): string | null {
  const params = def.childForFieldName('parameters')!.namedChildren;
  const names = params.map((p) => (p.type === 'identifier' ? p.text : (p.childForFieldName('name')?.text ?? null)));
  if (names.includes(null) || names.length === 0) return null;
  const given = (site: Site, i: number): PyNode | null => {
    const args = site.factory.childForFieldName('arguments')!.namedChildren.filter((a) => a.type !== 'comment');
    const positional = args.filter((a) => a.type !== 'keyword_argument');
    if (positional.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return null;
    return positional[i] ?? keywordOf(site.factory, names[i]!)?.childForFieldName('value') ?? null;
  };
  const i = names.findIndex((_, i) => sites.every((s) => given(s, i)?.text === s.taskId.text));
  return i < 0 ? null : names[i]!;
}

/** The import of TaskGroup to add after SubDagOperator's, unless the file imports it from Airflow already. */
function importTaskGroup(root: PyNode, text: string, after: PyNode, path: string): Edit[] | Refusal {
  const module = path.slice(0, path.lastIndexOf('.'));
  const statements = root.namedChildren.filter((n) => IMPORTS.has(n.type));
  const fromAirflow = (s: PyNode) => /^airflow\./.test(s.childForFieldName('module_name')?.text ?? '') && s.childrenForFieldName('name').some((n) => n.text === 'TaskGroup');
  if (statements.some(fromAirflow)) return [];
  if (descendants(root, (n) => n.type === 'identifier' && n.text === 'TaskGroup').length) {
    return 'TaskGroup is already a name in this file, not an import from Airflow: rebuild it by hand';
  }
  const eol = text.indexOf('\n', after.end);
  if (eol < 0 || !/^[ \t]*(#[^\n]*)?\r?$/.test(text.slice(after.end, eol))) {
    return 'the import of SubDagOperator does not end its line, for TaskGroup\'s to go after it: rebuild it by hand';
  }
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  return [{ start: eol + 1, end: eol + 1, text: `from ${module} import TaskGroup${newline}` }];
}
