import type { FixIntent } from '../check/types.js';
import type { PyNode } from '../python/tree.js';
import { edit, lastName, removal, type Change, type Refusal } from './change.js';
import { callsAt, descendants, keywordOf, nodesStartingAt, stringContent } from './locate.js';

// Fixes of arguments: a keyword renamed or removed on the call a finding points at, a default_args
// key, a string value such as trigger_rule="dummy", and an enum member such as TriggerRule.DUMMY.

type Intent<K extends FixIntent['kind']> = Extract<FixIntent, { kind: K }>;

/** The one call at `at` (or a call of `callee` inside it) that passes `name=`; or the keyword itself at `at`, as findings point at it. */
function keywordAt(root: PyNode, at: number, name: string, callee?: string): { call: PyNode; keyword: PyNode } | Refusal {
  const keyword = callee ? undefined : nodesStartingAt(root, at).find((n) => n.type === 'keyword_argument' && n.childForFieldName('name')?.text === name);
  // keyword_argument < argument_list < call
  if (keyword?.parent?.parent?.type === 'call') return { call: keyword.parent.parent, keyword };
  let calls = callsAt(root, at);
  if (callee) calls = calls.flatMap((c) => descendants(c, (n) => n.type === 'call' && lastName(n.childForFieldName('function')) === callee));
  const found = calls.flatMap((call) => {
    const keyword = keywordOf(call, name);
    return keyword ? [{ call, keyword }] : [];
  });
  if (found.length === 1) return found[0]!;
  return found.length ? `${name}= is given to more than one call here` : `${name}= is not written where the finding points (built elsewhere, or passed through **kwargs)`;
}

/** Renames (or drops) a keyword argument, never into a name the call already has. */
function renameKeyword(call: PyNode, keyword: PyNode, to: string | null): Change | Refusal {
  if (to === null) return removal(call.childForFieldName('arguments')!, keyword);
  if (keywordOf(call, to)) return `the call already gives ${to}=: keep one of the two by hand`;
  const name = keyword.childForFieldName('name')!;
  return edit(name.start, name.end, to);
}

export function fixKeyword(root: PyNode, _text: string, at: number, intent: Intent<'keyword'>): Change | Refusal {
  const found = keywordAt(root, at, intent.name, intent.callee);
  return typeof found === 'string' ? found : renameKeyword(found.call, found.keyword, intent.to);
}

const isDictCall = (n: PyNode) => n.type === 'call' && n.childForFieldName('function')?.text === 'dict';

/** The dict literal (or dict(...) call) the DAG at `at` takes as default_args, through one assignment in the file. */
function defaultArgsOf(root: PyNode, at: number): PyNode | Refusal {
  const found = keywordAt(root, at, 'default_args');
  if (typeof found === 'string') return found;
  let value = found.keyword.childForFieldName('value');
  if (value?.type === 'identifier') {
    const name = value.text;
    const assigned = descendants(root, (n) => n.type === 'assignment' && n.childForFieldName('left')?.text === name);
    if (assigned.length !== 1) return `default_args is ${name}, assigned ${assigned.length ? 'more than once' : 'outside this file'}`;
    value = assigned[0]!.childForFieldName('right');
  }
  return value && (value.type === 'dictionary' || isDictCall(value)) ? value : 'default_args is not a dict written in this file';
}

/** The entry `key` of a dict literal: its pair node, key string and value. */
function entryOf(dict: PyNode, key: string): { pair: PyNode; key: PyNode; value: PyNode } | null {
  for (const pair of dict.namedChildren) {
    const k = pair.type === 'pair' ? pair.childForFieldName('key') : null;
    if (k && stringContent(k)?.value === key) return { pair, key: k, value: pair.childForFieldName('value')! };
  }
  return null;
}

export function fixDefaultArgsKey(root: PyNode, _text: string, at: number, intent: Intent<'default-args-key'>): Change | Refusal {
  const dict = defaultArgsOf(root, at);
  if (typeof dict === 'string') return dict;
  if (dict.type === 'call') {
    const keyword = keywordOf(dict, intent.name);
    return keyword ? renameKeyword(dict, keyword, intent.to) : `default_args has no ${intent.name}= written here`;
  }
  const entry = entryOf(dict, intent.name);
  if (!entry) return `default_args has no "${intent.name}" entry written here`;
  if (intent.to === null) return removal(dict, entry.pair);
  if (entryOf(dict, intent.to)) return `default_args already has "${intent.to}": keep one of the two by hand`;
  const content = stringContent(entry.key)!;
  return edit(content.start, content.end, intent.to);
}

/** Replaces the content of a plain string literal holding `from`. */
function replaceString(node: PyNode | null, from: string, to: string): Change | Refusal {
  const content = node ? stringContent(node) : null;
  return content?.value === from ? edit(content.start, content.end, to) : `the value is not the plain string "${from}" here`;
}

export function fixValue(root: PyNode, _text: string, at: number, intent: Intent<'value'>): Change | Refusal {
  if (!intent.inDefaultArgs) {
    const found = keywordAt(root, at, intent.argument);
    return typeof found === 'string' ? found : replaceString(found.keyword.childForFieldName('value'), intent.from, intent.to);
  }
  const dict = defaultArgsOf(root, at);
  if (typeof dict === 'string') return dict;
  const value = dict.type === 'call' ? keywordOf(dict, intent.argument)?.childForFieldName('value') : entryOf(dict, intent.argument)?.value;
  return replaceString(value ?? null, intent.from, intent.to);
}

export function fixAttribute(root: PyNode, _text: string, at: number, intent: Intent<'attribute'>): Change | Refusal {
  const attribute = nodesStartingAt(root, at)
    .filter((n) => n.type === 'attribute')
    .map((n) => n.childForFieldName('attribute'))
    .find((a) => a?.text === intent.from);
  return attribute ? edit(attribute.start, attribute.end, intent.to) : `${intent.from} is not written where the finding points`;
}
