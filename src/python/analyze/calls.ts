import type { PyCall } from '../../home/inventory.js';
import type { PyNode } from '../tree.js';
import { formatReads, getRead } from './context.js';
import { addConstructedDag, addTask, DAG_CLASSES, visitExpand } from './dags-tasks.js';
import { visitEnvCall } from './environ.js';
import { args, lastPart, pos, snippet, type Ctx, type State } from './state.js';

// Calls: DAG constructors and operators (dags-tasks.ts), airflow.* calls, work done when the
// scheduler parses the file, and method calls on objects that are not imports.

// Calls that reach outside the process when the module is imported. Matched on the qualified
// callee; a method called on a hook instance is matched as `<Hook class>.<method>`.
const PARSE_TIME_CALLS: [RegExp, PyCall['category']][] = [
  [/(^|\.)Variable\.(get|get_val|set|setdefault)$/, 'variable'],
  [/(^|\.)(BaseHook|Connection)\.(get_connection|get_connection_from_secrets|get_hook)$/, 'connection'],
  [/Hook\.(get_credentials|get_session|get_client_type|get_resource_type|get_uri)$/, 'connection'],
  [/^(requests|httpx)\.(get|post|put|patch|delete|head|options|request|Session|Client)$/, 'network'],
  [/^urllib\.request\.urlopen$|^urllib2\.urlopen$|^socket\.(create_connection|socket)$/, 'network'],
  [/^boto3\.(client|resource|Session)$|^boto3\.session\.Session$/, 'network'],
  [/^(psycopg2|pymysql|MySQLdb|sqlite3|cx_Oracle|oracledb|pyodbc|pymssql|snowflake\.connector)\.connect$/, 'database'],
  [/^sqlalchemy\.create_engine$/, 'database'],
  [/Hook\.(get_records|get_first|get_pandas_df|get_df|run|get_conn|get_connection|get_sqlalchemy_engine)$/, 'database'],
  [/^subprocess\.(run|call|check_call|check_output|Popen|getoutput|getstatusoutput)$|^os\.(system|popen)$/, 'subprocess'],
  [/^open$|^io\.open$/, 'file'],
  [/^sys\.path\.(append|insert|extend)$/, 'syspath'],
];

// All of them at once first: most calls match none, and one test is cheaper than twelve.
const ANY_PARSE_TIME_CALL = new RegExp(PARSE_TIME_CALLS.map(([re]) => `(?:${re.source})`).join('|'));

const MAX_RECEIVER = 80;

/** The hook class a receiver was built from: `SomeHook(...)` or a name assigned one. */
function hookOf(s: State, receiver: PyNode): string | null {
  if (receiver.type === 'identifier') return s.hookVars.get(receiver.text) ?? null;
  if (receiver.type !== 'call') return null;
  const q = s.resolve(receiver.childForFieldName('function'));
  return q && /Hook$/.test(lastPart(q)) ? q : null;
}

/** `hook = SomeHook(...)`: later `hook.get_conn()` is a call on that hook. */
export function noteHookAssignment(s: State, left: PyNode, right: PyNode): void {
  if (left.type !== 'identifier' || right.type !== 'call') return;
  const hook = hookOf(s, right);
  if (hook) s.hookVars.set(left.text, hook);
  else s.hookVars.delete(left.text);
}

/** Whether a receiver is a dotted name rooted in an import (then the call is a qualified function call). */
function importRooted(s: State, n: PyNode): boolean {
  while (n.type === 'attribute') n = n.childForFieldName('object')!;
  return n.type === 'identifier' && s.names.has(n.text);
}

function parseTimeCall(s: State, node: PyNode, callee: string, ctx: Ctx): void {
  const hit = ANY_PARSE_TIME_CALL.test(callee) ? PARSE_TIME_CALLS.find(([re]) => re.test(callee)) : undefined;
  if (hit) s.out.parseTimeCalls.push({ ...pos(node), callee, category: hit[1], inLoop: ctx.loop });
}

function airflowCall(s: State, node: PyNode, callee: string): void {
  const { positional, keywords } = args(node);
  const dicts = positional.flatMap((p, i) => (isDict(s, p) ? [i] : []));
  s.out.calls.push({ ...pos(node), callee, kwargs: [...keywords.keys()], ...(dicts.length ? { dicts } : {}) });
}

/** A dict display or comprehension, `dict(...)`, or a module-level name bound to one of those. */
function isDict(s: State, n: PyNode): boolean {
  const value = n.type === 'identifier' ? s.constants.get(n.text) : n;
  if (!value) return false;
  if (value.type === 'dictionary' || value.type === 'dictionary_comprehension') return true;
  return value.type === 'call' && value.childForFieldName('function')?.text === 'dict' && !s.names.has('dict');
}

export function visitCall(s: State, node: PyNode, ctx: Ctx): void {
  const fn = node.childForFieldName('function');
  const q = s.resolve(fn);
  let hookCall: string | null = null;
  if (fn?.type === 'attribute') {
    const method = fn.childForFieldName('attribute')?.text ?? '';
    const receiver = fn.childForFieldName('object')!;
    if (method === 'expand' || method === 'expand_kwargs') visitExpand(s, node, fn, ctx);
    if (!importRooted(s, receiver)) {
      if (s.wantsMethod(method)) s.out.methodCalls.push({ ...pos(node), method, receiver: snippet(receiver, MAX_RECEIVER) });
      if (method === 'get') getRead(s, node, ctx);
      else if (method === 'format') formatReads(s, node, ctx);
      const hook = ctx.runtime ? null : hookOf(s, receiver);
      if (hook) hookCall = `${hook}.${method}`;
    }
  }
  if (q && !s.consumed.has(node)) {
    if (DAG_CLASSES.has(q)) addConstructedDag(s, node, ctx);
    else if (s.isOperatorName(q) && !/\.(partial|expand)$/.test(q)) addTask(s, node, q, ctx, false);
    else if (q.startsWith('airflow.')) airflowCall(s, node, q);
    if (!ctx.runtime && !hookCall) parseTimeCall(s, node, q, ctx);
    visitEnvCall(s, node, q, ctx);
  }
  if (hookCall) parseTimeCall(s, node, hookCall, ctx);
  s.walk(fn, ctx);
  s.walk(node.childForFieldName('arguments'), ctx);
}
