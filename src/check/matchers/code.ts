import type { Inventory, LiteralValue, PyFile, PyTask } from '../../home/inventory.js';
import type { Hit, Matcher } from '../types.js';

// Code that cannot work, or works badly, on MWAA workers. Each match kind is generic: which
// operators, commands, path prefixes and thresholds count comes from the rule (rules/code.yaml).

const compiled = new WeakMap<string[], (name: string) => boolean>();

/**
 * Qualified-name patterns; `*` stands for any run of characters, dots included. Each name is
 * tested once per pattern list: a home repeats a few hundred operator names over 100,000 tasks.
 */
export function globs(patterns: string[]): (name: string) => boolean {
  let matches = compiled.get(patterns);
  if (!matches) {
    const alts = patterns.map((p) => p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
    const re = new RegExp(`^(?:${alts.join('|')})$`);
    const seen = new Map<string, boolean>();
    matches = (name) => seen.get(name) ?? (seen.set(name, re.test(name)), seen.get(name)!);
    compiled.set(patterns, matches);
  }
  return matches;
}

const lastPart = (q: string) => q.slice(q.lastIndexOf('.') + 1);
/** How a task's operator reads in a message: the class name, or the decorator for TaskFlow tasks. */
export function operatorName(t: PyTask): string {
  if (t.form !== 'taskflow') return lastPart(t.operator);
  const parts = t.operator.split('.');
  const at = parts.lastIndexOf('task');
  return `@${at < 0 ? lastPart(t.operator) : parts.slice(at).join('.')}`;
}
const passes = (t: PyTask, kwarg: string) => kwarg in t.kwargs || t.exprKwargs.includes(kwarg);
const taskName = (t: PyTask) => t.taskId ?? '(no task_id)';
const show = (v: LiteralValue) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

// Tasks indexed once per inventory a check gives its rules, by operator and by the arguments they
// pass: a home has a few dozen distinct operators but up to ~100,000 tasks, and most rules want a
// handful of them. The check gives each group of files a view of its own (see Checker.files), so
// the indexes (some 30 MB on the 10,000-file home) go with the check instead of staying as long
// as the inventory.
type Located = [PyFile, PyTask];
interface TaskIndex {
  byOperator: Map<string, Located[]>;
  byKwarg: Map<string, Located[]>;
}
const indexes = new WeakMap<Inventory, TaskIndex>();

function taskIndex(inv: Inventory): TaskIndex {
  let index = indexes.get(inv);
  if (!index) {
    index = { byOperator: new Map(), byKwarg: new Map() };
    const add = (map: Map<string, Located[]>, key: string, item: Located) => {
      const list = map.get(key);
      if (list) list.push(item);
      else map.set(key, [item]);
    };
    for (const file of inv.dagFiles) {
      for (const t of file.analysis?.tasks ?? []) {
        const item: Located = [file, t];
        add(index.byOperator, t.operator, item);
        for (const k in t.kwargs) add(index.byKwarg, k, item);
        for (const k of t.exprKwargs) add(index.byKwarg, k, item);
      }
    }
    indexes.set(inv, index);
  }
  return index;
}

/** Tasks of the given operators; with `kwargs`, only those passing one of them. */
function tasksOf(inv: Inventory, operators: string[], kwargs?: string[]): Located[] {
  const index = taskIndex(inv);
  const matches = globs(operators);
  if (!kwargs) return [...index.byOperator].flatMap(([operator, group]) => (matches(operator) ? group : []));
  const found = new Set(kwargs.flatMap((k) => index.byKwarg.get(k) ?? []));
  return [...found].filter(([, t]) => matches(t.operator));
}

// operator-use: tasks of the listed operators, optionally only those passing (or not passing)
// certain arguments. `allow` lists literal values of a `withKwargs` argument that are fine; a
// computed value is then unknowable and not reported.
interface OperatorParams {
  operators: string[];
  withKwargs?: string[];
  unlessKwargs?: string[];
  allow?: Record<string, LiteralValue[]>;
}

const operatorUse: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as OperatorParams;
  const offending = (t: PyTask, k: string) => {
    if (!passes(t, k)) return false;
    const allowed = p.allow?.[k];
    if (!allowed) return true;
    return k in t.kwargs && !allowed.some((a) => JSON.stringify(a) === JSON.stringify(t.kwargs[k]));
  };
  const hits: Hit[] = [];
  for (const [file, t] of tasksOf(inv, p.operators, p.withKwargs)) {
    if (p.unlessKwargs?.some((k) => passes(t, k))) continue;
    const kwarg = p.withKwargs?.find((k) => offending(t, k));
    if (p.withKwargs && !kwarg) continue;
    const operator = operatorName(t);
    const literal = kwarg !== undefined && kwarg in t.kwargs;
    const value = kwarg ? (literal ? show(t.kwargs[kwarg]!) : 'a computed value') : '';
    hits.push({
      file: file.path,
      line: t.line,
      col: t.col,
      text: kwarg ? `${operator}(${kwarg}=${literal ? value : '...'})` : operator,
      vars: { operator, task: taskName(t), value },
    });
  }
  return hits;
};

// bash-command: shell commands given to local-shell operators (BashOperator's bash_command)
// that start one of the listed commands. An entry is a binary optionally followed by the words
// it must be called with ('pip install'); `providedBy` names the requirement that installs a
// binary, which then counts as present.
interface BashParams {
  source: { operators: string[]; kwargs: string[] };
  commands: string[];
  providedBy?: Record<string, string>;
}

// Jinja closes, by its opening: a template is rendered before the shell sees the command.
const JINJA_END: Record<string, string> = { '{{': '}}', '{%': '%}', '{#': '#}' };
// Words that come before the command they run: keywords, grouping and wrappers.
const PREFIXES = new Set(['sudo', 'env', 'nohup', 'time', 'exec', 'command', 'nice', 'timeout', 'xargs', 'if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}']);
const OPTIONS_WITH_VALUE = new Set(['-u', '-g', '-n']); // sudo -u USER, sudo -g GROUP, nice -n N
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh']);
const ASSIGNMENT = /^[A-Za-z_]\w*=/;
// Runs of characters that mean nothing to the scanner in each quoting state, taken whole.
const PLAIN = /[^\s'"\\#$;&|()`{]+/y;
const PLAIN_IN_DOUBLE = /[^"\\{]+/y;
const PLAIN_IN_SINGLE = /[^'{]+/y;

/** The simple commands of a shell script, each as its words with quoting removed. */
export function simpleCommands(s: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) out.push(words);
    words = [];
  };
  for (let i = 0; i < s.length; i++) {
    const run = quote === null ? PLAIN : quote === '"' ? PLAIN_IN_DOUBLE : PLAIN_IN_SINGLE;
    run.lastIndex = i;
    const plain = run.exec(s)?.[0];
    if (plain) {
      word += plain;
      inWord = true;
      i += plain.length - 1;
      continue;
    }
    const c = s[i]!;
    const jinja = c === '{' ? JINJA_END[s.slice(i, i + 2)] : undefined;
    if (jinja) {
      // The template stays in the word as written, whatever it contains.
      const end = s.indexOf(jinja, i + 2);
      const stop = end < 0 ? s.length : end + 2;
      word += s.slice(i, stop);
      inWord = true;
      i = stop - 1;
    } else if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) word += s[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (s[i + 1] !== '\n' && i + 1 < s.length) {
        word += s[i + 1];
        inWord = true;
      }
      i++;
    } else if (c === '#' && !inWord) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl - 1;
    } else if (c === '$' && s[i + 1] === '{') {
      const end = s.indexOf('}', i);
      word += s.slice(i, end < 0 ? s.length : end + 1);
      inWord = true;
      i = end < 0 ? s.length : end;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
    } else if (';&|\n()`'.includes(c)) {
      if (c === '(' && word === '$') inWord = false; // $( opens a command substitution
      endCommand();
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return out.flatMap(unwrap);
}

/** Drops assignments and wrappers before a command; `bash -c '...'` yields the inner script's commands. */
function unwrap(words: string[]): string[][] {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (ASSIGNMENT.test(w)) i++;
    else if (PREFIXES.has(w)) {
      i++;
      while (i < words.length && /^-|^\d/.test(words[i]!)) i += OPTIONS_WITH_VALUE.has(words[i]!) ? 2 : 1;
    } else break;
  }
  const rest = words.slice(i);
  if (rest.length && SHELLS.has(binaryOf(rest[0]!))) {
    const c = rest.findIndex((w) => /^-\w*c$/.test(w));
    if (c > 0 && rest[c + 1] !== undefined) return simpleCommands(rest[c + 1]!);
  }
  return rest.length ? [rest] : [];
}

const binaryOf = (word: string) => word.slice(word.lastIndexOf('/') + 1);

/** Whether a command's words call an entry: the binary, then the entry's words in order (options between them skipped). */
function calls(words: string[], entry: string[]): boolean {
  if (binaryOf(words[0]!) !== entry[0]) return false;
  let j = 1;
  for (let i = 1; i < words.length && j < entry.length; i++) {
    if (words[i] === entry[j]) j++;
    else if (!words[i]!.startsWith('-')) return false;
  }
  return j === entry.length;
}

// The commands of one source (operators + arguments), indexed by binary once per check (as the
// tasks are) and shared by the rules that read the same source.
interface Call {
  file: PyFile;
  task: PyTask;
  words: string[];
  at: number; // position among the task's commands
}
const callIndexes = new WeakMap<Inventory, Map<string, Map<string, Call[]>>>();

function callsBy(inv: Inventory, source: BashParams['source']): Map<string, Call[]> {
  let perSource = callIndexes.get(inv);
  if (!perSource) callIndexes.set(inv, (perSource = new Map()));
  const key = JSON.stringify(source);
  let byBinary = perSource.get(key);
  if (!byBinary) {
    byBinary = new Map();
    for (const [file, task] of tasksOf(inv, source.operators)) {
      let at = 0;
      for (const k of source.kwargs) {
        const v = task.kwargs[k];
        const scripts = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
        for (const words of scripts.flatMap((script) => simpleCommands(script))) {
          const call = { file, task, words, at: at++ };
          const binary = binaryOf(words[0]!);
          const list = byBinary.get(binary);
          if (list) list.push(call);
          else byBinary.set(binary, [call]);
        }
      }
    }
    perSource.set(key, byBinary);
  }
  return byBinary;
}

/** 'a', 'a and b', 'a, b and c'. */
const listed = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : items[0]!);

const bashCommand: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as BashParams;
  const installed = new Set(inv.requirements.requirements.map((r) => r.name));
  const byBinary = callsBy(inv, p.source);
  // One finding per task, naming every listed command it runs in script order; the text shows the first.
  const perTask = new Map<PyTask, Map<string, Call>>();
  for (const command of p.commands) {
    if (p.providedBy?.[command] && installed.has(p.providedBy[command]!)) continue;
    const entry = command.split(/\s+/);
    for (const call of byBinary.get(entry[0]!) ?? []) {
      if (!calls(call.words, entry)) continue;
      const found = perTask.get(call.task) ?? perTask.set(call.task, new Map()).get(call.task)!;
      if (!found.has(command)) found.set(command, call);
    }
  }
  return [...perTask.values()].map((found) => {
    const ordered = [...found].sort(([, a], [, b]) => a.at - b.at);
    const { file, task, words } = ordered[0]![1];
    const text = words.join(' ');
    return {
      file: file.path,
      line: task.line,
      col: task.col,
      text: text.length > 120 ? `${text.slice(0, 117)}...` : text,
      vars: { commands: listed(ordered.map(([command]) => command)), task: taskName(task) },
    };
  });
};

// parse-time-call: calls that run whenever the scheduler parses the file (module level, DAG
// bodies), of the listed categories.
const parseTimeCall: Matcher = (inv, _ctx, raw) => {
  const categories = new Set((raw as unknown as { categories: string[] }).categories);
  const hits: Hit[] = [];
  for (const file of inv.dagFiles) {
    for (const c of file.analysis?.parseTimeCalls ?? []) {
      if (categories.has(c.category)) hits.push({ file: file.path, line: c.line, col: c.col, text: c.callee, vars: { callee: c.callee, category: c.category } });
    }
  }
  return hits;
};

// file-size: DAG files larger than maxBytes.
const MIB = 1024 * 1024;
const bytes = (n: number) => (n >= MIB ? `${(n / MIB).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

const fileSize: Matcher = (inv, _ctx, raw) => {
  const max = (raw as unknown as { maxBytes: number }).maxBytes;
  return inv.dagFiles
    .filter((f) => f.size > max)
    .map((f) => ({ file: f.path, line: 1, col: 1, text: `${f.size} bytes`, vars: { size: bytes(f.size), limit: bytes(max) } }));
};

// parse-time-load {categories, maxBytes}: one estimate per DAG file of top-level work that grows
// with data rather than with the code: calls of those categories repeated in a top-level loop
// (once per item or per generated DAG), or DAGs generated in a loop in a file over maxBytes.
// Single calls are CODE016-018's and very large files CODE019's.
const parseTimeLoad: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as { categories: string[]; maxBytes: number };
  const categories = new Set(p.categories);
  const hits: Hit[] = [];
  for (const file of inv.dagFiles) {
    const a = file.analysis;
    const repeated = (a?.parseTimeCalls ?? []).filter((c) => c.inLoop && categories.has(c.category));
    const loopDags = (a?.dags ?? []).filter((d) => d.inLoop);
    const big = file.size > p.maxBytes;
    if (!repeated.length && !(loopDags.length && big)) continue;
    const work: string[] = [];
    if (repeated.length) {
      const callees = [...new Set(repeated.map((c) => c.callee.split('.').slice(-2).join('.')))];
      work.push(`${listed(callees)} run${repeated.length === 1 ? 's' : ''} once per loop iteration (line${repeated.length > 1 ? 's' : ''} ${listed(repeated.map((c) => String(c.line)))})`);
    }
    if (loopDags.length) work.push(`line ${loopDags[0]!.line} builds a DAG on each iteration of a loop, so the work grows with every DAG it adds`);
    if (big) work.push(`the file is ${bytes(file.size)}`);
    const at = loopDags[0] ?? repeated[0]!;
    hits.push({ file: file.path, line: at.line, col: at.col, text: work[0]!, vars: { work: listed(work) } });
  }
  return hits;
};

export const codeMatchers: Record<string, Matcher> = {
  'parse-time-load': parseTimeLoad,
  'operator-use': operatorUse,
  'bash-command': bashCommand,
  'parse-time-call': parseTimeCall,
  'file-size': fileSize,
};
