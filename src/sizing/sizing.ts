import { cronParser } from '../cron.js';
import { SCHEDULE_PRESETS } from '../check/catchup.js';
import { sentDecisions } from '../check/matchers/config.js';
import { inRange } from '../check/versions.js';
import { UsageError } from '../exit.js';
import type { ConfigOption, Inventory, Schedule, Source } from '../home/inventory.js';
import { outlineOf, sumTasks } from '../home/outline.js';
import { airflowConfigCatalog, catalogVersionFor, defaultIn } from '../refdata/airflow-config.js';
import { defaultRegion, knownRegions, sizingData, type EnvironmentClass, type Fact, type Rates, type RegionPrices } from './table.js';

// Sizing: which MWAA environment class, how many workers, schedulers and web servers, and what
// it costs a month, worked out from the inventory alone. A pure function of the inventory and
// the generated class and price table (rules/data/mwaa-sizing.json, from mwaa.yaml): every
// number it takes from that table carries the mwaa.yaml path it came from.

/** AWS's convention for a month of hours (365 x 24 / 12). */
export const HOURS_PER_MONTH = 730;
/** A task created in a loop or by dynamic task mapping stands for this many task instances. */
export const EXPANSION_FACTOR = 5;

export interface SizingOptions {
  /** The MWAA Airflow version. */
  target: string;
  /** An AWS region the price table covers (see knownRegions). */
  region: string;
  /** Concurrent task instances per hour of the day (24 values, e.g. from the metadata DB), replacing the schedule estimate. */
  load?: number[];
  /** Where load came from, for the output (the --load-file name). */
  loadFile?: string;
  /** The region's prices when not the bundled table's (--live-prices). */
  prices?: RegionPrices;
  /** A class chosen by hand (plan --class): workers and options follow it instead of the recommendation. */
  environmentClass?: string;
}

export interface DagLoad {
  dagId: string;
  file: string;
  schedule: Schedule['kind'];
  tasks: number;
  /** Whether tasks counts loop or mapped tasks at EXPANSION_FACTOR each. */
  estimated: boolean;
  /** Average runs a day, null when the schedule does not say (event-driven, timetable, expression). */
  runsPerDay: number | null;
}

export interface CostRow {
  environmentClass: string;
  role: 'recommended' | 'next class down' | 'next class up';
  /** Whether the class covers the DAG count and the peak. */
  fits: boolean;
  minWorkers: number;
  maxWorkers: number;
  /** Monthly, in pricing.currency; null when a price it needs is not in the table. */
  floor: number | null;
  expected: number | null;
  ceiling: number | null;
  /** The price rows used. */
  sources: string[];
  unknown: string[];
}

export interface Sizing {
  target: string;
  region: string;
  inputs: {
    dags: number;
    dagFiles: number;
    parseBytes: number;
    tasks: { static: number; estimated: number; total: number; expansionFactor: number; unattached: number };
    schedules: Partial<Record<Schedule['kind'], number>>;
    runsPerDay: number;
    /** DAGs whose runs are event-driven or not readable from the code (dataset, asset, timetable, expression). */
    unknownSchedules: string[];
    manualOnly: number;
    executor: Fact<string>;
    parallelism: Fact<number>;
    maxActiveTasksPerDag: Fact<number>;
    maxActiveRunsPerDag: Fact<number>;
    workerConcurrency: Fact<number> | null;
  };
  load: {
    source: 'schedules' | 'load-file';
    /** The load file, when source is load-file. */
    file?: string;
    /** Concurrent tasks estimated for each hour of the day (UTC as the crons say), bounded by parallelism. */
    hourly: number[];
    peak: Fact<number>;
    peakHour: number;
    /** The estimate before [core] parallelism bounds it. */
    unbounded: number;
    /** The DAGs that overlap at the peak hour, biggest first (at most 10). */
    overlapping: { dagId: string; tasks: number }[];
    overlappingCount: number;
  };
  recommendation: {
    environmentClass: Fact<string>;
    dagCapacity: Fact<number>;
    tasksPerWorker: Fact<number>;
    minWorkers: Fact<number>;
    maxWorkers: Fact<number>;
    schedulers: Fact<number>;
    minWebservers: Fact<number>;
    maxWebservers: Fact<number>;
    /** False when even the largest class offered does not cover the load. */
    fits: boolean;
    reasons: string[];
  };
  options: { key: string; value: string; reason: string }[];
  cost: {
    currency: string;
    hoursPerMonth: number;
    asOf: string;
    confidence: string;
    source: string[];
    priceListUrl: string;
    /** The offer file read, when the prices are live. */
    live?: { url: string; published: string };
    rows: CostRow[];
    notes: string[];
  };
  whatWouldChange: string[];
  notes: string[];
}

const ALL_HOURS = Array.from({ length: 24 }, (_, h) => h);
const DAY = 86_400;

/** When a schedule runs: the hours of a day it starts runs in, and its average runs a day. */
interface Timing {
  kind: 'timed' | 'manual' | 'unknown';
  hours: number[];
  runsPerDay: number | null;
}

// Homes repeat a few cron strings over thousands of DAGs; parsing each once keeps sizing fast.
const cronTimings = new Map<string, Timing>();
const cronTiming = (expr: string): Timing => cronTimings.get(expr) ?? cronTimings.set(expr, parseCron(expr)).get(expr)!;

function parseCron(expr: string): Timing {
  let fields;
  try {
    fields = cronParser().parse(expr).fields;
  } catch {
    return { kind: 'unknown', hours: [], runsPerDay: null };
  }
  // Day fields OR together in cron when both are restricted; a month has 365.25 / 12 days on average.
  const dow = new Set(fields.dayOfWeek.values.map((d) => Number(d) % 7)).size / 7;
  const dom = Math.min(1, (fields.dayOfMonth.values.length * 12) / 365.25);
  const days = fields.dayOfMonth.isWildcard ? (fields.dayOfWeek.isWildcard ? 1 : dow) : fields.dayOfWeek.isWildcard ? dom : Math.min(1, dom + dow);
  const hours = fields.hour.values.map(Number);
  return { kind: 'timed', hours, runsPerDay: fields.minute.values.length * hours.length * days * (fields.month.values.length / 12) };
}

function intervalTiming(seconds: number): Timing {
  // Timedelta schedules count from start_date, which is usually a midnight: runs start at k x interval.
  const hours = seconds < 3600 ? ALL_HOURS : [...new Set(Array.from({ length: Math.ceil(DAY / seconds) }, (_, k) => Math.floor((k * seconds) / 3600)))];
  return { kind: 'timed', hours, runsPerDay: DAY / seconds };
}

function timing(s: Schedule, target: string): Timing {
  switch (s.kind) {
    case 'cron':
      return cronTiming(s.value);
    case 'preset':
      if (s.value === '@once') return { kind: 'manual', hours: [], runsPerDay: 0 };
      // One run at a time, always: it occupies every hour.
      if (s.value === '@continuous') return { kind: 'timed', hours: ALL_HOURS, runsPerDay: null };
      return SCHEDULE_PRESETS[s.value] ? cronTiming(SCHEDULE_PRESETS[s.value]!) : { kind: 'unknown', hours: [], runsPerDay: null };
    case 'timedelta':
      return s.seconds && s.seconds > 0 ? intervalTiming(s.seconds) : { kind: 'unknown', hours: [], runsPerDay: null };
    case 'default':
      // Airflow 2 schedules a DAG without a schedule daily; Airflow 3 does not schedule it at all.
      return inRange(target, '>=3') ? { kind: 'manual', hours: [], runsPerDay: 0 } : intervalTiming(DAY);
    case 'none':
      return { kind: 'manual', hours: [], runsPerDay: 0 };
    case 'dataset':
    case 'timetable':
    case 'expression':
      return { kind: 'unknown', hours: [], runsPerDay: null };
  }
}

const where = (s: Source): string => (s.kind === 'file' ? `${s.file}:${s.line}` : `${s.name}${s.file ? ` (${s.file}:${s.line})` : ''}`);

/** A config option's value as set in the home, else Airflow's default for the target version. */
function configFact(inv: Inventory, target: string, keys: string[]): Fact<string> | null {
  for (const key of keys) {
    const [section, name] = key.split('.');
    const o: ConfigOption | undefined = inv.config.options.find((x) => x.section === section && x.key === name);
    if (o && o.value !== null && o.valueFrom === 'literal') return { value: o.value, source: where(o.source) };
  }
  const catalog = airflowConfigCatalog();
  for (const key of keys) {
    const option = catalog.options[key];
    if (!option) continue;
    // Celery options moved to a provider in 2.7: their newest captured default stands in.
    const version = [catalogVersionFor(target), ...[...option.present].reverse()].find((v) => v && option.present.includes(v));
    const value = version ? defaultIn(option, version) : undefined;
    if (version && value != null) return { value, source: `Airflow ${version} default of ${key}` };
  }
  return null;
}

function numberFact(inv: Inventory, target: string, keys: string[], fallback: number): Fact<number> {
  const f = configFact(inv, target, keys);
  const n = f ? Number.parseInt(f.value, 10) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? { value: n, source: f!.source } : { value: fallback, source: `no usable ${keys[0]}; assumed ${fallback}` };
}

/** The files the DagBag parses: modules cost nothing on their own. */
const dagFilesOf = (inv: Inventory) => inv.dagFiles.filter((f) => f.role === 'dag');

/** Each DAG's task count (loop and mapped tasks expanded) and timing. */
export function dagLoads(inv: Inventory, target: string): (DagLoad & { hours: number[]; timing: Timing['kind'] })[] {
  return dagFilesOf(inv).flatMap((f) => {
    const outline = outlineOf(f);
    return (outline?.dags ?? []).map((d, i) => {
      const { tasks, expanded } = outline!.tasksByDag[i]!;
      const t = timing(d.schedule, target);
      return {
        dagId: d.dagId ?? `${f.path}:${d.line}`,
        file: f.path,
        schedule: d.schedule.kind,
        // A DAG whose tasks the parser cannot tie to it still runs at least one.
        tasks: Math.max(1, tasks - expanded + expanded * EXPANSION_FACTOR),
        estimated: expanded > 0,
        runsPerDay: t.runsPerDay,
        hours: t.hours,
        timing: t.kind,
      };
    });
  });
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

export function offeredFor(c: EnvironmentClass, target: string): boolean {
  const a = c.airflowVersions;
  return !a.established || a.range === null || inRange(target, a.range);
}

function workersFor(c: EnvironmentClass, peak: number): { min: number; max: number } {
  const min = c.workers.min.value;
  return { min, max: Math.min(c.workers.max.value, Math.max(min, ceilDiv(peak, c.tasksPerWorker.value))) };
}

const fitsClass = (c: EnvironmentClass, dags: number, peak: number) =>
  c.dagCapacity.value >= dags && c.tasksPerWorker.value * c.workers.max.value >= peak;

// An AWS region's shape: MWAA runs in about twenty regions, more than the bundled price table knows.
const REGION_SHAPE = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The region's prices. A region the bundled table lacks gets none: the sizing stands and each cost
 * says it is unknown, since a report must not fail over a price (--live-prices reads them). Only
 * a name that is no region at all is a usage error.
 */
export function regionPrices(region: string): RegionPrices {
  const { regions, notEstablished } = sizingData().pricing;
  const prices = regions[region];
  if (prices) return prices;
  const known = `known: ${knownRegions().join(', ')}${notEstablished.length ? `; not established yet: ${notEstablished.join(', ')}` : ''}`;
  if (!REGION_SHAPE.test(region)) throw new UsageError(`--region ${region}: not an AWS region name (${known})`);
  const none = `no MWAA prices for ${region} in the bundled table (${known}); --live-prices reads them from the AWS Price List`;
  return { asOf: '', source: [none], confidence: 'none', environmentPerHour: {}, additionalWorkerPerHour: {}, additionalSchedulerPerHour: {}, additionalWebserverPerHour: {}, metadataGbMonth: { value: null, source: none } };
}

export function sizeEnvironment(inv: Inventory, opts: SizingOptions): Sizing {
  const data = sizingData();
  const prices = opts.prices ?? regionPrices(opts.region);
  const { target } = opts;

  const executor = configFact(inv, target, ['core.executor']) ?? { value: 'SequentialExecutor', source: 'no [core] executor; assumed Airflow 2 default' };
  const parallelism = numberFact(inv, target, ['core.parallelism'], 32);
  const maxActiveTasksPerDag = numberFact(inv, target, ['core.max_active_tasks_per_dag', 'core.dag_concurrency'], 16);
  const maxActiveRunsPerDag = numberFact(inv, target, ['core.max_active_runs_per_dag'], 16);
  const wc = configFact(inv, target, ['celery.worker_concurrency']);
  const workerConcurrency = wc && Number.parseInt(wc.value, 10) > 0 ? { value: Number.parseInt(wc.value, 10), source: wc.source } : null;

  const dags = dagLoads(inv, target);
  const schedules: Sizing['inputs']['schedules'] = {};
  for (const d of dags) schedules[d.schedule] = (schedules[d.schedule] ?? 0) + 1;
  const outlines = dagFilesOf(inv).flatMap((f) => outlineOf(f) ?? []);
  const tied = sumTasks(outlines.flatMap((o) => o.tasksByDag));
  const expandedTasks = tied.expanded;
  const attached = tied.tasks;
  const untied = sumTasks(outlines.map((o) => o.untied)).tasks;

  // A DAG's run occupies the hour it starts in with all its tasks at once, up to the per-DAG
  // cap; task durations are not in the code, so runs are not assumed to spill over.
  const perDag = (d: DagLoad) => Math.min(d.tasks, maxActiveTasksPerDag.value);
  const fromSchedules = ALL_HOURS.map((h) => dags.filter((d) => d.hours.includes(h)).reduce((n, d) => n + perDag(d), 0));
  const unboundedHourly = opts.load ?? fromSchedules;
  const hourly = unboundedHourly.map((n) => Math.min(n, parallelism.value));
  const peakHour = unboundedHourly.indexOf(Math.max(...unboundedHourly));
  const peak = hourly[peakHour]!;
  const overlapping = opts.load ? [] : dags.filter((d) => d.hours.includes(peakHour)).sort((a, b) => perDag(b) - perDag(a) || (a.dagId < b.dagId ? -1 : 1));

  const offered = data.classes.filter((c) => offeredFor(c, target));
  const named = opts.environmentClass === undefined ? -1 : offered.findIndex((c) => c.name === opts.environmentClass);
  const chosenIndex = named !== -1 ? named : offered.findIndex((c) => fitsClass(c, dags.length, peak));
  const fits = chosenIndex !== -1 && fitsClass(offered[chosenIndex]!, dags.length, peak);
  const index = chosenIndex !== -1 ? chosenIndex : offered.length - 1;
  const chosen = offered[index]!;
  const workers = workersFor(chosen, peak);
  const schedulers = chosen.schedulers.default ?? chosen.schedulers.min;
  const webservers = chosen.webservers.default ?? chosen.webservers.min;

  const peakSource = opts.load ? `derived: measured load${opts.loadFile ? ` (--load-file ${opts.loadFile})` : ''}, bounded by [core] parallelism` : 'derived: DAGs starting runs in the busiest hour x min(tasks, max_active_tasks_per_dag), bounded by [core] parallelism';
  const slots = chosen.tasksPerWorker.value;
  const reasons = [
    named !== -1
      ? `${chosen.name} was chosen by hand (--class); its DAG capacity is ${chosen.dagCapacity.value} for ${dags.length} DAGs and its ${slots} tasks per worker x ${chosen.workers.max.value} workers ${fits ? 'cover' : 'do not cover'} a peak of ${peak} concurrent tasks.`
      : fits
      ? `${chosen.name} is the smallest class offered for Airflow ${target} whose DAG capacity (${chosen.dagCapacity.value}) covers ${dags.length} DAGs and whose ${slots} tasks per worker x ${chosen.workers.max.value} workers cover a peak of ${peak} concurrent tasks.`
      : `No class offered for Airflow ${target} covers ${dags.length} DAGs and a peak of ${peak} concurrent tasks; ${chosen.name} is the largest. Split the DAGs over several environments or ask AWS for a higher worker quota.`,
    `Max workers ${workers.max} = ceil(peak ${peak} / ${slots} tasks per worker)${workers.max === chosen.workers.max.value ? `, capped at the class limit ${chosen.workers.max.value}` : ''}; min workers ${workers.min} is the class minimum, so quiet hours cost the least.`,
    `${schedulers.value} scheduler(s) and ${webservers.value} web server(s): the class default${chosen.autoscaling.value ? '' : ', and the only count this class allows'}.`,
  ];
  if (!chosen.airflowVersions.established) reasons.push(`Whether ${chosen.name} is offered for Airflow ${target} is not established in the reference (${chosen.airflowVersions.text}); confirm in the console before creating it.`);

  // What these options mean for the sizing; any other the plan carries was set in the home.
  const why: Record<string, (v: string) => string> = {
    'core.parallelism': (v) => `The home never ran more than ${v} tasks at once (${parallelism.source}); keeping the cap keeps the peak the sizing assumes and the load on the systems your tasks call.`,
    'core.max_active_tasks_per_dag': (v) => `Set in the home (${maxActiveTasksPerDag.source}) to allow ${v} tasks of one DAG at once; MWAA would otherwise use Airflow's default.`,
    'core.max_active_runs_per_dag': (v) => `Set in the home (${maxActiveRunsPerDag.source}) to allow ${v} runs of one DAG at once; MWAA would otherwise use Airflow's default.`,
  };
  // One list for `size` and the plan: the sizing's tasks per worker, then what the home carries over.
  const options: Sizing['options'] = [
    {
      key: 'celery.worker_autoscale',
      value: `${slots},${slots}`,
      reason: `Pins ${slots} tasks per worker, the ${chosen.name} default the worker count above assumes${workerConcurrency && workerConcurrency.value !== slots ? `; your workers ran ${workerConcurrency.value} (${workerConcurrency.source}), which the plan does not send${workerConcurrency.value < slots ? `: lower this to ${workerConcurrency.value},${workerConcurrency.value} if tasks are memory-heavy and raise max workers to ${Math.min(chosen.workers.max.value, ceilDiv(peak, workerConcurrency.value))}` : ''}` : ''}.`,
    },
    ...sentDecisions(inv, target).map((d) => {
      const key = `${d.sent.section}.${d.sent.key}`;
      return { key, value: d.sent.value, reason: why[key]?.(d.sent.value) ?? `Set in the home (${where(d.option.source)}).` };
    }),
  ];

  const neighbours: [EnvironmentClass | undefined, CostRow['role']][] = [
    [offered[index - 1], 'next class down'],
    [chosen, 'recommended'],
    [offered[index + 1], 'next class up'],
  ];
  const rows = neighbours.filter((n): n is [EnvironmentClass, CostRow['role']] => n[0] !== undefined).map(([c, role]) => costRow(c, role, dags.length, peak, hourly, prices));

  const unknown = dags.filter((d) => d.timing === 'unknown');
  const unknownTasks = unknown.reduce((n, d) => n + perDag(d), 0);
  const estimatedDags = dags.filter((d) => d.estimated).length;
  const whatWouldChange = [
    ...(unknown.length ? [`${unknown.length} DAG(s) run on datasets, assets, timetables or schedules computed in code, which the estimate leaves out; if they run at the busiest hour they add up to ${unknownTasks} concurrent tasks (a peak of ${Math.min(parallelism.value, peak + unknownTasks)}).`] : []),
    ...(estimatedDags ? [`${estimatedDags} DAG(s) create tasks in loops or by dynamic task mapping, counted as ${EXPANSION_FACTOR} tasks each; the real fan-out changes the peak.`] : []),
    opts.load
      ? `The measured load stands for the days it was taken from: new DAGs, more data or a busier season raise the peak (the schedules alone give ${Math.min(Math.max(...fromSchedules), parallelism.value)} concurrent tasks).`
      : `Runs that outlast their hour, or that overlap themselves (up to max_active_runs_per_dag = ${maxActiveRunsPerDag.value}), raise the peak; the real per-hour load from the metadata DB would replace this estimate.`,
    `Each ${slots} more concurrent tasks at the peak need one more worker; past ${slots * chosen.workers.max.value} the next class up is needed.`,
    `More than ${chosen.dagCapacity.value} DAGs need the next class up; heavy top-level code in DAG files (${inv.summary.dagFiles} files, ${dagBytes(inv)} bytes to parse) may need it sooner.`,
    `Many people using the UI: MWAA adds web servers up to MaxWebservers (class limit ${chosen.webservers.max.value}), billed while they run.`,
  ];

  const notes = [
    `Executor today: ${executor.value} (${executor.source}); MWAA runs the CeleryExecutor.`,
    opts.load
      ? 'Hours are UTC hours of the day, each at the most task instances measured running at once in it.'
      : 'Hours are those the cron expressions name (UTC unless the DAG sets a timezone); every day is assumed as busy as the busiest.',
  ];

  return {
    target,
    region: opts.region,
    inputs: {
      dags: dags.length,
      dagFiles: inv.summary.dagFiles,
      parseBytes: dagBytes(inv),
      tasks: { static: attached - expandedTasks, estimated: expandedTasks, total: dags.reduce((n, d) => n + d.tasks, 0), expansionFactor: EXPANSION_FACTOR, unattached: untied },
      schedules,
      runsPerDay: round2(dags.reduce((n, d) => n + (d.runsPerDay ?? 0), 0)),
      unknownSchedules: unknown.map((d) => d.dagId),
      manualOnly: dags.filter((d) => d.timing === 'manual').length,
      executor,
      parallelism,
      maxActiveTasksPerDag,
      maxActiveRunsPerDag,
      workerConcurrency,
    },
    load: {
      source: opts.load ? 'load-file' : 'schedules',
      ...(opts.loadFile ? { file: opts.loadFile } : {}),
      hourly,
      peak: { value: peak, source: peakSource },
      peakHour,
      unbounded: unboundedHourly[peakHour]!,
      overlapping: overlapping.slice(0, 10).map((d) => ({ dagId: d.dagId, tasks: perDag(d) })),
      overlappingCount: overlapping.length,
    },
    recommendation: {
      environmentClass: { value: chosen.name, source: `environment_classes.classes.${chosen.name}` },
      dagCapacity: chosen.dagCapacity,
      tasksPerWorker: chosen.tasksPerWorker,
      minWorkers: { value: workers.min, source: chosen.workers.min.source },
      maxWorkers: { value: workers.max, source: `derived: ceil(peak / ${chosen.tasksPerWorker.source}), within ${chosen.workers.max.source}` },
      schedulers,
      minWebservers: webservers,
      maxWebservers: webservers,
      fits,
      reasons,
    },
    options,
    cost: {
      currency: data.pricing.currency,
      hoursPerMonth: HOURS_PER_MONTH,
      asOf: prices.asOf,
      confidence: prices.confidence,
      source: prices.source,
      priceListUrl: prices.live?.url ?? data.pricing.priceListUrl.value.replace('<region>', opts.region),
      ...(prices.live ? { live: prices.live } : {}),
      rows,
      notes: [
        `Floor: min workers all month; expected: plus the extra workers the hourly estimate needs, every day; ceiling: max workers all month. ${HOURS_PER_MONTH} hours a month.`,
        ...(prices.asOf === ''
          ? [`Costs unknown: ${prices.source.join('; ')}.`]
          : [
              `Metadata database storage (${prices.metadataGbMonth.value ?? 'price unknown'} ${data.pricing.currency}/GB-month, ${prices.metadataGbMonth.source}) is not included: its size is not in the inventory.`,
              prices.live
                ? `Prices from the AWS Price List offer file published ${prices.live.published} (${prices.live.url}), read at run time.`
                : `Prices as of ${prices.asOf} (confidence: ${prices.confidence}); the current ones are in the AWS Price List.`,
            ]),
      ],
    },
    whatWouldChange,
    notes,
  };
}

const dagBytes = (inv: Inventory) => dagFilesOf(inv).reduce((n, f) => n + f.size, 0);

/** Monthly cost of one class at its worker range for this load. */
function costRow(c: EnvironmentClass, role: CostRow['role'], dags: number, peak: number, hourly: number[], prices: RegionPrices): CostRow {
  const included = sizingData().pricing.included;
  const { min, max } = workersFor(c, peak);
  const sources: string[] = [];
  const unknown: string[] = [];
  const rate = (table: Rates, what: string, needed: boolean): number => {
    if (!needed) return 0;
    const f = table[c.name];
    if (f?.value == null) {
      unknown.push(`${what} for ${c.name} in this region is not in the price table`);
      return Number.NaN;
    }
    sources.push(f.source);
    return f.value;
  };
  const extraSchedulers = Math.max(0, (c.schedulers.default ?? c.schedulers.min).value - included.schedulers.value);
  const extraWebservers = Math.max(0, (c.webservers.default ?? c.webservers.min).value - included.webservers.value);
  const fixed =
    rate(prices.environmentPerHour, 'the environment hour', true) +
    extraSchedulers * rate(prices.additionalSchedulerPerHour, 'the additional scheduler hour', extraSchedulers > 0) +
    extraWebservers * rate(prices.additionalWebserverPerHour, 'the additional web server hour', extraWebservers > 0);
  const worker = rate(prices.additionalWorkerPerHour, 'the additional worker hour', max > included.workers.value);
  const extra = (n: number) => Math.max(0, n - included.workers.value) * (n > included.workers.value ? worker : 0);
  const busyWorkerHoursPerDay = hourly.reduce((n, load) => n + Math.min(max, Math.max(min, ceilDiv(load, c.tasksPerWorker.value))) - min, 0);
  const money = (x: number) => (Number.isFinite(x) ? round2(x) : null);
  const floor = HOURS_PER_MONTH * (fixed + extra(min));
  return {
    environmentClass: c.name,
    role,
    fits: fitsClass(c, dags, peak),
    minWorkers: min,
    maxWorkers: max,
    floor: money(floor),
    expected: money(floor + (busyWorkerHoursPerDay ? busyWorkerHoursPerDay * (HOURS_PER_MONTH / 24) * worker : 0)),
    ceiling: money(HOURS_PER_MONTH * (fixed + extra(max))),
    sources: [...new Set(sources)],
    unknown,
  };
}
