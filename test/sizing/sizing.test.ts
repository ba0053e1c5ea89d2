import { describe, expect, it } from 'vitest';
import type { ConfigOption, Inventory, PyFile, Schedule } from '../../src/home/inventory.js';
import { carryOverOptions } from '../../src/check/matchers/config.js';
import { scanHome } from '../../src/home/scan.js';
import { sizeEnvironment, type Sizing } from '../../src/sizing/sizing.js';
import { sizingData } from '../../src/sizing/table.js';
import { HOMES } from '../helpers.js';

// Sizing on inventories built here (no files): class boundaries, monotonicity, and hand-computed
// recommendations and monthly costs. Prices (us-east-1 and us-west-2) are mwaa.yaml's:
// environment hour small 0.49, medium 0.74, large 0.99, xlarge 1.98 (us-west-2 only),
// 2xlarge 3.96 (us-west-2 only); additional worker hour small 0.055, medium 0.11, large 0.22,
// xlarge/2xlarge unknown. A month is 730 h, so a day is 730 / 24 = 30.4167 of a month's hours.

interface DagSpec {
  count: number;
  schedule: Schedule;
  tasks: number;
  /** Of those tasks, how many are created in a loop. */
  inLoop?: number;
}

/** An inventory with the given DAGs (one file each) and [core] options. */
function home(specs: DagSpec[], config: Record<string, string> = {}): Inventory {
  const dagFiles: PyFile[] = specs.flatMap((spec, s) =>
    Array.from({ length: spec.count }, (_, i) => ({
      path: `dags/g${s}_${i}.py`,
      role: 'dag',
      size: 100,
      sha256: '',
      zip: null,
      analysis: {
        syntax: 'ok',
        syntaxErrors: [],
        imports: [],
        envReads: [],
        parseTimeCalls: [],
        dags: [{ dagId: `g${s}_${i}`, line: 1, col: 1, form: 'context-manager', scheduleArg: 'schedule', schedule: spec.schedule, kwargs: {}, exprKwargs: [] }],
        tasks: Array.from({ length: spec.tasks }, (_, t) => ({ line: 2 + t, col: 1, operator: 'x', form: 'operator', taskId: `t${t}`, dag: 0, inLoop: t < (spec.inLoop ?? 0), mapped: false, kwargs: {}, exprKwargs: [] })),
      },
    })),
  ) as unknown as PyFile[];
  const options = Object.entries(config).map(([k, value], line) => {
    const [section, key] = k.split('.');
    return { section, key, value, valueFrom: 'literal', secret: false, known: true, differsFromDefault: true, source: { kind: 'file', file: 'airflow.cfg', line: line + 1 } };
  }) as ConfigOption[];
  return { airflowVersion: { version: null, family: null, candidates: [] }, dagFiles, config: { file: 'airflow.cfg', referenceVersion: null, options }, summary: { dagFiles: dagFiles.length } } as unknown as Inventory;
}

const cron = (value: string): Schedule => ({ kind: 'cron', value });
const NONE: Schedule = { kind: 'none' };
const HOURLY: Schedule = { kind: 'preset', value: '@hourly' };
const WIDE = { 'core.parallelism': '100000', 'core.max_active_tasks_per_dag': '100000' };
const size = (inv: Inventory, target = '2.10.3', region = 'us-east-1') => sizeEnvironment(inv, { target, region });
const cls = (s: Sizing) => s.recommendation.environmentClass.value;
const row = (s: Sizing, role: string) => s.cost.rows.find((r) => r.role === role)!;
const classIndex = (name: string) => sizingData().classes.findIndex((c) => c.name === name);

describe('class boundaries', () => {
  it.each([
    [25, 'mw1.micro'],
    [26, 'mw1.small'],
    [50, 'mw1.small'],
    [51, 'mw1.medium'],
    [250, 'mw1.medium'],
    [251, 'mw1.large'],
    [1000, 'mw1.large'],
    [1001, 'mw1.xlarge'],
    [2000, 'mw1.xlarge'],
    [2001, 'mw1.2xlarge'],
    [4000, 'mw1.2xlarge'],
  ])('%i unscheduled DAGs -> %s (DAG capacity)', (dags, expected) => {
    const s = size(home([{ count: dags, schedule: NONE, tasks: 1 }]));
    expect(cls(s)).toBe(expected);
    expect(s.recommendation.fits).toBe(true);
  });
  it('more DAGs than the largest class holds: the largest, marked as not fitting', () => {
    const s = size(home([{ count: 4001, schedule: NONE, tasks: 1 }]));
    expect([cls(s), s.recommendation.fits]).toEqual(['mw1.2xlarge', false]);
  });

  // One hourly DAG with N tasks: the peak is N. Capacity = tasks per worker x max workers:
  // micro 3 x 1, small 5 x 25 = 125, medium 10 x 25 = 250, large 20 x 25 = 500, xlarge 40 x 25 = 1000, 2xlarge 80 x 25 = 2000.
  it.each([
    [3, 'mw1.micro', 1],
    [4, 'mw1.small', 1], // ceil(4 / 5)
    [125, 'mw1.small', 25],
    [126, 'mw1.medium', 13], // ceil(126 / 10)
    [250, 'mw1.medium', 25],
    [251, 'mw1.large', 13], // ceil(251 / 20)
    [500, 'mw1.large', 25],
    [501, 'mw1.xlarge', 13], // ceil(501 / 40)
    [1000, 'mw1.xlarge', 25],
    [1001, 'mw1.2xlarge', 13], // ceil(1001 / 80)
    [2000, 'mw1.2xlarge', 25],
  ])('a peak of %i concurrent tasks -> %s with %i max workers', (tasks, expected, maxWorkers) => {
    const s = size(home([{ count: 1, schedule: HOURLY, tasks }], WIDE));
    expect(s.load.peak.value).toBe(tasks);
    expect([cls(s), s.recommendation.maxWorkers.value, s.recommendation.minWorkers.value]).toEqual([expected, maxWorkers, 1]);
  });
  it('a peak beyond 2,000 fits no class: the largest, with its 25 workers', () => {
    const s = size(home([{ count: 1, schedule: HOURLY, tasks: 2001 }], WIDE));
    expect([cls(s), s.recommendation.maxWorkers.value, s.recommendation.fits]).toEqual(['mw1.2xlarge', 25, false]);
  });
  it("micro has one scheduler and one web server; the others two of each", () => {
    const micro = size(home([{ count: 1, schedule: NONE, tasks: 1 }])).recommendation;
    expect([micro.schedulers.value, micro.minWebservers.value, micro.maxWebservers.value]).toEqual([1, 1, 1]);
    expect(micro.schedulers.source).toBe('environment_classes.classes.mw1.micro.schedulers.default');
    const small = size(home([{ count: 30, schedule: NONE, tasks: 1 }])).recommendation;
    expect([small.schedulers.value, small.minWebservers.value, small.maxWebservers.value]).toEqual([2, 2, 2]);
  });
  it('2xlarge is not offered before Airflow 2.7.2', () => {
    const s = size(home([{ count: 3000, schedule: NONE, tasks: 1 }]), '2.6.3');
    expect([cls(s), s.recommendation.fits]).toEqual(['mw1.xlarge', false]);
  });
  it('says when a class is offered for the version is not established', () => {
    const s = size(home([{ count: 1, schedule: NONE, tasks: 1 }]));
    expect(s.recommendation.reasons.join(' ')).toMatch(/mw1\.micro is offered for Airflow 2\.10\.3 is not established/);
  });
  it('a region the price table lacks is sized with its costs unknown, saying which regions are known', () => {
    const s = size(home([{ count: 1, schedule: HOURLY, tasks: 3 }]), '2.10.3', 'eu-west-1');
    expect(cls(s)).toBe('mw1.micro');
    expect(s.cost.rows.every((r) => r.floor === null && r.expected === null && r.ceiling === null && r.unknown.length > 0)).toBe(true);
    expect(s.cost.notes.join(' ')).toMatch(/Costs unknown: no MWAA prices for eu-west-1 .*known: ap-northeast-1, sa-east-1, us-east-1, us-west-2/);
    expect(() => size(home([]), '2.10.3', 'moon')).toThrow(/--region moon: not an AWS region name/);
  });
  it('loop tasks count five times and are flagged', () => {
    const s = size(home([{ count: 1, schedule: HOURLY, tasks: 3, inLoop: 2 }], WIDE));
    // 1 static + 2 x 5
    expect([s.inputs.tasks.total, s.inputs.tasks.estimated, s.load.peak.value]).toEqual([11, 2, 11]);
    expect(s.whatWouldChange.join(' ')).toMatch(/1 DAG\(s\) create tasks in loops/);
  });
  it('a measured load replaces the schedule estimate', () => {
    const load = Array.from({ length: 24 }, (_, h) => (h === 9 ? 40 : 0));
    const s = sizeEnvironment(home([{ count: 1, schedule: NONE, tasks: 1 }], WIDE), { target: '2.10.3', region: 'us-east-1', load });
    expect([s.load.source, s.load.peak.value, s.load.peakHour, cls(s), s.recommendation.maxWorkers.value]).toEqual(['load-file', 40, 9, 'mw1.small', 8]);
  });
});

describe('monotonic: more DAGs or more concurrency never sizes down', () => {
  // A small deterministic generator (no randomness between runs).
  let seed = 42;
  const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n) + 1;
  const cases = Array.from({ length: 25 }, () => ({ dags: next(3000), tasks: next(40), parallelism: next(2000), hour: next(24) - 1 }));
  const build = (c: (typeof cases)[number]) => home([{ count: c.dags, schedule: cron(`0 ${c.hour} * * *`), tasks: c.tasks }], { 'core.parallelism': String(c.parallelism) });
  const capacity = (s: Sizing) => s.recommendation.maxWorkers.value * s.recommendation.tasksPerWorker.value;
  const notSmaller = (a: Sizing, b: Sizing) => {
    expect(classIndex(cls(b))).toBeGreaterThanOrEqual(classIndex(cls(a)));
    expect(capacity(b)).toBeGreaterThanOrEqual(Math.min(capacity(a), b.load.peak.value));
    if (cls(a) === cls(b)) expect(b.recommendation.maxWorkers.value).toBeGreaterThanOrEqual(a.recommendation.maxWorkers.value);
  };
  it.each(cases)('%o', (c) => {
    const base = size(build(c));
    notSmaller(base, size(build({ ...c, dags: c.dags + next(500) })));
    notSmaller(base, size(build({ ...c, tasks: c.tasks + next(20) })));
    notSmaller(base, size(build({ ...c, parallelism: c.parallelism + next(500) })));
  });
});

describe('synthetic homes, computed by hand', () => {
  it('50 DAGs, all @daily, 4 tasks each', () => {
    const s = size(home([{ count: 50, schedule: { kind: 'preset', value: '@daily' }, tasks: 4 }], { 'core.parallelism': '32' }));
    // Hour 0: 50 x min(4, 16 default max_active_tasks_per_dag) = 200, bounded by parallelism 32.
    expect([s.load.peak.value, s.load.peakHour, s.load.unbounded]).toEqual([32, 0, 200]);
    // micro holds 25 DAGs < 50; small holds 50 and 5 x 25 = 125 >= 32. Max workers ceil(32 / 5) = 7.
    expect([cls(s), s.recommendation.minWorkers.value, s.recommendation.maxWorkers.value]).toEqual(['mw1.small', 1, 7]);
    expect(s.inputs.runsPerDay).toBe(50);
    const small = row(s, 'recommended');
    // floor 730 x 0.49 = 357.70; ceiling 730 x (0.49 + 6 x 0.055) = 730 x 0.82 = 598.60;
    // expected: only hour 0 needs 7 workers = 6 extra -> 6 x 30.4167 x 0.055 = 10.04 -> 367.74.
    expect([small.floor, small.expected, small.ceiling]).toEqual([357.7, 367.74, 598.6]);
    // micro (too small): 730 x 0.29 = 211.70 whatever the load, 1 worker.
    expect(row(s, 'next class down')).toMatchObject({ environmentClass: 'mw1.micro', fits: false, floor: 211.7, expected: 211.7, ceiling: 211.7 });
    // medium: ceil(32 / 10) = 4 workers; floor 730 x 0.74 = 540.20; ceiling 730 x (0.74 + 3 x 0.11) = 781.10;
    // expected 540.20 + 3 x 30.4167 x 0.11 = 540.20 + 10.04 = 550.24.
    expect(row(s, 'next class up')).toMatchObject({ environmentClass: 'mw1.medium', fits: true, floor: 540.2, expected: 550.24, ceiling: 781.1 });
    // Airflow's default parallelism, left unset: MWAA has it already, so nothing is carried.
    expect(s.options.find((o) => o.key === 'core.parallelism')).toBeUndefined();
  });

  it('400 DAGs: 300 hourly with 1 task, 100 daily at 02:00 with 10 tasks', () => {
    const s = size(
      home(
        [
          { count: 300, schedule: cron('15 * * * *'), tasks: 1 },
          { count: 100, schedule: cron('0 2 * * *'), tasks: 10 },
        ],
        { 'core.parallelism': '400' },
      ),
    );
    // Every hour 300 x 1 = 300; hour 2: 300 + 100 x 10 = 1,300, bounded by parallelism 400.
    expect([s.load.peak.value, s.load.peakHour, s.load.unbounded, s.load.hourly[5]]).toEqual([400, 2, 1300, 300]);
    // medium holds 250 < 400 DAGs; large holds 1,000 and 20 x 25 = 500 >= 400. Max workers ceil(400 / 20) = 20.
    expect([cls(s), s.recommendation.maxWorkers.value]).toEqual(['mw1.large', 20]);
    expect(s.inputs.runsPerDay).toBe(300 * 24 + 100);
    // floor 730 x 0.99 = 722.70; ceiling 730 x (0.99 + 19 x 0.22) = 730 x 5.17 = 3,774.10;
    // expected: 23 hours x ceil(300 / 20) = 15 workers (14 extra) + hour 2 at 20 (19 extra) = 341 extra worker-hours a day;
    // 341 x 30.4167 x 0.22 = 2,281.86 -> 722.70 + 2,281.86 = 3,004.56.
    expect(row(s, 'recommended')).toMatchObject({ floor: 722.7, expected: 3004.56, ceiling: 3774.1 });
    // medium (too small): ceil(300 / 10) = 30 and ceil(400 / 10) = 40, both capped at 25 workers, all day:
    // 730 x (0.74 + 24 x 0.11) = 730 x 3.38 = 2,467.40 for expected and ceiling.
    expect(row(s, 'next class down')).toMatchObject({ environmentClass: 'mw1.medium', fits: false, maxWorkers: 25, floor: 540.2, expected: 2467.4, ceiling: 2467.4 });
    // xlarge has no environment price in us-east-1: unknown, and said so.
    const up = row(s, 'next class up');
    expect(up).toMatchObject({ environmentClass: 'mw1.xlarge', floor: null, expected: null, ceiling: null });
    expect(up.unknown.join(' ')).toMatch(/environment hour for mw1.xlarge in this region is not in the price table/);
  });

  it('3,000 DAGs in us-west-2: 2,000 every 6 hours with 2 tasks, 1,000 on datasets with 5 tasks', () => {
    const s = size(
      home(
        [
          { count: 2000, schedule: { kind: 'timedelta', seconds: 6 * 3600, text: 'timedelta(hours=6)' }, tasks: 2 },
          { count: 1000, schedule: { kind: 'dataset', text: '[orders]' }, tasks: 5 },
        ],
        { 'core.parallelism': '1000' },
      ),
      '2.10.3',
      'us-west-2',
    );
    // Hours 0, 6, 12, 18: 2,000 x 2 = 4,000, bounded by parallelism 1,000; dataset DAGs are left out and said so.
    expect([s.load.peak.value, s.load.hourly.filter((n) => n === 1000).length, s.inputs.unknownSchedules.length]).toEqual([1000, 4, 1000]);
    expect(s.whatWouldChange[0]).toMatch(/^1000 DAG\(s\) run on datasets/);
    // xlarge holds 2,000 < 3,000 DAGs; 2xlarge holds 4,000 and 80 x 25 = 2,000 >= 1,000. Max workers ceil(1000 / 80) = 13.
    expect([cls(s), s.recommendation.maxWorkers.value]).toEqual(['mw1.2xlarge', 13]);
    expect(s.inputs.runsPerDay).toBe(2000 * 4);
    // floor 730 x 3.96 = 2,890.80; the additional worker hour of 2xlarge is unknown, so expected and ceiling are too.
    expect(row(s, 'recommended')).toMatchObject({ floor: 2890.8, expected: null, ceiling: null });
    expect(row(s, 'recommended').unknown).toEqual(['the additional worker hour for mw1.2xlarge in this region is not in the price table']);
    // xlarge (too small): 730 x 1.98 = 1,445.40; no class above 2xlarge.
    expect(row(s, 'next class down')).toMatchObject({ environmentClass: 'mw1.xlarge', fits: false, floor: 1445.4 });
    expect(s.cost.rows.map((r) => r.role)).toEqual(['next class down', 'recommended']);
  });
});

describe('fixture homes', () => {
  it('airflow1: peak at midnight from four daily DAGs', async () => {
    const inv = await scanHome(`${HOMES}/airflow1`, { cache: false, env: {} });
    const s = size(inv, '3.0.6');
    // Hour 0: partner_feeds 14 + warehouse_partitions 7 + the subdag file's DAG 5 + daily_sales_etl 4 = 30
    // (parallelism 64, max_active_tasks_per_dag 24 from airflow.cfg do not bind).
    expect([s.load.peak.value, s.load.peakHour, s.load.overlappingCount]).toEqual([30, 0, 4]);
    expect(s.load.hourly.slice(0, 13)).toEqual([30, 0, 5, 0, 5, 0, 14, 0, 0, 4, 0, 0, 14]);
    // 7 DAGs, 30 > micro's 3 slots: small, ceil(30 / 5) = 6 workers.
    expect([cls(s), s.recommendation.maxWorkers.value]).toEqual(['mw1.small', 6]);
    // floor 357.70; ceiling 730 x (0.49 + 5 x 0.055) = 558.45; expected: extra workers a day are
    // 5 (hour 0) + 2 x 3 (14 tasks at 06, 12, 18 need 3) = 11 -> 11 x 30.4167 x 0.055 = 18.40 -> 376.10.
    expect(row(s, 'recommended')).toMatchObject({ floor: 357.7, expected: 376.1, ceiling: 558.45 });
    // The sizing's tasks per worker, then exactly what the plan carries over from the home.
    const options = s.options.map((o) => `${o.key}=${o.value}`);
    expect(options[0]).toBe('celery.worker_autoscale=5,5');
    expect(options.slice(1)).toEqual(carryOverOptions(inv, '3.0.6').map((o) => `${o.section}.${o.key}=${o.value}`));
    expect(options).toEqual(expect.arrayContaining(['core.parallelism=64', 'core.max_active_tasks_per_dag=24']));
  });
  it('airflow3: every DAG accounted for, manual and event-driven ones named', async () => {
    const s = size(await scanHome(`${HOMES}/airflow3`, { cache: false, env: {} }), '3.0.6');
    expect(s.inputs.dags).toBe(9);
    expect(s.inputs.unknownSchedules.length + s.inputs.manualOnly).toBeGreaterThan(0);
    expect([cls(s), s.recommendation.maxWorkers.value]).toEqual(['mw1.small', Math.ceil(s.load.peak.value / 5)]);
  });
  it('every class number names its mwaa.yaml row', async () => {
    const s = size(await scanHome(`${HOMES}/airflow3`, { cache: false, env: {} }), '3.0.6');
    const r = s.recommendation;
    for (const f of [r.dagCapacity, r.tasksPerWorker, r.minWorkers, r.schedulers, r.minWebservers]) expect(f.source).toMatch(/^environment_classes\.classes\.mw1\.small\./);
    expect(row(s, 'recommended').sources).toEqual(['pricing.regions.us-east-1.environment_per_hour.mw1.small', 'pricing.regions.us-east-1.additional_worker_per_hour.mw1.small']);
  });
});
