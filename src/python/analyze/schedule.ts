import type { PyDag, Schedule } from '../../home/inventory.js';
import { literal } from '../literal.js';
import type { PyNode } from '../tree.js';
import { args, lastPart, snippet, type State } from './state.js';

// A DAG's schedule argument, classified: preset, cron, timedelta (with seconds), dataset, timetable...

/**
 * The schedule of `DAG(...)` or `@dag(...)`: a keyword, else the third positional argument (the
 * schedule, or schedule_interval before 2.4, in every version's signature), else whatever a splat
 * holds; 'default' only when the call certainly gives none.
 */
export function scheduleOf(s: State, { positional, keywords, splat }: ReturnType<typeof args>): Pick<PyDag, 'schedule' | 'scheduleArg'> {
  for (const arg of ['schedule', 'timetable', 'schedule_interval'] as const) {
    const v = keywords.get(arg);
    if (v) return { scheduleArg: arg, schedule: classifySchedule(s, v) };
  }
  if (positional[2]) return { scheduleArg: null, schedule: classifySchedule(s, positional[2]) };
  if (splat) return { scheduleArg: null, schedule: { kind: 'expression', text: snippet(splat) } };
  return { scheduleArg: null, schedule: { kind: 'default' } };
}

function classifySchedule(s: State, v: PyNode): Schedule {
  const lit = s.literalOf(v);
  if (lit === null) return { kind: 'none' };
  if (typeof lit === 'string') return lit.startsWith('@') ? { kind: 'preset', value: lit } : { kind: 'cron', value: lit };
  if (v.type === 'list' || v.type === 'tuple') return { kind: 'dataset', text: snippet(v) };
  if (v.type === 'call') {
    const last = lastPart(s.resolve(v.childForFieldName('function')) ?? '');
    if (last === 'timedelta' || last === 'relativedelta') return { kind: 'timedelta', seconds: timedeltaSeconds(v), text: snippet(v) };
    if (/^(Dataset|Asset)(All|Any|Alias)?$/.test(last)) return { kind: 'dataset', text: snippet(v) };
    if (/Timetable$/.test(last)) return { kind: 'timetable', text: snippet(v) };
  }
  if (v.type === 'binary_operator' && /\b(Dataset|Asset)\b/.test(v.text)) return { kind: 'dataset', text: snippet(v) };
  return { kind: 'expression', text: snippet(v) };
}

const UNIT: Record<string, number> = { weeks: 604800, days: 86400, hours: 3600, minutes: 60, seconds: 1, milliseconds: 0.001, microseconds: 1e-6 };
const ORDER = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks'];

function timedeltaSeconds(call: PyNode): number | null {
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
}
