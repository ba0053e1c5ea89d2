import type { FixIntent } from '../check/types.js';
import { templateNames } from '../python/analyze/context.js';
import type { PyNode } from '../python/tree.js';
import { edit, type Change, type Refusal } from './change.js';
import { descendants, enclosing, nodesStartingAt, stringContent } from './locate.js';
import { fixParameter } from './parameters.js';

// Task-context keys renamed in place (an unsafe fix: the values can differ on the target): the
// string of a lookup (`context["execution_date"]`, `.get("execution_date")`), every use of the
// name in the Jinja templates of the string the finding points into, or a task callable's
// parameter with its reads (parameters.ts).

type Intent = Extract<FixIntent, { kind: 'context' }>;

export function fixContext(root: PyNode, _text: string, at: number, intent: Intent): Change | Refusal {
  if (intent.via === 'parameter') return fixParameter(root, at, intent);
  return intent.via === 'template' ? fixTemplate(root, at, intent) : fixLookup(root, at, intent);
}

function fixLookup(root: PyNode, at: number, intent: Intent): Change | Refusal {
  for (const node of nodesStartingAt(root, at)) {
    const key = descendants(node, (n) => stringContent(n)?.value === intent.key)[0];
    if (key) {
      const content = stringContent(key)!;
      return edit(content.start, content.end, intent.to);
    }
  }
  return `the key "${intent.key}" is not a plain string where the finding points`;
}

/** Every `{{ key }}` of the string: an expression goes in parentheses unless it is the whole block. */
function fixTemplate(root: PyNode, at: number, intent: Intent): Change | Refusal {
  const str = enclosing(root, at, 'string');
  if (!str) return 'the template is not in a string literal here';
  const change: Change = { edits: [], removals: [], unusedImports: [] };
  const expression = !/^\w+$/.test(intent.to);
  for (const { offset, name, key } of templateNames(str.text)) {
    if (key !== intent.key) continue;
    const whole = /\{\{\s*$/.test(str.text.slice(0, offset)) && /^\s*\}\}/.test(str.text.slice(offset + name.length));
    const to = expression && !whole ? `(${intent.to})` : intent.to;
    change.edits.push({ start: str.start + offset, end: str.start + offset + name.length, text: to });
  }
  return change.edits.length ? change : `{{ ${intent.key} }} is not in the string where the finding points`;
}
