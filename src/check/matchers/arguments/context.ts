import type { PyContextRead } from '../../../home/inventory.js';
import type { FixIntent, Hit, Matcher } from '../../types.js';
import { analysed, hitter, rowsIn, type ArgumentRow } from './table.js';

// Task-context variables that Airflow renamed or removed, wherever a file reads them: the
// analyzer's contextReads (lookups, .get, attributes of dag_run/ti, f-strings and .format on the
// context, Jinja in any string literal, task-callable parameters), and string-key lookups on
// context objects whose keys changed meaning (inlet_events["uri"]).

/** How the message says where the key was read. */
const WHERE: Record<PyContextRead['via'], (key: string) => string> = {
  subscript: (k) => `the context lookup ["${k}"]`,
  get: (k) => `.get("${k}") on the context`,
  attribute: (k) => `the attribute ${k}`,
  fstring: (k) => `the f-string placeholder ${k} over the context`,
  format: (k) => `the .format() placeholder ${k} over the context`,
  template: (k) => `{{ ${k} }} in a Jinja template`,
  parameter: (k) => `the task-callable parameter ${k}`,
};

/** The table row for a key as read: `execution_date`, `dag_run.external_trigger`, or the root of `conf.get`. */
function rowFor(key: string, names: Map<string, ArgumentRow>): ArgumentRow | undefined {
  const dot = key.indexOf('.');
  return names.get(key) ?? (dot > 0 ? names.get(key.slice(0, dot)) : undefined);
}

// Reads whose key a fix can rename in place: a lookup's string, a template's name, a parameter with
// its reads (to a plain name). f-strings and .format() over the context name the key in more than one place.
const FIXABLE_VIA = new Set<PyContextRead['via']>(['subscript', 'get', 'template', 'parameter']);

/** The keys whose reads the table judges (its other rows are string keys of context objects, see subscripts). */
export const contextTableKeys = () => rowsIn('context').filter((r) => !r.stringKeys);

export const contextTable: Matcher = (inv, ctx, raw) => {
  /** The rule's fixes: key -> what replaces it (in templates, an expression such as `data_interval_end | ds`). */
  const fixes = (raw as { fixes?: Record<string, string> }).fixes ?? {};
  const fixOf = (read: PyContextRead): FixIntent | undefined => {
    const to = fixes[read.key];
    if (!to || !FIXABLE_VIA.has(read.via) || (read.via !== 'template' && !/^\w+$/.test(to))) return undefined;
    return { kind: 'context', key: read.key, to, via: read.via as 'subscript' | 'get' | 'template' | 'parameter' };
  };
  const hits: Hit[] = [];
  const hit = hitter(ctx, hits);
  const table = rowsIn('context');
  const names = new Map(contextTableKeys().map((r) => [r.old, r]));
  const keyed = new Map(table.filter((r) => r.stringKeys).map((r) => [r.old, r]));
  for (const file of analysed(inv)) {
    const a = file.analysis;
    for (const read of a.contextReads) {
      const row = rowFor(read.key, names);
      if (row) hit(row, file, read, read.key, { where: WHERE[read.via](read.key) }, undefined, fixOf(read));
    }
    for (const s of a.subscripts) {
      const row = keyed.get(s.object);
      if (row) hit(row, file, s, `${s.object}["${s.key}"]`, { where: `${s.object}["${s.key}"]` });
    }
  }
  return hits;
};
