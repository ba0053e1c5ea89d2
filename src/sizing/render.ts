import type { CostRow, Sizing } from './sizing.js';

// The sizing for people: the same facts as paragraphs and one cost table, shared by `size` and
// every format of `report` (which wrap, escape and style them their own way).

export const money = (x: number | null): string => (x === null ? 'unknown' : x.toFixed(2));

/** The recommendation in one line. */
export function sizingHeadline(s: Sizing): string {
  const r = s.recommendation;
  return `${r.environmentClass.value}, ${r.minWorkers.value}-${r.maxWorkers.value} workers, ${r.schedulers.value} scheduler(s), ${r.minWebservers.value}-${r.maxWebservers.value} web servers, for Airflow ${s.target} in ${s.region}`;
}

/** What the estimate was made from, in one paragraph. */
export function sizingInputs(s: Sizing): string {
  const i = s.inputs;
  const kinds = Object.entries(i.schedules)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const peak =
    s.load.source === 'load-file'
      ? `, the busiest hour measured${s.load.file ? ` in ${s.load.file}` : ''}${s.load.unbounded > s.load.peak.value ? ` (${s.load.unbounded}, bounded by parallelism)` : ''}, in place of the schedule estimate`
      : s.load.overlappingCount
        ? `, when ${s.load.overlappingCount} DAG(s) overlap (${s.load.overlapping.map((d) => `${d.dagId} ${d.tasks}`).join(', ')})`
        : '';
  return (
    `${i.dags} DAGs in ${i.dagFiles} files (${i.parseBytes} bytes), ${i.tasks.total} tasks (${i.tasks.estimated} in loops or mapped, x${i.tasks.expansionFactor}); schedules: ${kinds || 'none'}; ` +
    `about ${i.runsPerDay} scheduled runs a day. Concurrency today: parallelism ${i.parallelism.value} (${i.parallelism.source}), ` +
    `max_active_tasks_per_dag ${i.maxActiveTasksPerDag.value}, max_active_runs_per_dag ${i.maxActiveRunsPerDag.value}, executor ${i.executor.value}. ` +
    `Peak: ${s.load.peak.value} concurrent tasks at ${String(s.load.peakHour).padStart(2, '0')}:00${peak}.`
  );
}

export const COST_HEAD = ['class', '', 'workers', 'floor', 'expected', 'ceiling'];

/** One row of the cost table as cells, short enough for a 72-column terminal. */
export const costCells = (r: CostRow): string[] => [
  r.environmentClass,
  `${r.role.replace('next class ', '')}${r.fits ? '' : ' (too small)'}`,
  `${r.minWorkers}-${r.maxWorkers}`,
  money(r.floor),
  money(r.expected),
  money(r.ceiling),
];

/** The cost table's title. */
export const costTitle = (s: Sizing): string => `Monthly cost in ${s.region}, ${s.cost.currency} (${s.cost.hoursPerMonth} h)`;

/** The notes under the cost table: how it was computed and what it could not price. */
export const costNotes = (s: Sizing): string[] => [...s.cost.notes, ...s.cost.rows.flatMap((r) => r.unknown)];

/** The whole sizing as plain text lines (for `size` and `report --format text`). */
export function renderSizingText(s: Sizing, wrap: (text: string) => string[]): string[] {
  const rows = [COST_HEAD, ...s.cost.rows.map(costCells)];
  const widths = COST_HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => `  ${r.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
  return [
    ...wrap(`Recommendation: ${sizingHeadline(s)}.`),
    ...s.recommendation.reasons.flatMap(wrap),
    ...wrap(`From: ${sizingInputs(s)}`),
    '',
    ...wrap('Configuration options to carry over:'),
    ...s.options.flatMap((o) => wrap(`${o.key} = ${o.value}: ${o.reason}`)),
    '',
    ...wrap(`${costTitle(s)}:`),
    ...table,
    ...costNotes(s).flatMap(wrap),
    '',
    ...wrap('What would change the answer:'),
    ...s.whatWouldChange.flatMap(wrap),
    ...s.notes.flatMap(wrap),
  ];
}
