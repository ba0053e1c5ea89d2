import type { FixIntent } from '../check/types.js';
import type { PyNode } from '../python/tree.js';
import type { Change, Refusal } from './change.js';
import { descendants, nodesStartingAt } from './locate.js';

// A task callable's parameter named after a context key Airflow 3 renamed (`def load(execution_date,
// **kwargs)`): the parameter and every read of it in the function renamed together, so Airflow
// fills it again. Unsafe, as every context-key fix: the value can differ on the target, and a
// caller that passes the old name explicitly (op_kwargs) would now miss.

type Intent = Extract<FixIntent, { kind: 'context' }>;

const SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);

/** The names a function, lambda or class binds as parameters (its own scope's). */
function parameterNames(scope: PyNode): Set<string> {
  const list = scope.childForFieldName('parameters');
  return new Set(list ? descendants(list, (n) => n.type === 'identifier' && n.parent?.type !== 'attribute' && n.field !== 'type').map((n) => n.text) : []);
}

/** Whether the identifier reads or binds a variable (not an attribute name, not a keyword argument's name). */
export function isVariable(n: PyNode): boolean {
  if (n.parent?.type === 'attribute' && n.field === 'attribute') return false;
  if (n.parent?.type === 'keyword_argument' && n.field === 'name') return false;
  return true;
}

export function fixParameter(root: PyNode, at: number, intent: Intent): Change | Refusal {
  const param = nodesStartingAt(root, at).find((n) => n.type === 'identifier' && n.text === intent.key);
  let def = param?.parent ?? null;
  while (def && def.type !== 'function_definition') def = def.parent;
  if (!param || !def) return `the parameter ${intent.key} is not where the finding points`;
  if (parameterNames(def).has(intent.to) || descendants(def, (n) => n.type === 'identifier' && n.text === intent.to && isVariable(n)).length) {
    return `${intent.to} is already a name in this function: rename ${intent.key} by hand`;
  }
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (n: PyNode): string | null => {
    // An inner scope that binds the name again has a variable of its own.
    if (n !== def && SCOPES.has(n.type) && parameterNames(n).has(intent.key)) return null;
    if ((n.type === 'global_statement' || n.type === 'nonlocal_statement') && n.namedChildren.some((c) => c.text === intent.key)) return `${intent.key} is declared global or nonlocal: rename it by hand`;
    if (n.type === 'identifier' && n.text === intent.key && isVariable(n)) edits.push({ start: n.start, end: n.end, text: intent.to });
    for (const c of n.children) {
      const refused = visit(c);
      if (refused) return refused;
    }
    return null;
  };
  const refused = visit(def.childForFieldName('parameters')!) ?? visit(def.childForFieldName('body')!);
  if (refused) return refused;
  // f-string expressions are in the tree (renamed with the rest); a template in a plain string is a finding of its own.
  return { edits, removals: [], unusedImports: [] };
}
