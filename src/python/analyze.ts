import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';
import type { LiteralValue, PyAnalysis, PyCall, PyClass, PyDag, PyImport, PyTask, Schedule } from '../home/inventory.js';
import { literal, redactIfSensitive } from './literal.js';
import { copyTree, type PyNode } from './tree.js';

// Reads one Python file into the facts the rules need, from a real syntax tree (tree-sitter).
// The code is never executed. One walk, in document order, with a small context describing
// where we are: inside a loop, a function body (not run at parse time), a DAG, a guarded import.

let parser: Parser | null = null;
function getParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
  }
  return parser;
}

interface Ctx {
  loop: boolean;
  runtime: boolean; // inside a function body: does not run when the scheduler parses the file
  dag: number | null;
  guard: PyImport['guarded'];
}

// `# mwaa-migrate: ignore[ID, ...]` (or bare `ignore`) silences findings on its line.
const SUPPRESSION = /mwaa-migrate:\s*ignore(?:\[([^\]]*)\])?/;

const SKIP = new Set(['comment', 'string', 'concatenated_string', 'integer', 'float', 'identifier', 'true', 'false', 'none']);
const LOOPS = new Set(['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

const DAG_CLASSES = new Set(['airflow.DAG', 'airflow.models.DAG', 'airflow.models.dag.DAG', 'airflow.sdk.DAG', 'airflow.sdk.definitions.dag.DAG', 'DAG']);
const DAG_DECORATORS = new Set(['airflow.decorators.dag', 'airflow.sdk.dag', 'airflow.models.dag.dag', 'dag']);
const TASK_DECORATOR_ROOTS = ['airflow.decorators.task', 'airflow.sdk.task', 'task'];

// Calls that reach outside the process when the module is imported. Matched on the qualified
// callee; `*` matches one attribute after the prefix.
const PARSE_TIME_CALLS: [RegExp, PyCall['category']][] = [
  [/(^|\.)Variable\.(get|get_val|set|setdefault)$/, 'variable'],
  [/(^|\.)(BaseHook|Connection)\.(get_connection|get_connection_from_secrets|get_hook)$/, 'connection'],
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

// A file-system path in a string literal: absolute or home-relative, at least two segments.
const PATH_LITERAL = /^(~|\/)[\w.@+-]*\/[\w.@+\-/]*$/;

export function analyzePython(text: string): Omit<PyAnalysis, 'encoding'> {
  const tree = copyTree(getParser().parse(text), text);
  const out: Omit<PyAnalysis, 'encoding'> = {
    syntax: 'ok',
    syntaxErrors: [],
    imports: [],
    dags: [],
    tasks: [],
    parseTimeCalls: [],
    classes: [],
    functions: [],
    calls: [],
    dagChains: [],
    references: [],
    subscripts: [],
    paths: [],
    suppressions: [],
  };
  const names = new Map<string, string>(); // local binding -> qualified name
  const dagVars = new Map<string, number>(); // variable -> index in out.dags
  const constants = new Map<string, PyNode>(); // module-level NAME = <literal>
  const operatorClasses = new Set<string>(); // classes defined here that derive from an operator
  const taskFunctions = new Map<string, number>(); // @task function name -> index in out.tasks
  const consumed = new Set<PyNode>(); // call nodes already recorded as part of a partial().expand() chain
  let python2 = false;

  const pos = (n: PyNode) => ({ line: n.startPosition.row + 1, col: n.startPosition.column + 1 });

  const resolve = (n: PyNode | null): string | null => {
    if (!n) return null;
    if (n.type === 'identifier') return names.get(n.text) ?? n.text;
    if (n.type === 'attribute') {
      const base = resolve(n.childForFieldName('object'));
      const attr = n.childForFieldName('attribute');
      return base && attr ? `${base}.${attr.text}` : null;
    }
    return null;
  };

  const lastPart = (q: string) => q.slice(q.lastIndexOf('.') + 1);
  const isOperatorName = (q: string) => {
    const last = lastPart(q);
    return /(Operator|Sensor)$/.test(last) || operatorClasses.has(last);
  };
  const isTaskDecorator = (q: string) =>
    TASK_DECORATOR_ROOTS.some((r) => q === r || q.startsWith(r + '.')) && !/\.(override|expand|partial)$/.test(q);

  const snippet = (n: PyNode) => {
    const t = n.text.replace(/\s+/g, ' ');
    return t.length > 200 ? t.slice(0, 197) + '...' : t;
  };

  // A short stable description of an expression: its string value, qualified name, or text.
  const describe = (n: PyNode): string => {
    const lit = literal(n);
    return typeof lit === 'string' ? lit : resolve(n) ?? snippet(n);
  };

  const args = (call: PyNode) => {
    const positional: PyNode[] = [];
    const keywords = new Map<string, PyNode>();
    const list = call.childForFieldName('arguments');
    if (list && list.type === 'argument_list') {
      for (const a of list.namedChildren) {
        if (a.type === 'keyword_argument') {
          const k = a.childForFieldName('name');
          const v = a.childForFieldName('value');
          if (k && v) keywords.set(k.text, v);
        } else if (a.type !== 'comment' && a.type !== 'list_splat' && a.type !== 'dictionary_splat') {
          positional.push(a);
        }
      }
    }
    return { positional, keywords };
  };

  const literalOf = (n: PyNode | undefined): LiteralValue | undefined => {
    if (n?.type === 'identifier' && constants.has(n.text)) return literal(constants.get(n.text));
    return literal(n);
  };

  const kwargsOf = (keywords: Map<string, PyNode>) => {
    const kwargs: Record<string, LiteralValue> = {};
    const exprKwargs: string[] = [];
    for (const [k, v] of keywords) {
      const lit = literal(v);
      if (lit === undefined) exprKwargs.push(k);
      else kwargs[k] = redactIfSensitive(k, lit);
    }
    return { kwargs, exprKwargs };
  };

  const scheduleOf = (keywords: Map<string, PyNode>): Pick<PyDag, 'schedule' | 'scheduleArg'> => {
    for (const arg of ['schedule', 'timetable', 'schedule_interval'] as const) {
      const v = keywords.get(arg);
      if (v) return { scheduleArg: arg, schedule: classifySchedule(v) };
    }
    return { scheduleArg: null, schedule: { kind: 'default' } };
  };

  const classifySchedule = (v: PyNode): Schedule => {
    const lit = literalOf(v);
    if (lit === null) return { kind: 'none' };
    if (typeof lit === 'string') return lit.startsWith('@') ? { kind: 'preset', value: lit } : { kind: 'cron', value: lit };
    if (v.type === 'list' || v.type === 'tuple') return { kind: 'dataset', text: snippet(v) };
    if (v.type === 'call') {
      const callee = resolve(v.childForFieldName('function')) ?? '';
      const last = lastPart(callee);
      if (last === 'timedelta' || last === 'relativedelta') return { kind: 'timedelta', seconds: timedeltaSeconds(v), text: snippet(v) };
      if (/^(Dataset|Asset)(All|Any|Alias)?$/.test(last)) return { kind: 'dataset', text: snippet(v) };
      if (/Timetable$/.test(last)) return { kind: 'timetable', text: snippet(v) };
    }
    if (v.type === 'binary_operator' && /\b(Dataset|Asset)\b/.test(v.text)) return { kind: 'dataset', text: snippet(v) };
    return { kind: 'expression', text: snippet(v) };
  };

  const timedeltaSeconds = (call: PyNode): number | null => {
    const UNIT: Record<string, number> = { weeks: 604800, days: 86400, hours: 3600, minutes: 60, seconds: 1, milliseconds: 0.001, microseconds: 1e-6 };
    const ORDER = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks'];
    const { positional, keywords } = args(call);
    let total = 0;
    const add = (unit: string | undefined, n: PyNode) => {
      const v = literal(n);
      if (typeof v !== 'number' || !unit || !(unit in UNIT)) return false;
      total += v * UNIT[unit]!;
      return true;
    };
    for (const [i, n] of positional.entries()) if (!add(ORDER[i], n)) return null;
    for (const [k, n] of keywords) if (!add(k, n)) return null;
    return total;
  };

  const addDag = (call: PyNode, form: PyDag['form'], fallbackId: string | null, at: PyNode): number => {
    const { positional, keywords } = args(call);
    const idNode = keywords.get('dag_id') ?? positional[0];
    const id = literalOf(idNode);
    out.dags.push({
      ...pos(at),
      dagId: typeof id === 'string' ? id : fallbackId,
      form,
      ...scheduleOf(keywords),
      ...kwargsOf(keywords),
    });
    return out.dags.length - 1;
  };

  const dagOfTask = (keywords: Map<string, PyNode>, ctx: Ctx): number | null => {
    const d = keywords.get('dag');
    if (d?.type === 'identifier' && dagVars.has(d.text)) return dagVars.get(d.text)!;
    return ctx.dag;
  };

  const addTask = (call: PyNode, operator: string, ctx: Ctx, mapped: boolean, extra?: PyNode) => {
    const a = args(call);
    const keywords = new Map(a.keywords);
    if (extra) for (const [k, v] of args(extra).keywords) keywords.set(k, v);
    const id = literal(keywords.get('task_id'));
    out.tasks.push({
      ...pos(call),
      operator,
      form: /Sensor$/.test(lastPart(operator)) ? 'sensor' : 'operator',
      taskId: typeof id === 'string' ? id : null,
      dag: dagOfTask(keywords, ctx),
      inLoop: ctx.loop,
      mapped,
      ...kwargsOf(keywords),
    });
  };

  const recordImport = (node: PyNode, module: string, name: string, alias: string | null, level: number, ctx: Ctx) => {
    out.imports.push({ ...pos(node), name, module, alias, level, guarded: ctx.guard });
  };

  const visitImport = (node: PyNode, ctx: Ctx) => {
    for (const child of node.namedChildren) {
      if (child.type === 'dotted_name') {
        recordImport(child, child.text, child.text, null, 0, ctx);
        const root = child.text.split('.')[0]!;
        names.set(root, root);
      } else if (child.type === 'aliased_import') {
        const target = child.childForFieldName('name')!.text;
        const alias = child.childForFieldName('alias')!.text;
        recordImport(child, target, target, alias, 0, ctx);
        names.set(alias, target);
      }
    }
  };

  const visitImportFrom = (node: PyNode, ctx: Ctx) => {
    const modNode = node.childForFieldName('module_name');
    let module = modNode?.text ?? '';
    let level = 0;
    if (modNode?.type === 'relative_import') {
      const prefix = modNode.namedChildren.find((c) => c.type === 'import_prefix')?.text ?? '';
      level = prefix.length;
      module = modNode.text;
    }
    const wildcard = node.namedChildren.find((c) => c.type === 'wildcard_import');
    if (wildcard) recordImport(wildcard, module, `${module}.*`, null, level, ctx);
    for (const child of node.childrenForFieldName('name')) {
      {
        const nameNode = child.type === 'aliased_import' ? child.childForFieldName('name')! : child;
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')!.text : null;
        const qualified = `${module}${module.endsWith('.') ? '' : '.'}${nameNode.text}`;
        recordImport(child, module, qualified, alias, level, ctx);
        names.set(alias ?? nameNode.text, qualified);
      }
    }
  };

  const visitClass = (node: PyNode, ctx: Ctx) => {
    const name = node.childForFieldName('name')?.text ?? '';
    const bases: string[] = [];
    const keywords: string[] = [];
    const supers = node.childForFieldName('superclasses');
    for (const b of supers?.namedChildren ?? []) {
      if (b.type === 'keyword_argument') keywords.push(b.childForFieldName('name')?.text ?? '');
      else bases.push(resolve(b) ?? snippet(b));
    }
    if (bases.some((b) => isOperatorName(b) || /BaseOperator$/.test(b))) operatorClasses.add(name);
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
          ? right.namedChildren.filter((c) => c.type !== 'comment').map(describe)
          : [describe(right)];
    }
    const cls: PyClass = { ...pos(node), name, bases, keywords, attributes };
    out.classes.push(cls);
    // A class body runs when the module is imported.
    walk(body, ctx);
  };

  const visitDecorated = (node: PyNode, ctx: Ctx) => {
    const def = node.childForFieldName('definition');
    if (!def) return;
    if (def.type === 'class_definition') {
      visitClass(def, ctx);
      return;
    }
    const fname = def.childForFieldName('name')?.text ?? null;
    recordFunction(
      def,
      node.namedChildren.filter((d) => d.type === 'decorator').map((d) => {
        const e = d.namedChildren[0];
        return (e && resolve(e.type === 'call' ? e.childForFieldName('function') : e)) ?? (e ? snippet(e) : '');
      }),
      node,
    );
    let dagIndex: number | null = null;
    let taskDecorator: { q: string; call: PyNode | null } | null = null;
    for (const dec of node.namedChildren) {
      if (dec.type !== 'decorator') continue;
      const expr = dec.namedChildren[0];
      if (!expr) continue;
      const call = expr.type === 'call' ? expr : null;
      const q = resolve(call ? call.childForFieldName('function') : expr);
      if (!q) continue;
      if (DAG_DECORATORS.has(q)) {
        if (call) dagIndex = addDag(call, 'decorator', fname, node);
        else {
          out.dags.push({ ...pos(node), dagId: fname, form: 'decorator', scheduleArg: null, schedule: { kind: 'default' }, kwargs: {}, exprKwargs: [] });
          dagIndex = out.dags.length - 1;
        }
      } else if (isTaskDecorator(q) && !taskDecorator) {
        taskDecorator = { q, call };
      }
    }
    if (taskDecorator) {
      const keywords = taskDecorator.call ? args(taskDecorator.call).keywords : new Map<string, PyNode>();
      const id = literal(keywords.get('task_id'));
      out.tasks.push({
        ...pos(node),
        operator: taskDecorator.q,
        form: 'taskflow',
        taskId: typeof id === 'string' ? id : fname,
        dag: ctx.dag,
        inLoop: ctx.loop,
        mapped: false,
        ...kwargsOf(keywords),
      });
      if (fname) taskFunctions.set(fname, out.tasks.length - 1);
    }
    // The body of a @dag function runs at parse time (the file calls it); other bodies do not.
    const body = def.childForFieldName('body');
    walk(body, dagIndex !== null ? { ...ctx, dag: dagIndex, runtime: false } : { ...ctx, runtime: true });
  };

  const visitWith = (node: PyNode, ctx: Ctx) => {
    let inner = ctx;
    const clause = node.namedChildren.find((c) => c.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      let value = item.childForFieldName('value');
      let alias: string | null = null;
      if (value?.type === 'as_pattern') {
        alias = value.namedChildren.find((c) => c.type === 'as_pattern_target')?.text ?? null;
        value = value.namedChildren[0] ?? null;
      }
      if (value?.type === 'call' && DAG_CLASSES.has(resolve(value.childForFieldName('function')) ?? '')) {
        const idx = addDag(value, 'context-manager', null, value);
        if (alias) dagVars.set(alias, idx);
        inner = { ...inner, dag: idx };
        walkArgs(value, ctx);
      } else {
        walk(value, ctx);
      }
    }
    walk(node.childForFieldName('body'), inner);
  };

  const recordFunction = (def: PyNode, decorators: string[], at: PyNode = def) => {
    const params: string[] = [];
    for (const p of def.childForFieldName('parameters')?.namedChildren ?? []) {
      if (p.type === 'identifier') params.push(p.text);
      else if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') params.push(p.text);
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') params.push(p.childForFieldName('name')?.text ?? p.text);
      else if (p.type === 'typed_parameter') params.push(p.namedChildren[0]?.text ?? p.text);
    }
    out.functions.push({ ...pos(at), name: def.childForFieldName('name')?.text ?? '', params, decorators });
  };

  const walkArgs = (call: PyNode, ctx: Ctx) => {
    walk(call.childForFieldName('function'), ctx);
    walk(call.childForFieldName('arguments'), ctx);
  };

  const visitCall = (node: PyNode, ctx: Ctx) => {
    const fn = node.childForFieldName('function');
    const q = resolve(fn);
    // X.partial(...).expand(...): one mapped task of X; t.expand(...) on a @task function marks it mapped.
    if (fn?.type === 'attribute' && /^(expand|expand_kwargs)$/.test(fn.childForFieldName('attribute')?.text ?? '')) {
      const obj = fn.childForFieldName('object');
      const partial = obj?.type === 'call' ? obj : null;
      const partialFn = partial?.childForFieldName('function');
      const base = partialFn?.type === 'attribute' && partialFn.childForFieldName('attribute')?.text === 'partial' ? partialFn.childForFieldName('object') : obj;
      const baseQ = resolve(base ?? null);
      if (baseQ && isOperatorName(baseQ) && partial) {
        addTask(partial, baseQ, ctx, true, node);
        consumed.add(partial);
      } else if (base?.type === 'identifier' && taskFunctions.has(base.text)) {
        out.tasks[taskFunctions.get(base.text)!]!.mapped = true;
      }
    }
    if (q && !consumed.has(node)) {
      if (DAG_CLASSES.has(q)) {
        const idx = addDag(node, 'constructor', null, node);
        const parent = node.parent;
        if (parent?.type === 'assignment' && parent.childForFieldName('left')?.type === 'identifier') {
          dagVars.set(parent.childForFieldName('left')!.text, idx);
        }
      } else if (isOperatorName(q) && !/\.(partial|expand)$/.test(q)) {
        addTask(node, q, ctx, false);
      } else if (q.startsWith('airflow.')) {
        out.calls.push({ ...pos(node), callee: q, kwargs: [...args(node).keywords.keys()] });
      }
      if (!ctx.runtime) {
        const hit = PARSE_TIME_CALLS.find(([re]) => re.test(q));
        if (hit) out.parseTimeCalls.push({ ...pos(node), callee: q, category: hit[1] });
      }
    }
    walkArgs(node, ctx);
  };

  const markPython2 = (node: PyNode, message: string) => {
    python2 = true;
    if (out.syntaxErrors.length < 5) out.syntaxErrors.push({ ...pos(node), message });
  };

  const walk = (node: PyNode | null, ctx: Ctx): void => {
    if (!node) return;
    switch (node.type) {
      case 'import_statement':
        return visitImport(node, ctx);
      case 'import_from_statement':
        return visitImportFrom(node, ctx);
      case 'future_import_statement':
        for (const n of node.childrenForFieldName('name')) recordImport(n, '__future__', `__future__.${n.text}`, null, 0, ctx);
        return;
      case 'class_definition':
        return visitClass(node, ctx);
      case 'function_definition':
        recordFunction(node, []);
        return walk(node.childForFieldName('body'), { ...ctx, runtime: true });
      case 'attribute': {
        // The outermost dotted name through an imported module; its inside needs no visit.
        const q = resolve(node);
        if (q) {
          const root = node.text.split('.')[0]!;
          if (names.has(root.trim()) && q.startsWith('airflow.')) out.references.push({ ...pos(node), name: q });
          return;
        }
        break;
      }
      case 'binary_operator': {
        // A DAG on either side of >> or << (Airflow 1.10 let `dag >> task` assign the task).
        const [left, right] = [node.childForFieldName('left'), node.childForFieldName('right')];
        const op = left && right ? node.text.slice(left.end - node.start, right.start - node.start).trim() : '';
        const isDag = (n: PyNode | null) => n?.type === 'identifier' && dagVars.has(n.text);
        if ((op === '>>' || op === '<<') && (isDag(left) || isDag(right))) out.dagChains.push(pos(node));
        break;
      }
      case 'subscript': {
        const value = node.childForFieldName('value');
        const key = literal(node.childForFieldName('subscript'));
        if (value?.type === 'identifier' && typeof key === 'string') out.subscripts.push({ ...pos(node), object: value.text, key });
        break;
      }
      case 'decorated_definition':
        return visitDecorated(node, ctx);
      case 'with_statement':
        return visitWith(node, ctx);
      case 'call':
        return visitCall(node, ctx);
      case 'try_statement':
        for (const c of node.namedChildren) walk(c, { ...ctx, guard: ctx.guard === 'none' ? 'try' : ctx.guard });
        return;
      case 'if_statement': {
        const cond = node.childForFieldName('condition');
        if (cond && /^(typing\.)?TYPE_CHECKING$/.test(cond.text)) {
          walk(node.childForFieldName('consequence'), { ...ctx, guard: 'type-checking' });
          for (const alt of node.childrenForFieldName('alternative')) walk(alt, ctx);
          return;
        }
        break;
      }
      case 'expression_statement': {
        const a = node.namedChildren[0];
        const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
        const right = a?.type === 'assignment' ? a.childForFieldName('right') : null;
        if (!ctx.runtime && left?.type === 'identifier' && right && literal(right) !== undefined) constants.set(left.text, right);
        break;
      }
      case 'comment': {
        const m = SUPPRESSION.exec(node.text);
        if (m) out.suppressions.push({ line: pos(node).line, ids: m[1] ? m[1].split(',').map((x) => x.trim()).filter(Boolean) : ['*'] });
        return;
      }
      case 'print_statement':
        markPython2(node, 'Python 2 print statement');
        break;
      case 'exec_statement':
        markPython2(node, 'Python 2 exec statement');
        break;
      case 'except_clause':
        // `except E, e:` parses with two values separated by a comma.
        if (node.children.some((c) => c.type === ',') && node.children[0]?.type === 'except') markPython2(node, "Python 2 'except X, e' syntax");
        break;
      case 'comparison_operator':
        if (node.children.some((c) => c.type === '<>')) markPython2(node, "Python 2 '<>' operator");
        break;
      case 'integer':
        if (/^0[0-7]+[lL]?$|^\d+[lL]$/.test(node.text)) markPython2(node, `Python 2 integer literal ${node.text}`);
        return;
      case 'string': {
        const v = literal(node);
        if (typeof v === 'string' && PATH_LITERAL.test(v)) out.paths.push({ ...pos(node), value: v });
        if (node.text.startsWith('`')) markPython2(node, 'Python 2 backtick repr');
        else if (/^[uU][rR]/.test(node.text)) markPython2(node, "Python 2 'ur' string prefix");
        return;
      }
      case 'ERROR':
        // tree-sitter may wrap most of a file in one ERROR around the real, nested one: report the innermost.
        if (out.syntaxErrors.length < 5 && !node.children.some(containsError)) {
          out.syntaxErrors.push({ ...pos(node), message: `invalid syntax near '${snippet(node).slice(0, 40)}'` });
        }
        out.syntax = 'error';
        break;
    }
    if (SKIP.has(node.type)) return;
    const inner = LOOPS.has(node.type) ? { ...ctx, loop: true } : ctx;
    for (const c of node.namedChildren) walk(c, inner);
  };

  walk(tree.root, { loop: false, runtime: false, dag: null, guard: 'none' });

  if (tree.hasError && out.syntax === 'ok' && !python2) {
    out.syntax = 'error';
    const missing = findMissing(tree.root);
    if (missing) out.syntaxErrors.push({ ...pos(missing), message: `missing '${missing.type}'` });
  }
  if (python2) out.syntax = 'python2';

  // Tasks outside any `with DAG`/@dag/dag= belong to the file's only DAG when there is one.
  if (out.dags.length === 1) for (const t of out.tasks) t.dag ??= 0;
  return out;
}

function containsError(node: PyNode): boolean {
  return node.type === 'ERROR' || node.children.some(containsError);
}

function findMissing(node: PyNode): PyNode | null {
  if (node.missing) return node;
  for (const c of node.children) {
    const m = findMissing(c);
    if (m) return m;
  }
  return null;
}
