import type { PyImport } from '../../home/inventory.js';
import type { PyNode } from '../tree.js';
import { pos, type Ctx, type State } from './state.js';

// Imports (with the guard they sit under), and where the names they bind are used: bare names
// in `uses`, dotted names through an imported module in `references`.

const isAirflow = (module: string) => module === 'airflow' || module.startsWith('airflow.');

/** Records an import; returns its index in the file's imports (what a use of its name points at). */
function recordImport(s: State, node: PyNode, module: string, name: string, alias: string | null, level: number, ctx: Ctx): number {
  return s.out.imports.push({ ...pos(node), name, module, alias, level, guarded: ctx.guard }) - 1;
}

/**
 * Binds a local name; a later non-airflow import of the same name unbinds it from airflow. An
 * `except ImportError:` fallback leaves the name its try body bound: that is the one that runs.
 */
function bind(s: State, local: string, qualified: string, airflow: boolean, at: number, ctx: Ctx) {
  if (ctx.guard === 'fallback' && s.names.has(local)) return;
  s.names.set(local, qualified);
  if (airflow) s.airflowImports.set(local, at);
  else s.airflowImports.delete(local);
}

export function visitImport(s: State, node: PyNode, ctx: Ctx): void {
  for (const child of node.namedChildren) {
    if (child.type === 'dotted_name') {
      const at = recordImport(s, child, child.text, child.text, null, 0, ctx);
      const root = child.text.split('.')[0]!;
      bind(s, root, root, root === 'airflow', at, ctx);
    } else if (child.type === 'aliased_import') {
      const target = child.childForFieldName('name')!.text;
      const alias = child.childForFieldName('alias')!.text;
      bind(s, alias, target, isAirflow(target), recordImport(s, child, target, target, alias, 0, ctx), ctx);
    }
  }
}

export function visitImportFrom(s: State, node: PyNode, ctx: Ctx): void {
  const modNode = node.childForFieldName('module_name');
  let module = modNode?.text ?? '';
  let level = 0;
  if (modNode?.type === 'relative_import') {
    const prefix = modNode.namedChildren.find((c) => c.type === 'import_prefix')?.text ?? '';
    level = prefix.length;
    module = modNode.text;
  }
  const wildcard = node.namedChildren.find((c) => c.type === 'wildcard_import');
  if (wildcard) recordImport(s, wildcard, module, `${module}.*`, null, level, ctx);
  for (const child of node.childrenForFieldName('name')) {
    const nameNode = child.type === 'aliased_import' ? child.childForFieldName('name')! : child;
    const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')!.text : null;
    const qualified = `${module}${module.endsWith('.') ? '' : '.'}${nameNode.text}`;
    const at = recordImport(s, child, module, qualified, alias, level, ctx);
    bind(s, alias ?? nameNode.text, qualified, level === 0 && isAirflow(module), at, ctx);
  }
}

export function visitFutureImport(s: State, node: PyNode, ctx: Ctx): void {
  for (const n of node.childrenForFieldName('name')) recordImport(s, n, '__future__', `__future__.${n.text}`, null, 0, ctx);
}

// The exceptions an import fallback catches: `except ImportError:` and anything broader.
const FALLBACK_EXCEPTIONS = /^(ImportError|ModuleNotFoundError|Exception)$/;

function catchesImportError(clause: PyNode): boolean {
  let caught = clause.childForFieldName('value');
  if (!caught) return true; // bare except
  if (caught.type === 'as_pattern') caught = caught.namedChildren[0] ?? null;
  const types = caught?.type === 'tuple' || caught?.type === 'parenthesized_expression' ? caught.namedChildren : caught ? [caught] : [];
  return types.some((t) => FALLBACK_EXCEPTIONS.test(t.text.slice(t.text.lastIndexOf('.') + 1)));
}

/** A try body is 'try'-guarded; its ImportError handlers hold the 'fallback' imports. */
export function visitTry(s: State, node: PyNode, ctx: Ctx): void {
  const tried: Ctx = { ...ctx, guard: ctx.guard === 'none' ? 'try' : ctx.guard };
  const fallback: Ctx = { ...ctx, guard: ctx.guard === 'type-checking' ? ctx.guard : 'fallback' };
  for (const c of node.namedChildren) s.walk(c, c.type === 'except_clause' && catchesImportError(c) ? fallback : tried);
}

// Where an identifier is bound or named rather than read.
const BINDING_PARENTS = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'list_splat_pattern',
  'dictionary_splat_pattern',
  'as_pattern_target',
  'global_statement',
  'nonlocal_statement',
  'parameters',
  'lambda_parameters',
  'typed_parameter',
]);
const BINDING_FIELDS: Record<string, string> = {
  assignment: 'left',
  augmented_assignment: 'left',
  for_statement: 'left',
  for_in_clause: 'left',
  keyword_argument: 'name',
  default_parameter: 'name',
  typed_default_parameter: 'name',
  named_expression: 'name',
  attribute: 'attribute',
  function_definition: 'name',
  class_definition: 'name',
};

// Bindings that give a module-level name a new value (`with DAG(...) as dag:`, `dag = ...`, a def
// or class of that name), unlike parameters, keywords and attributes, which only name something.
const REBINDING = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'as_pattern_target', 'assignment', 'augmented_assignment', 'for_statement', 'named_expression', 'function_definition', 'class_definition']);

/** An identifier read: a use when an airflow import bound it. */
export function visitIdentifier(s: State, node: PyNode, ctx: Ctx): void {
  const at = s.airflowImports.get(node.text);
  if (at === undefined) return;
  const parent = node.parent;
  if (parent && (BINDING_PARENTS.has(parent.type) || BINDING_FIELDS[parent.type] === node.field)) {
    if (REBINDING.has(parent.type)) rebind(s, node.text, ctx);
    return;
  }
  if (!ctx.scope?.locals.has(node.text)) s.out.uses.push({ ...pos(node), name: s.names.get(node.text)!, import: at });
}

/**
 * A name given a new value. In a function, a local of its own from there on; at module level (not
 * in a class body), no longer the import it was: `from airflow.decorators import dag` then
 * `with DAG(...) as dag:` makes `dag.doc_md` no use of the decorator.
 */
export function rebind(s: State, name: string, ctx: Ctx): void {
  if (ctx.scope) ctx.scope.locals.add(name);
  else if (!ctx.classBody) {
    s.airflowImports.delete(name);
    s.names.delete(name);
  }
}

/** A dotted airflow name reached through an imported module, e.g. `dates.days_ago`. */
export function recordReference(s: State, node: PyNode, q: string): void {
  if (!q.startsWith('airflow.')) return;
  let root = node;
  while (root.type === 'attribute') root = root.childForFieldName('object')!;
  if (!s.names.has(root.text)) return;
  const at = s.airflowImports.get(root.text);
  s.out.references.push(at === undefined ? { ...pos(node), name: q } : { ...pos(node), name: q, import: at });
}
