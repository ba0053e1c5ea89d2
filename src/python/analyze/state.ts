import type { AnalysisInterest, LiteralValue, PyAnalysis, PyContextRead, PyImport, Position } from '../../home/inventory.js';
import { literal, redactIfSensitive } from '../literal.js';
import type { PyNode } from '../tree.js';

// What one walk over a file knows: the facts found so far (`out`), the names in scope, and the
// helpers every concern shares (positions, name resolution, call arguments).

export type Facts = Omit<PyAnalysis, 'encoding'>;

/** The enclosing function, as far as task-context reads go (see context.ts). */
export interface Scope {
  fn: string;
  /** Names holding the context: true when sure, false when only if `fn` turns out to be a callable. */
  contextNames: Map<string, boolean>;
  /** Names this function (or one around it) binds, parameters included: an import of the same name is not what they read. */
  locals: Set<string>;
}

/** Where the walk is: each visitor passes a changed copy down, never mutates it. */
export interface Ctx {
  loop: boolean;
  runtime: boolean; // inside a function body: does not run when the scheduler parses the file
  dag: number | null;
  guard: PyImport['guarded'];
  classBody: boolean; // directly in a class body: a def here is a method
  fstring: boolean; // inside an f-string interpolation
  scope: Scope | null; // the enclosing function, null at module level
}

export type Walk = (node: PyNode | null, ctx: Ctx) => void;

export function pos(n: PyNode): Position {
  const { row, column } = n.startPosition; // a search of the file's line starts: once, not twice
  return { line: row + 1, col: column + 1 };
}
export const lastPart = (q: string) => q.slice(q.lastIndexOf('.') + 1);

export function snippet(n: PyNode, max = 200): string {
  const t = n.text.replace(/\s+/g, ' ');
  return t.length > max ? t.slice(0, max - 3) + '...' : t;
}

/** Positional and keyword arguments of a call; `splat`, the first `*x` or `**x`, which may hold any of them. */
export function args(call: PyNode): { positional: PyNode[]; keywords: Map<string, PyNode>; splat: PyNode | null } {
  const positional: PyNode[] = [];
  const keywords = new Map<string, PyNode>();
  let splat: PyNode | null = null;
  const list = call.childForFieldName('arguments');
  if (list && list.type === 'argument_list') {
    for (const a of list.namedChildren) {
      if (a.type === 'keyword_argument') {
        const k = a.childForFieldName('name');
        const v = a.childForFieldName('value');
        if (k && v) keywords.set(k.text, v);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
        splat ??= a;
      } else if (a.type !== 'comment') {
        positional.push(a);
      }
    }
  }
  return { positional, keywords, splat };
}

/** Keyword arguments split into literal values and the names of the rest; `valueOf` reads a value (a literal by default). */
export function kwargsOf(
  keywords: Map<string, PyNode>,
  valueOf: (name: string, value: PyNode) => LiteralValue | undefined = (_, v) => literal(v),
): { kwargs: Record<string, LiteralValue>; exprKwargs: string[]; keywordAt: number[] } {
  const kwargs: Record<string, LiteralValue> = {};
  const exprKwargs: string[] = [];
  for (const [k, v] of keywords) {
    const lit = valueOf(k, v);
    if (lit === undefined) exprKwargs.push(k);
    else kwargs[k] = redactIfSensitive(k, lit);
  }
  return { kwargs, exprKwargs, keywordAt: keywordPositions(keywords, [...Object.keys(kwargs), ...exprKwargs]) };
}

/** Where the keywords `names` are written (see PyDag.keywordAt): a finding about one points at it, as ruff does. */
function keywordPositions(keywords: Map<string, PyNode>, names: string[]): number[] {
  const at: number[] = [];
  for (const name of names) {
    // The value's parent is its keyword_argument, which starts at the name.
    const { row, column } = (keywords.get(name)!.parent ?? keywords.get(name)!).startPosition;
    at.push(row + 1, column + 1);
  }
  return at;
}

/** An interest as the walk tests it; made once per interest, not once per file. */
interface Wants {
  contextKeys: Set<string>;
  methods: Set<string>;
  /** A word test for the names the keys start with (identifiers): a string with none of them holds no wanted read. */
  keyNames: RegExp;
}
const wantsOf = new WeakMap<AnalysisInterest, Wants>();
function wants(interest: AnalysisInterest): Wants {
  let w = wantsOf.get(interest);
  if (!w) {
    // Escaped, though only a name's head can match (templateNames finds nothing else).
    const heads = [...new Set(interest.contextKeys.map((k) => k.split('.')[0]!.replace(/[^\w]/g, '\\$&')))];
    const keyNames = heads.length ? new RegExp(`\\b(?:${heads.join('|')})\\b`) : /(?!)/;
    wantsOf.set(interest, (w = { contextKeys: new Set(interest.contextKeys), methods: new Set(interest.methods), keyNames }));
  }
  return w;
}

export class State {
  readonly out: Facts = {
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
    uses: [],
    subscripts: [],
    contextReads: [],
    methodCalls: [],
    paths: [],
    suppressions: [],
    envReads: [],
    dynamicArgs: [],
  };
  readonly names = new Map<string, string>(); // local binding -> qualified name
  readonly airflowImports = new Map<string, number>(); // local binding -> index in out.imports of the airflow import that bound it
  readonly dagVars = new Map<string, number>(); // variable -> index in out.dags
  readonly constants = new Map<string, PyNode>(); // module-level NAME = <expression>, the last one
  readonly operatorClasses = new Set<string>(); // classes defined here that derive from an operator
  readonly taskFunctions = new Map<string, number>(); // @task function name -> index in out.tasks
  readonly consumed = new Set<PyNode>(); // call nodes already recorded as part of a partial().expand() chain
  readonly hookVars = new Map<string, string>(); // variable -> qualified hook class it was built from
  readonly callables = new Set<string>(); // function names passed as python_callable=, on_*_callback=...
  readonly pendingReads: { fn: string; read: PyContextRead }[] = []; // kept if fn is a callable (context.ts)
  python2 = false;
  private readonly contextKeys: Set<string> | null;
  private readonly methods: Set<string> | null;
  /** See Wants; null: every read is recorded. */
  readonly keyNames: RegExp | null;

  constructor(
    readonly walk: Walk,
    interest: AnalysisInterest | null,
  ) {
    const w = interest && wants(interest);
    this.contextKeys = w && w.contextKeys;
    this.methods = w && w.methods;
    this.keyNames = w && w.keyNames;
  }

  /** Whether a context read of `key` is recorded (see AnalysisInterest). */
  wantsKey(key: string): boolean {
    if (!this.contextKeys || this.contextKeys.has(key)) return true;
    const dot = key.indexOf('.');
    return dot > 0 && this.contextKeys.has(key.slice(0, dot));
  }

  wantsMethod(method: string): boolean {
    return !this.methods || this.methods.has(method);
  }

  /** The qualified name of a dotted expression, through the imports; null for anything else. */
  resolve(n: PyNode | null): string | null {
    if (!n) return null;
    if (n.type === 'identifier') return this.names.get(n.text) ?? n.text;
    if (n.type === 'attribute') {
      const base = this.resolve(n.childForFieldName('object'));
      const attr = n.childForFieldName('attribute');
      return base && attr ? `${base}.${attr.text}` : null;
    }
    return null;
  }

  isOperatorName(q: string): boolean {
    const last = lastPart(q);
    return /(Operator|Sensor)$/.test(last) || this.operatorClasses.has(last);
  }

  /** A short stable description of an expression: its string value, qualified name, or text. */
  describe(n: PyNode): string {
    const lit = literal(n);
    return typeof lit === 'string' ? lit : this.resolve(n) ?? snippet(n);
  }

  /** A literal, looking through module-level constants. */
  literalOf(n: PyNode | undefined): LiteralValue | undefined {
    if (n?.type === 'identifier' && this.constants.has(n.text)) return literal(this.constants.get(n.text));
    return literal(n);
  }
}
