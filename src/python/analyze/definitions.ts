import type { PyClass } from '../../home/inventory.js';
import type { PyNode } from '../tree.js';
import { functionScope, isDunder, parameterReads } from './context.js';
import { visitDagTaskDecorators } from './dags-tasks.js';
import { pos, snippet, type Ctx, type State } from './state.js';

// Class and function definitions: what they declare, and which parts run when the module is
// imported (decorators, default values, class bodies) versus only when called (function bodies).

export function visitClass(s: State, node: PyNode, ctx: Ctx): void {
  const name = node.childForFieldName('name')?.text ?? '';
  const bases: string[] = [];
  const keywords: string[] = [];
  const supers = node.childForFieldName('superclasses');
  for (const b of supers?.namedChildren ?? []) {
    if (b.type === 'keyword_argument') keywords.push(b.childForFieldName('name')?.text ?? '');
    else bases.push(s.resolve(b) ?? snippet(b));
  }
  if (bases.some((b) => s.isOperatorName(b) || /BaseOperator$/.test(b))) s.operatorClasses.add(name);
  const attributes: Record<string, string[]> = {};
  const body = node.childForFieldName('body');
  for (const stmt of body?.namedChildren ?? []) {
    const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : null;
    if (assign?.type !== 'assignment') continue;
    const left = assign.childForFieldName('left');
    const right = assign.childForFieldName('right');
    if (left?.type !== 'identifier' || !right) continue;
    attributes[left.text] =
      right.type === 'list' || right.type === 'tuple' || right.type === 'set'
        ? right.namedChildren.filter((c) => c.type !== 'comment').map((c) => s.describe(c))
        : [s.describe(right)];
  }
  const cls: PyClass = { ...pos(node), name, bases, keywords, attributes };
  s.out.classes.push(cls);
  // Base classes and the class body run when the module is imported.
  s.walk(supers, ctx);
  s.walk(body, { ...ctx, classBody: true });
}

function recordFunction(s: State, def: PyNode, decorators: string[], at: PyNode): void {
  const params: string[] = [];
  for (const p of def.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p.type === 'identifier') params.push(p.text);
    else if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') params.push(p.text);
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') params.push(p.childForFieldName('name')?.text ?? p.text);
    else if (p.type === 'typed_parameter') params.push(p.namedChildren[0]?.text ?? p.text);
  }
  s.out.functions.push({ ...pos(at), name: def.childForFieldName('name')?.text ?? '', params, decorators });
}

/**
 * A def: its defaults and annotations run where it stands; its body runs when called, except
 * the body of a @dag function, which the file calls at parse time.
 */
function visitFunction(s: State, def: PyNode, ctx: Ctx, dag: number | null, taskflow: boolean): void {
  const name = def.childForFieldName('name')?.text ?? '';
  const method = ctx.classBody;
  if (!method) parameterReads(s, def, name, taskflow);
  const outer: Ctx = { ...ctx, classBody: false };
  const params = def.childForFieldName('parameters');
  s.walk(params, outer);
  s.walk(def.childForFieldName('return_type'), outer);
  const scope = functionScope(ctx.scope, name, params, method ? (isDunder(name) ? 'dunder' : 'method') : taskflow ? 'task' : 'function');
  s.walk(def.childForFieldName('body'), dag !== null ? { ...outer, dag, runtime: false, scope } : { ...outer, runtime: true, scope });
}

export function visitFunctionDefinition(s: State, def: PyNode, ctx: Ctx): void {
  recordFunction(s, def, [], def);
  visitFunction(s, def, ctx, null, false);
}

export function visitDecorated(s: State, node: PyNode, ctx: Ctx): void {
  const def = node.childForFieldName('definition');
  if (!def) return;
  const decorators = node.namedChildren.filter((d) => d.type === 'decorator');
  // Decorators run where the definition stands; a decorator call is named by its callee alone.
  const walkDecorators = () => {
    for (const d of decorators) {
      const e = d.namedChildren[0];
      if (e?.type === 'call') {
        s.walk(e.childForFieldName('function'), ctx);
        s.walk(e.childForFieldName('arguments'), ctx);
      } else s.walk(e ?? null, ctx);
    }
  };
  if (def.type === 'class_definition') {
    walkDecorators();
    visitClass(s, def, ctx);
    return;
  }
  const fname = def.childForFieldName('name')?.text ?? null;
  recordFunction(
    s,
    def,
    decorators.map((d) => {
      const e = d.namedChildren[0];
      return (e && s.resolve(e.type === 'call' ? e.childForFieldName('function') : e)) ?? (e ? snippet(e) : '');
    }),
    node,
  );
  const found = visitDagTaskDecorators(s, node, fname, ctx);
  walkDecorators();
  visitFunction(s, def, ctx, found.dag, found.task);
}
