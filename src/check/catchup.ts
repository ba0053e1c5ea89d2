import type { CronExpressionParser } from 'cron-parser';
import { cronParser } from '../cron.js';
import type { Inventory, PyDag, Schedule, StartDate } from '../home/inventory.js';
import { defaultAt } from '../refdata/airflow-config.js';
import { carryOverOptions } from './matchers/config.js';
import { inRange } from './versions.js';

// The first run on a fresh environment: a DAG with catchup on and a start date in the past gets a
// run for every interval since then the moment MWAA's scheduler sees it unpaused, while the old
// scheduler may still run it. How many, from its schedule and start date, counted up to `now`.

/** Airflow's cron presets (@once and @continuous are not periodic). */
export const SCHEDULE_PRESETS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

const DAY_MS = 86_400_000;
// Days whose match needs cron-parser itself (L, #) cost microseconds each: past this many the count
// is worked out from the pace of the days counted, so a start date in year 1 stays cheap.
const SLOW_DAYS = 20_000;

export interface Backfill {
  /** Runs created at once: complete intervals from the start date to now; null when the start date is not a literal one. */
  runs: number | null;
  /** The count is extrapolated from the schedule's pace rather than counted tick by tick. */
  about: boolean;
  /** The DAG's own catchup=True, else scheduler.catchup_by_default as MWAA will have it: the home's (carried over) or the target's default. */
  by: 'dag' | 'home-config' | 'target-default';
}

export interface DagFirstRun {
  file: string;
  dag: PyDag;
  /** null: the DAG creates no backlog of runs when it is unpaused. */
  backfill: Backfill | null;
}

/** scheduler.catchup_by_default on MWAA: the value the plan carries over, else the target's default. */
function catchupByDefault(inv: Inventory, target: string): { on: boolean; carried: boolean } {
  const carried = carryOverOptions(inv, target).find((o) => o.section === 'scheduler' && o.key === 'catchup_by_default');
  return { on: airflowBoolean(carried?.value ?? defaultAt('scheduler.catchup_by_default', target) ?? 'True'), carried: carried !== undefined };
}

/** How Airflow's conf.getboolean reads a value. */
export const airflowBoolean = (v: string) => ['t', 'true', '1'].includes(v.trim().toLowerCase());

/** Every DAG of the home's DAG files, with the runs it would backfill on the target at `now`. */
export function firstRuns(inv: Inventory, target: string, now: Date): DagFirstRun[] {
  const byDefault = catchupByDefault(inv, target);
  const out: DagFirstRun[] = [];
  for (const file of inv.dagFiles) {
    if (file.role !== 'dag') continue;
    for (const dag of file.analysis?.dags ?? []) out.push({ file: file.path, dag, backfill: backfillOf(dag, target, now, byDefault) });
  }
  return out;
}

function backfillOf(dag: PyDag, target: string, now: Date, byDefault: { on: boolean; carried: boolean }): Backfill | null {
  const explicit = dag.kwargs['catchup'];
  // A computed catchup= cannot be known, and a DAG without a start date takes it from elsewhere.
  if (dag.exprKwargs.includes('catchup') || !dag.startDate) return null;
  const by = explicit !== undefined ? 'dag' : byDefault.carried ? 'home-config' : 'target-default';
  if (!(explicit === undefined ? byDefault.on : explicit === true)) return null;
  const start = startOf(dag.startDate, now);
  const count = start === null ? null : countRuns(dag.schedule, start, now, target);
  if (count === undefined) return null; // not periodic: nothing to catch up
  if (count === null) return { runs: null, about: false, by };
  return count.runs > 0 ? { ...count, by } : null;
}

/** The start date as an instant; days_ago(n) is midnight UTC n days before now. */
function startOf(s: StartDate, now: Date): Date | null {
  if (s.kind === 'date') return new Date(s.iso);
  if (s.kind === 'days-ago') return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - s.days * DAY_MS);
  return null;
}

/**
 * Complete data intervals between `start` and `now`: each is a run catchup creates. undefined
 * for a schedule that is not periodic (none, @once, datasets), null when it cannot be read.
 */
export function countRuns(schedule: Schedule, start: Date, now: Date, target: string): { runs: number; about: boolean } | null | undefined {
  if (start >= now) return { runs: 0, about: false };
  switch (schedule.kind) {
    case 'cron':
      return cronRuns(schedule.value, start, now);
    case 'preset':
      return SCHEDULE_PRESETS[schedule.value] ? cronRuns(SCHEDULE_PRESETS[schedule.value]!, start, now) : undefined;
    case 'timedelta':
      return schedule.seconds && schedule.seconds > 0 ? { runs: Math.floor((now.getTime() - start.getTime()) / (schedule.seconds * 1000)), about: false } : null;
    case 'default':
      // Airflow 2 runs a DAG without a schedule daily; Airflow 3 does not schedule it.
      return inRange(target, '>=3') ? undefined : { runs: Math.floor((now.getTime() - start.getTime()) / DAY_MS), about: false };
    case 'timetable':
    case 'expression':
      return null;
    case 'none':
    case 'dataset':
      return undefined;
  }
}

// Homes repeat a few (schedule, start date) pairs over many DAGs: each is counted once for a
// `now`. Only the last `now`'s counts are kept: the walkthrough checks again and again, each time
// with its own `now`, and would otherwise keep every check's.
const counted = new Map<string, { runs: number; about: boolean } | null>();
let countedAt = NaN;

function cronRuns(expr: string, start: Date, now: Date): { runs: number; about: boolean } | null {
  if (now.getTime() !== countedAt) {
    counted.clear();
    countedAt = now.getTime();
  }
  const key = `${expr}|${start.toISOString()}`;
  if (!counted.has(key)) counted.set(key, countCronTicks(expr, start, now));
  return counted.get(key)!;
}

/**
 * Ticks in [start, now] counted day by day rather than tick by tick (cron-parser's next() costs tens
 * of microseconds, and an every-minute DAG from 2015 has millions): a day either matches the
 * day-of-month, month and day-of-week fields or not, and a matching day holds every
 * (hour, minute, second) tick; only the first and last day are walked tick by tick.
 */
function countCronTicks(expr: string, start: Date, now: Date): { runs: number; about: boolean } | null {
  const shape = cronShape(expr);
  if (!shape) return null;
  const first = Math.floor(start.getTime() / DAY_MS);
  const last = Math.floor(now.getTime() / DAY_MS);
  const from = shape.special ? Math.max(first, last - SLOW_DAYS) : first;
  const partial = (day: number) => (shape.matches(day) ? shape.clock.filter((ms) => day * DAY_MS + ms >= start.getTime() && day * DAY_MS + ms <= now.getTime()).length : 0);
  let total = partial(last);
  if (first !== last) {
    const whole = from === first ? first + 1 : from;
    total += (from === first ? partial(first) : 0) + matchingDays(shape, whole, last) * shape.clock.length;
  }
  const about = from > first;
  if (about) total = Math.round((total * (last - first + 1)) / (last - from + 1));
  // The interval that started last has not ended: it is the next run, not a backfilled one.
  return { runs: Math.max(0, total - 1), about };
}

/** A cron expression read once: its ticks within a day, and which days it runs on. */
interface CronShape {
  /** Milliseconds after midnight of each tick of a matching day. */
  clock: number[];
  /** L or # in play: cron-parser decides each day (slow). */
  special: boolean;
  matches: (day: number) => boolean;
  /** prefix[i]: matching days in [base, base + i), days counted from 1970-01-01, built as far as asked. */
  prefix: number[];
  /** The earliest day asked about: the counts start there, not in 1970. */
  base: number;
}

const shapes = new Map<string, CronShape | null>();

function cronShape(expr: string): CronShape | null {
  if (shapes.has(expr)) return shapes.get(expr)!;
  let shape: CronShape | null = null;
  try {
    const cron = cronParser().parse(expr, { tz: 'UTC' });
    const f = cron.fields;
    const clock = f.hour.values.flatMap((h) => f.minute.values.flatMap((m) => f.second.values.map((s) => ((h * 60 + m) * 60 + s) * 1000)));
    const special = f.dayOfMonth.hasLastChar || f.dayOfWeek.hasLastChar || f.dayOfWeek.nthDay > 0;
    // Where L or # is in play, cron-parser decides the day from the day's first tick.
    const matches = special ? (day: number) => cron.includesDate(new Date(day * DAY_MS + clock[0]!)) : dayMatcher(f);
    shape = { clock, special, matches, prefix: [0], base: 0 };
  } catch {
    // Not a cron expression cron-parser reads: the count is unknown.
  }
  shapes.set(expr, shape);
  return shape;
}

/** Matching days in [from, to): from the prefix counts where they apply, else day by day. */
function matchingDays(shape: CronShape, from: number, to: number): number {
  if (to <= from) return 0;
  if (shape.special || from < 0) {
    let n = 0;
    for (let day = from; day < to; day++) if (shape.matches(day)) n++;
    return n;
  }
  // An earlier start than any so far: counted again from there (a home has a few start dates).
  if (shape.prefix.length === 1 || from < shape.base) [shape.base, shape.prefix] = [from, [0]];
  const p = shape.prefix;
  const base = shape.base;
  for (let i = p.length - 1; base + i < to; i++) p.push(p[i]! + (shape.matches(base + i) ? 1 : 0));
  return p[to - base]! - p[from - base]!;
}

type CronFields = ReturnType<typeof CronExpressionParser.parse>['fields'];

/** cron-parser's day rule without its date objects: both day fields restricted means either may match. */
function dayMatcher(f: CronFields): (day: number) => boolean {
  const dom = new Set(f.dayOfMonth.values as number[]);
  const dow = new Set((f.dayOfWeek.values as number[]).map((d) => d % 7));
  const months = new Set(f.month.values as number[]);
  const domAny = f.dayOfMonth.isWildcard;
  const dowAny = f.dayOfWeek.isWildcard;
  return (day) => {
    const { month, date } = civilDate(day);
    if (!months.has(month)) return false;
    const onDom = dom.has(date);
    // 1970-01-01 was a Thursday (4); Sunday is 0, as in cron.
    const onDow = dow.has((((day % 7) + 7) % 7 + 4) % 7);
    if (!domAny && !dowAny) return onDom || onDow;
    return (domAny || onDom) && (dowAny || onDow);
  };
}

/**
 * The month (1-12) and day of the month of a day counted from 1970-01-01, by Howard Hinnant's
 * civil_from_days: the prefix counts ask it of every day since the earliest start, once per
 * schedule, and a Date made for each was half of a large home's catchup count.
 */
export function civilDate(day: number): { month: number; date: number } {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return { month: mp < 10 ? mp + 3 : mp - 9, date: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}
