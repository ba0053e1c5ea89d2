import type { PyNode } from '../tree.js';
import { pos, type State } from './state.js';

// Keyword arguments of a DAG or task whose value calls something that gives a new value at every
// parse. Airflow 3 stores a new DAG version whenever a parse serializes a DAG differently, so such
// a value makes one version per parse; ruff's AIR304 reports the same calls written in the
// argument. Beyond it, a module-level name is followed to its value (start_date=START with
// START = pendulum.now(), default_args=default_args), and default_args is read key by key.

/** The callees, qualified through the imports (as ruff's AIR304 lists them), with the name a finding gives. */
const VARYING = new Map<string, string>([
  ...['now', 'utcnow', 'today'].map((f) => [`datetime.datetime.${f}`, `datetime.${f}`] as const),
  ['datetime.date.today', 'date.today'],
  ...['now', 'today', 'yesterday', 'tomorrow'].map((f) => [`pendulum.${f}`, `pendulum.${f}`] as const),
  ['time.time', 'time.time'],
  ...['uuid1', 'uuid4'].map((f) => [`uuid.${f}`, `uuid.${f}`] as const),
  ...['random', 'randint', 'choice', 'uniform', 'randrange', 'sample', 'getrandbits'].map((f) => [`random.${f}`, `random.${f}`] as const),
]);

// Module-level names a value may go through (A = B, B = now()): more than code writes, and a bound on A = B, B = A.
const MAX_NAMES = 4;

interface Found {
  node: PyNode;
  call: string;
  via: string | null;
}

/** Records the keyword arguments (`keywords` of the DAG or task at `owner`) that change at every parse. */
export function noteDynamicArgs(s: State, keywords: Map<string, PyNode>, owner: { dag: number } | { task: number }): void {
  const of = 'dag' in owner ? { dag: owner.dag, task: null } : { dag: null, task: owner.task };
  const note = (argument: string, at: PyNode, found: Found | null) => {
    if (found) s.out.dynamicArgs.push({ ...pos(found.via ? at : found.node), call: found.call, argument, via: found.via, ...of });
  };
  // A literal value calls nothing: only the others are looked into.
  const computed = 'dag' in owner ? s.out.dags[owner.dag]!.exprKwargs : s.out.tasks[owner.task]!.exprKwargs;
  for (const name of computed) {
    const value = keywords.get(name)!;
    const dict = name === 'default_args' ? dictionaryOf(s, value) : null;
    if (!dict) {
      note(name, value, varyingCall(s, value, null, 0));
      continue;
    }
    for (const pair of dict.node.namedChildren) {
      const key = pair.type === 'pair' ? pair.childForFieldName('key') : null;
      const v = pair.childForFieldName('value');
      if (!v) continue;
      const keyText = key?.type === 'string' && key.children.length === 0 ? key.text : null;
      note(keyText ? `default_args[${keyText}]` : name, dict.via ? value : v, varyingCall(s, v, dict.via, 0));
    }
  }
}

/** A dict literal, written or through module-level names, and the first name it went through. */
function dictionaryOf(s: State, n: PyNode): { node: PyNode; via: string | null } | null {
  let via: string | null = null;
  for (let depth = 0; n.type === 'identifier' && depth < MAX_NAMES; depth++) {
    const value = s.constants.get(n.text);
    if (!value) return null;
    via ??= n.text;
    n = value;
  }
  return n.type === 'dictionary' ? { node: n, via } : null;
}

/** A DAG or task held by a name (dag=dag): its own arguments are reported where it is built. */
function builtHere(s: State, name: string, value: PyNode): boolean {
  if (s.dagVars.has(name)) return true;
  const callee = value.type === 'call' ? s.resolve(value.childForFieldName('function')) : null;
  return callee !== null && s.isOperatorName(callee);
}

/** The first call of a VARYING function that evaluating `n` at parse time makes, if any. */
function varyingCall(s: State, n: PyNode, via: string | null, depth: number): Found | null {
  switch (n.type) {
    case 'lambda':
      return null; // called later, not when the file is parsed
    case 'identifier': {
      const value = depth < MAX_NAMES ? s.constants.get(n.text) : undefined;
      return value && !builtHere(s, n.text, value) ? varyingCall(s, value, via ?? n.text, depth + 1) : null;
    }
    case 'keyword_argument': {
      // Its name is no value.
      const value = n.childForFieldName('value');
      return value && varyingCall(s, value, via, depth);
    }
    case 'attribute': {
      // `x.attr` reads x; `attr` names no variable.
      const object = n.childForFieldName('object');
      return object && varyingCall(s, object, via, depth);
    }
    case 'call': {
      const call = VARYING.get(s.resolve(n.childForFieldName('function')) ?? '');
      if (call) return { node: n, call, via };
      break;
    }
  }
  for (const c of n.namedChildren) {
    const found = varyingCall(s, c, via, depth);
    if (found) return found;
  }
  return null;
}
