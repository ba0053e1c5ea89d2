import type { StartDate } from '../../home/inventory.js';
import { literal } from '../literal.js';
import type { PyNode } from '../tree.js';
import { args, lastPart, snippet, type State } from './state.js';

// A DAG's start_date, as far as it can be read without running the file: datetime(...),
// pendulum.datetime(...) and days_ago(n), given directly or in default_args, through module-level
// names. The catchup rule counts the runs a fresh environment would backfill from it.

const DATE_FIELDS = ['year', 'month', 'day', 'hour', 'minute', 'second'];

/** A module-level name's value (`default_args = {...}`, `START = datetime(...)`), else the node itself. */
const through = (s: State, n: PyNode | undefined): PyNode | undefined => (n?.type === 'identifier' ? s.constants.get(n.text) ?? n : n);

export function startDateOf(s: State, keywords: Map<string, PyNode>): StartDate | null {
  const direct = keywords.get('start_date');
  if (direct) return readStartDate(s, through(s, direct)!);
  const defaults = through(s, keywords.get('default_args'));
  if (defaults?.type !== 'dictionary') return null;
  for (const pair of defaults.namedChildren) {
    const value = pair.type === 'pair' && literal(pair.childForFieldName('key')) === 'start_date' ? pair.childForFieldName('value') : null;
    if (value) return readStartDate(s, through(s, value)!);
  }
  return null;
}

function readStartDate(s: State, n: PyNode): StartDate {
  const expression: StartDate = { kind: 'expression', text: snippet(n, 80) };
  if (n.type !== 'call') return expression;
  const fn = lastPart(s.resolve(n.childForFieldName('function')) ?? '');
  const { positional, keywords } = args(n);
  if (fn === 'days_ago') {
    const days = literal(positional[0] ?? keywords.get('n'));
    return typeof days === 'number' && Number.isInteger(days) ? { kind: 'days-ago', days } : expression;
  }
  if (fn !== 'datetime') return expression;
  // datetime(2020, 1, 1[, h, m, s]) and pendulum.datetime(2020, 1, 1, tz="UTC"); a tz is not applied (the count is approximate).
  const parts = DATE_FIELDS.map((f, i) => literal(positional[i] ?? keywords.get(f)) ?? (i < 3 ? undefined : 0));
  if (!parts.every((p): p is number => typeof p === 'number' && Number.isInteger(p))) return expression;
  const [y, mo, d, h, mi, sec] = parts as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec);
  return Number.isNaN(ms) ? expression : { kind: 'date', iso: new Date(ms).toISOString() };
}
