import type { PyContextRead } from '../../home/inventory.js';
import { literal } from '../literal.js';
import type { PyNode } from '../tree.js';
import { args, pos, type Ctx, type Scope, type State } from './state.js';

// Where task-context keys are read: `context["k"]`, `kwargs.get("k")`, `dag_run.conf`, f-strings
// and `.format()` over the context, `{{ k }}` in any string, and callable parameters named after
// a key. The rules decide which keys matter; this module only needs to know what holds a context.

/** Keys Airflow 2 and 3 put in the task context (1.10 names included): for parameter names only. */
const CONTEXT_KEYS = new Set([
  'conf', 'conn', 'dag', 'dag_run', 'data_interval_end', 'data_interval_start', 'ds', 'ds_nodash',
  'execution_date', 'expanded_ti_count', 'inlets', 'inlet_events', 'logical_date', 'macros',
  'map_index_template', 'next_ds', 'next_ds_nodash', 'next_execution_date', 'outlets', 'outlet_events',
  'params', 'prev_data_interval_start_success', 'prev_data_interval_end_success', 'prev_ds', 'prev_ds_nodash',
  'prev_execution_date', 'prev_execution_date_success', 'prev_start_date_success', 'prev_end_date_success',
  'run_id', 'task', 'task_instance', 'task_instance_key_str', 'templates_dict', 'test_mode', 'ti',
  'tomorrow_ds', 'tomorrow_ds_nodash', 'triggering_asset_events', 'triggering_dataset_events', 'ts',
  'ts_nodash', 'ts_nodash_with_tz', 'var', 'yesterday_ds', 'yesterday_ds_nodash',
]);
/** Context values whose attributes rules care about (`dag_run.external_trigger`). */
const ATTRIBUTE_OBJECTS = new Set(['dag_run', 'ti', 'task_instance']);
const TEMPLATE_ATTRIBUTE_OBJECTS = new Set([...ATTRIBUTE_OBJECTS, 'macros']);

/** A read in code; through an unsure name it waits for the end of the file (finishContextReads). */
function push(s: State, at: PyNode, key: string, via: PyContextRead['via'], sure = true, ctx?: Ctx): void {
  if (!s.wantsKey(key)) return;
  const read = { ...pos(at), key, via: ctx?.fstring ? 'fstring' : via };
  if (sure || !ctx?.scope) s.out.contextReads.push(read);
  else s.pendingReads.push({ fn: ctx.scope.fn, read });
}

/**
 * The context names inside a function, inherited by nested ones:
 * - its `**kwargs` (provide_context style), except in dunder methods (`__init__(self, **kwargs)`
 *   receives constructor arguments);
 * - a `context` parameter: sure in methods (`execute(self, context)`), @task functions and
 *   lambdas; in a plain function only if the file passes it as a callable or callback
 *   (`on_failure_callback=notify`): `def render(template, context)` is someone else's context;
 * - `x = get_current_context()` (noteAssignment).
 */
export function functionScope(parent: Scope | null, fn: string, params: PyNode | null, kind: 'method' | 'dunder' | 'task' | 'function' | 'lambda'): Scope {
  const contextNames = new Map(parent?.contextNames);
  const locals = new Set(parent?.locals);
  for (const p of params?.namedChildren ?? []) {
    if (p.type === 'dictionary_splat_pattern' && kind !== 'dunder') contextNames.set(p.text.slice(2), true);
    const name = p.type === 'identifier' ? p : p.type === 'typed_parameter' ? p.namedChildren[0] : p.childForFieldName('name');
    const bound = p.type.endsWith('splat_pattern') ? p.namedChildren[0] : name;
    if (bound?.type === 'identifier') locals.add(bound.text);
    if (name?.text === 'context') contextNames.set('context', kind !== 'function' || (parent?.contextNames.get('context') ?? false));
  }
  return { fn: kind === 'lambda' && parent ? parent.fn : fn, contextNames, locals };
}

/** `x = get_current_context()` makes x a context name in the current function. */
export function noteAssignment(s: State, left: PyNode, right: PyNode, ctx: Ctx): void {
  if (ctx.scope && left.type === 'identifier' && right.type === 'call') {
    const q = s.resolve(right.childForFieldName('function'));
    if (q && /(^|\.)get_current_context$/.test(q)) ctx.scope.contextNames.set(left.text, true);
  }
}

/** Whether n names the context: undefined when not, else whether surely. */
function contextName(s: State, n: PyNode | null | undefined, ctx: Ctx): boolean | undefined {
  if (!n || n.type !== 'identifier' || !ctx.scope || s.names.has(n.text)) return undefined;
  return ctx.scope.contextNames.get(n.text);
}

/** The key of `context["k"]` or `context.get("k")`, its string, and whether the object is surely the context. */
function contextKeyOf(s: State, n: PyNode, ctx: Ctx): { key: string; at: PyNode; sure: boolean } | null {
  let obj: PyNode | null = null;
  let keyNode: PyNode | null | undefined = null;
  if (n.type === 'subscript') {
    obj = n.childForFieldName('value');
    keyNode = n.childForFieldName('subscript');
  } else if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'get') return null;
    obj = fn.childForFieldName('object');
    keyNode = args(n).positional[0];
  }
  const sure = contextName(s, obj, ctx);
  if (sure === undefined) return null;
  const key = literal(keyNode);
  return typeof key === 'string' ? { key, at: keyNode!, sure } : null;
}

/** The key `context["k"]` or `context.get("k")` reads, as the object of a chained lookup. */
export function contextValueName(s: State, n: PyNode, ctx: Ctx): string | null {
  return n.type === 'subscript' || n.type === 'call' ? (contextKeyOf(s, n, ctx)?.key ?? null) : null;
}

export function subscriptRead(s: State, node: PyNode, ctx: Ctx): void {
  // At the key's string, where ruff points too.
  const read = contextKeyOf(s, node, ctx);
  if (read) push(s, read.at, read.key, 'subscript', read.sure, ctx);
}

export function getRead(s: State, call: PyNode, ctx: Ctx): void {
  const read = contextKeyOf(s, call, ctx);
  if (read) push(s, read.at, read.key, 'get', read.sure, ctx);
}

/**
 * `dag_run.conf`, `context["ti"].xcom_pull`: key `object.attribute`. A dotted chain of names is
 * not walked further, so it is searched to its root here; otherwise only the direct object is
 * looked at, the walk reaching the inner attributes itself.
 */
export function attributeRead(s: State, node: PyNode, ctx: Ctx, dotted: boolean): void {
  if (!ctx.scope) return;
  let inner = node;
  if (dotted) while (inner.childForFieldName('object')?.type === 'attribute') inner = inner.childForFieldName('object')!;
  const obj = inner.childForFieldName('object');
  if (!obj) return;
  let root: string | null = null;
  let sure = true;
  if (obj.type === 'identifier') root = s.names.has(obj.text) ? null : obj.text;
  else if (!dotted) {
    const read = contextKeyOf(s, obj, ctx);
    if (read) ({ key: root, sure } = read);
  }
  if (root && ATTRIBUTE_OBJECTS.has(root)) push(s, inner, `${root}.${inner.childForFieldName('attribute')?.text}`, 'attribute', sure, ctx);
}

// Jinja blocks, and the names in them: not an attribute, keyword name, filter or test.
const TEMPLATE = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
const QUOTED = /'[^']*'|"[^"]*"/g;
const NAME = /(?<![\w.]|\|\s*|\bis\s+|\bis\s+not\s+)([A-Za-z_]\w*)\b(?:\s*\.\s*([A-Za-z_]\w*)\b)?(?!\s*=[^=])/g;
const JINJA_WORDS = new Set(
  'and or not in is if else elif endif for endfor set endset macro endmacro block endblock with endwith filter endfilter raw endraw call endcall include import from as recursive true false none True False None loop'.split(' '),
);

/** The names in a string token's Jinja blocks, with their offsets in the token: `obj.attr` for attributes of TEMPLATE_ATTRIBUTE_OBJECTS. */
export function* templateNames(text: string): Generator<{ offset: number; name: string; key: string }> {
  for (const m of text.matchAll(TEMPLATE)) {
    const body = (m[1] ?? m[2]!).replace(QUOTED, (q) => ' '.repeat(q.length));
    const bodyStart = m.index + 2;
    for (const n of body.matchAll(NAME)) {
      const name = n[1]!;
      if (JINJA_WORDS.has(name)) continue;
      yield { offset: bodyStart + n.index, name, key: n[2] && TEMPLATE_ATTRIBUTE_OBJECTS.has(name) ? `${name}.${n[2]}` : name };
    }
  }
}

/** Whether a string token is an f-string, where `{{` is an escape and not a template. */
const isFStringToken = (text: string) => /^[rRbBuU]{0,2}[fF]|^[rRbB][fF]/.test(text);

/** `{{ name }}` and `{% ... name ... %}` in one string token (not an f-string). */
export function templateReads(s: State, str: PyNode): void {
  const text = str.text;
  if (!text.includes('{{') && !text.includes('{%')) return;
  if (isFStringToken(text) || s.keyNames?.test(text) === false) return;
  const at = lineCursor(text, pos(str));
  const seen = new Set<string>(); // one read per key and string: a SQL file may say {{ ds }} twenty times
  for (const { offset, key } of templateNames(text)) {
    if (seen.has(key) || !s.wantsKey(key)) continue;
    seen.add(key);
    s.out.contextReads.push({ ...at(offset), key, via: 'template' });
  }
}

/** File positions of increasing offsets in a token that starts at `start`, counting lines once. */
function lineCursor(text: string, start: { line: number; col: number }) {
  let line = start.line;
  let lineStart = -1; // offset of the newline before the current line, -1 on the token's first line
  let next = text.indexOf('\n');
  return (i: number) => {
    while (next !== -1 && next < i) {
      line++;
      lineStart = next;
      next = text.indexOf('\n', next + 1);
    }
    return { line, col: lineStart < 0 ? start.col + i : i - lineStart };
  };
}

const FIELD = /\{([A-Za-z_]\w*|\d*)((?:\.\w+|\[[^\]]*\])*)(?:![rsa])?(?::[^{}]*)?\}/g;

/** `"{ds}".format(**context)`, `"{0[ds]}".format(context)`, `"{c[ds]}".format(c=context)`. */
export function formatReads(s: State, call: PyNode, ctx: Ctx): void {
  const fn = call.childForFieldName('function');
  const str = fn?.childForFieldName('object');
  if (!str || (str.type !== 'string' && str.type !== 'concatenated_string')) return;
  const template = literal(str);
  if (typeof template !== 'string' || !template.includes('{')) return;
  const list = call.childForFieldName('arguments')?.namedChildren ?? [];
  const { positional, keywords } = args(call);
  const holders = new Map<string, boolean>(); // format field name -> surely the context
  for (const a of list) if (a.type === 'dictionary_splat') setHolder(holders, '**', contextName(s, a.namedChildren[0], ctx));
  positional.forEach((a, i) => setHolder(holders, String(i), contextName(s, a, ctx)));
  for (const [k, v] of keywords) setHolder(holders, k, contextName(s, v, ctx));
  if (!holders.size) return;
  let auto = 0;
  for (const m of template.replace(/\{\{|\}\}/g, '  ').matchAll(FIELD)) {
    const name = m[1] === '' ? String(auto++) : m[1]!;
    const index = /^\[([^\]]*)\]/.exec(m[2]!)?.[1];
    if (holders.has(name) && index !== undefined) push(s, str, index.replace(/^['"]|['"]$/g, ''), 'format', holders.get(name), ctx);
    else if (holders.has('**') && /^[A-Za-z_]/.test(name)) push(s, str, name, 'format', holders.get('**'), ctx);
  }
}

function setHolder(holders: Map<string, boolean>, name: string, sure: boolean | undefined): void {
  if (sure !== undefined) holders.set(name, sure);
}

/**
 * Parameters named after context keys. Airflow fills them from the context only for task
 * callables: @task functions, functions taking `**kwargs` (the provide_context style) and
 * functions the file passes as python_callable=. A plain helper's `execution_date` parameter,
 * or a local variable of that name, is its caller's business and is not recorded.
 */
export function parameterReads(s: State, def: PyNode, fn: string, taskflow: boolean): void {
  const params = def.childForFieldName('parameters')?.namedChildren ?? [];
  const callable = taskflow || params.some((p) => p.type === 'dictionary_splat_pattern');
  for (const p of params) {
    const name = p.type === 'identifier' ? p : p.type === 'typed_parameter' ? p.namedChildren[0] : p.childForFieldName('name');
    if (name?.type !== 'identifier' || !CONTEXT_KEYS.has(name.text) || !s.wantsKey(name.text)) continue;
    const read: PyContextRead = { ...pos(name), key: name.text, via: 'parameter' };
    if (callable) s.out.contextReads.push(read);
    else s.pendingReads.push({ fn, read });
  }
}

/** Keeps the reads that waited on their function being a callable; sorts all into file order. */
export function finishContextReads(s: State): void {
  for (const p of s.pendingReads) if (s.callables.has(p.fn)) s.out.contextReads.push(p.read);
  s.out.contextReads.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** `python_callable=f`, `on_failure_callback=[f, g]`, `{"on_failure_callback": f}`: f (and g) are called with the context. */
export function noteCallable(s: State, node: PyNode): void {
  const nameNode = node.childForFieldName(node.type === 'pair' ? 'key' : 'name');
  if (!nameNode?.text.includes('callable') && !nameNode?.text.includes('callback')) return;
  const name = node.type === 'pair' ? literal(nameNode) : nameNode.text;
  if (typeof name !== 'string' || !/(callable|callback|callbacks)$/.test(name)) return;
  const value = node.childForFieldName('value');
  const values = value?.type === 'list' || value?.type === 'tuple' ? value.namedChildren : value ? [value] : [];
  for (const v of values) if (v.type === 'identifier') s.callables.add(v.text);
}

/** `__init__` and friends: their `**kwargs` are arguments, not the context. */
export const isDunder = (name: string) => name.startsWith('__') && name.endsWith('__');
