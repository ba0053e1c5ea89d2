import type { AnalysisInterest } from '../../home/inventory.js';
import { literal } from '../literal.js';
import { parsePython } from '../parser.js';
import type { PyNode } from '../tree.js';
import { visitCall, noteHookAssignment } from './calls.js';
import { attributeRead, contextValueName, finishContextReads, functionScope, noteAssignment, noteCallable, subscriptRead, templateReads } from './context.js';
import { visitChain, visitWith } from './dags-tasks.js';
import { visitClass, visitDecorated, visitFunctionDefinition } from './definitions.js';
import { visitEnvSubscript } from './environ.js';
import { recordReference, visitFutureImport, visitIdentifier, visitImport, visitImportFrom, visitTry } from './imports.js';
import { checkPython2, finishSyntax, visitError } from './python2.js';
import { pos, State, type Ctx, type Facts } from './state.js';

// Reads one Python file into the facts the rules need, from a real syntax tree (tree-sitter).
// The code is never executed. One walk, in document order, with a small context (Ctx) describing
// where we are: inside a loop, a function body (not run at parse time), a DAG, a guarded import.
// Each concern lives in its own module; this one only dispatches on node types:
//   imports.ts      imports, their guards, and uses of the names they bind
//   dags-tasks.ts   DAGs and tasks (schedule.ts: their schedules)
//   definitions.ts  classes and functions
//   calls.ts        airflow calls, parse-time work, method calls
//   context.ts      where task-context keys are read
//   python2.ts      Python 2 syntax and syntax errors

// `# mwaa-migrate: ignore[ID, ...]` (or bare `ignore`) silences findings on its line.
const SUPPRESSION = /mwaa-migrate:\s*ignore(?:\[([^\]]*)\])?/;
// A file-system path in a string literal: absolute or home-relative, at least two segments.
const PATH_LITERAL = /^(~|\/)[\w.@+-]*\/[\w.@+\-/]*$/;

const SKIP = new Set(['comment', 'string', 'concatenated_string', 'integer', 'float', 'identifier', 'true', 'false', 'none']);
const LOOPS = new Set(['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/** `interest`: record only the context reads and method calls it names (all without one). */
export function analyzePython(text: string, interest: AnalysisInterest | null = null): Facts {
  const tree = parsePython(text);
  const s: State = new State((node, ctx) => walk(s, node, ctx), interest);
  s.walk(tree.root, { loop: false, runtime: false, dag: null, guard: 'none', classBody: false, fstring: false, scope: null });
  finishSyntax(s, tree.root, tree.hasError);
  finishContextReads(s);
  // Tasks outside any `with DAG`/@dag/dag= belong to the file's only DAG when there is one.
  if (s.out.dags.length === 1) for (const t of s.out.tasks) t.dag ??= 0;
  return s.out;
}

function walk(s: State, node: PyNode | null, ctx: Ctx): void {
  if (!node) return;
  switch (node.type) {
    case 'identifier':
      return visitIdentifier(s, node, ctx);
    case 'import_statement':
      return visitImport(s, node, ctx);
    case 'import_from_statement':
      return visitImportFrom(s, node, ctx);
    case 'future_import_statement':
      return visitFutureImport(s, node, ctx);
    case 'class_definition':
      return visitClass(s, node, ctx);
    case 'function_definition':
      return visitFunctionDefinition(s, node, ctx);
    case 'decorated_definition':
      return visitDecorated(s, node, ctx);
    case 'with_statement':
      return visitWith(s, node, ctx);
    case 'call':
      return visitCall(s, node, ctx);
    case 'try_statement':
      return visitTry(s, node, ctx);
    case 'string':
      return visitString(s, node, ctx);
    case 'concatenated_string':
      for (const part of node.namedChildren) if (part.type === 'string') visitStringParts(s, part, ctx);
      return;
    case 'attribute': {
      // The outermost dotted name through an imported module; its inside needs no visit.
      const q = s.resolve(node);
      attributeRead(s, node, ctx, q !== null);
      if (q) return recordReference(s, node, q);
      break;
    }
    case 'binary_operator':
      visitChain(s, node);
      break;
    case 'subscript':
      visitSubscript(s, node, ctx);
      break;
    case 'keyword_argument':
    case 'pair':
      noteCallable(s, node);
      break;
    case 'lambda':
      for (const c of node.namedChildren) walk(s, c, { ...ctx, scope: functionScope(ctx.scope, '', node.childForFieldName('parameters'), 'lambda') });
      return;
    case 'if_statement': {
      const cond = node.childForFieldName('condition');
      if (cond && /^(typing\.)?TYPE_CHECKING$/.test(cond.text)) {
        walk(s, node.childForFieldName('consequence'), { ...ctx, guard: 'type-checking' });
        for (const alt of node.childrenForFieldName('alternative')) walk(s, alt, ctx);
        return;
      }
      break;
    }
    case 'expression_statement':
      if (node.namedChildren[0]?.type === 'assignment') visitAssignment(s, node.namedChildren[0], ctx);
      break;
    case 'comment': {
      const m = SUPPRESSION.exec(node.text);
      if (m) s.out.suppressions.push({ line: pos(node).line, ids: m[1] ? m[1].split(',').map((x) => x.trim()).filter(Boolean) : ['*'] });
      return;
    }
    case 'print_statement':
    case 'exec_statement':
    case 'except_clause':
    case 'comparison_operator':
      checkPython2(s, node);
      break;
    case 'integer':
      return checkPython2(s, node);
    case 'ERROR':
      visitError(s, node);
      break;
  }
  if (SKIP.has(node.type)) return;
  const inner = LOOPS.has(node.type) ? { ...ctx, loop: true } : ctx;
  // A for statement's iterable is evaluated once, before the loop.
  const once = node.type === 'for_statement' ? node.childForFieldName('right') : null;
  for (const c of node.namedChildren) walk(s, c, c === once ? ctx : inner);
}

/**
 * `name["key"]` lookups, and `context["name"]["key"]` as if `name` were a variable (f-string ones
 * were never recorded here: they are contextReads via 'fstring').
 */
function visitSubscript(s: State, node: PyNode, ctx: Ctx): void {
  const value = node.childForFieldName('value');
  const key = literal(node.childForFieldName('subscript'));
  const object = !value ? null : value.type === 'identifier' ? value.text : contextValueName(s, value, ctx);
  if (object && typeof key === 'string' && !ctx.fstring) s.out.subscripts.push({ ...pos(node), object, key });
  subscriptRead(s, node, ctx);
  visitEnvSubscript(s, node, ctx);
}

/** `x = ...`: module-level values (schedules and start dates use them), context and hook variables. */
function visitAssignment(s: State, assignment: PyNode, ctx: Ctx): void {
  const left = assignment.childForFieldName('left');
  const right = assignment.childForFieldName('right');
  if (!left || !right) return;
  if (!ctx.runtime && left.type === 'identifier') s.constants.set(left.text, right);
  noteAssignment(s, left, right, ctx);
  noteHookAssignment(s, left, right);
}

function visitString(s: State, node: PyNode, ctx: Ctx): void {
  // A path has a slash (written, or escaped): most strings are not evaluated at all.
  const text = node.text;
  const v = text.includes('/') || text.includes('\\') ? literal(node) : undefined;
  if (typeof v === 'string' && PATH_LITERAL.test(v)) s.out.paths.push({ ...pos(node), value: v });
  checkPython2(s, node);
  visitStringParts(s, node, ctx);
}

/** Jinja names in a plain string; the expressions of an f-string (the only strings with children). */
function visitStringParts(s: State, node: PyNode, ctx: Ctx): void {
  if (node.children.length === 0) return templateReads(s, node);
  const inner = { ...ctx, fstring: true };
  for (const c of node.namedChildren) if (c.type === 'interpolation') walk(s, c, inner);
}
