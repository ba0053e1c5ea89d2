import { firstRuns, type Backfill, type DagFirstRun } from '../catchup.js';
import type { StartDate } from '../../home/inventory.js';
import type { Hit, Matcher } from '../types.js';

// catchup-backfill: a DAG that would create a backlog of runs the moment it is unpaused on MWAA
// (CODE023). The count is the plan's too: both come from firstRuns (src/check/catchup.ts).

const number = (n: number) => n.toLocaleString('en-US');
const CATCHUP: Record<Backfill['by'], string> = {
  dag: 'catchup=True',
  'home-config': "catchup on by default (the home's scheduler.catchup_by_default = True, which the plan carries over)",
  'target-default': 'catchup on by default (scheduler.catchup_by_default is True in Airflow {target})',
};

export function backfillText(d: DagFirstRun): string {
  const b = d.backfill!;
  if (b.runs === null) return 'a run for every interval since its start date (not counted: not a literal date)';
  return `${b.about ? 'about ' : ''}${number(b.runs)} run${b.runs === 1 ? '' : 's'}`;
}

function since(s: StartDate): string {
  if (s.kind === 'date') return `on ${s.iso.slice(0, 10)}`;
  return s.kind === 'days-ago' ? `${s.days} days ago (days_ago(${s.days}))` : `at ${s.text}`;
}

const catchupBackfill: Matcher = (inv, ctx) => {
  const hits: Hit[] = [];
  for (const d of firstRuns(inv, ctx.target, ctx.now)) {
    if (!d.backfill) continue;
    hits.push({
      file: d.file,
      line: d.dag.line,
      col: d.dag.col,
      text: d.dag.dagId ?? '(DAG id not a literal)',
      vars: {
        dag: d.dag.dagId ?? 'this DAG',
        runs: backfillText(d),
        since: since(d.dag.startDate!),
        catchup: CATCHUP[d.backfill.by].replace('{target}', ctx.target),
        when: d.dag.kwargs['is_paused_upon_creation'] === false ? 'as soon as MWAA parses it (is_paused_upon_creation=False)' : 'the moment it is unpaused on MWAA',
        now: ctx.now.toISOString().slice(0, 10),
      },
    });
  }
  return hits;
};

export const catchupMatchers: Record<string, Matcher> = { 'catchup-backfill': catchupBackfill };
