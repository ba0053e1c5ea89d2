import { airflowBoolean, firstRuns } from '../check/catchup.js';
import { backfillText } from '../check/matchers/catchup.js';
import type { Inventory } from '../home/inventory.js';
import { defaultAt } from '../refdata/airflow-config.js';

// The first run on the new environment: DAGs created paused (unless --unpaused), and the order to
// unpause them in, those that backfill nothing first, then the catchup ones (CODE023), fewest
// runs first, so each backlog can be watched on its own.

export const PAUSED_OPTION = 'core.dags_are_paused_at_creation';

export interface UnpauseStep {
  dag: string;
  file: string;
  line: number;
  /** The runs it creates on unpause (null: not counted), as the CODE023 finding words them. */
  backfill?: { runs: number | null; text: string };
}

export interface FirstRun {
  /** Whether MWAA creates new DAGs paused (core.dags_are_paused_at_creation). */
  pausedAtCreation: boolean;
  unpause: UnpauseStep[];
}

/**
 * The option to send so that DAGs are created paused (or not, with --unpaused), when the carried
 * options and Airflow's default (which MWAA's runtime leaves alone) do not already say so.
 */
export function pausedOption(options: Record<string, string>, target: string, unpaused: boolean): Record<string, string> {
  const paused = airflowBoolean(options[PAUSED_OPTION] ?? defaultAt(PAUSED_OPTION, target) ?? 'True');
  return paused === !unpaused ? {} : { [PAUSED_OPTION]: unpaused ? 'False' : 'True' };
}

export function firstRun(inv: Inventory, target: string, now: Date, pausedAtCreation: boolean): FirstRun {
  const steps = firstRuns(inv, target, now).map((d) => ({
    rank: d.backfill ? d.backfill.runs ?? Number.POSITIVE_INFINITY : -1,
    step: {
      dag: d.dag.dagId ?? `(DAG at ${d.file}:${d.dag.line})`,
      file: d.file,
      line: d.dag.line,
      ...(d.backfill ? { backfill: { runs: d.backfill.runs, text: backfillText(d) } } : {}),
    },
  }));
  return { pausedAtCreation, unpause: steps.sort((a, b) => a.rank - b.rank).map((s) => s.step) };
}

const SHOWN = 10;
const names = (steps: UnpauseStep[]) => `${steps.slice(0, SHOWN).map((s) => s.dag).join(', ')}${steps.length > SHOWN ? `, and ${steps.length - SHOWN} more` : ''}`;

/** The next steps for unpausing, as lines (the plan's text and apply's closing summary). */
export function firstRunLines(f: FirstRun): string[] {
  const quiet = f.unpause.filter((s) => !s.backfill);
  const catchup = f.unpause.filter((s) => s.backfill);
  const listed = catchup.slice(0, SHOWN * 2).map((s) => `      ${s.dag} (${s.file}:${s.line}): ${s.backfill!.text}`);
  if (catchup.length > SHOWN * 2) listed.push(`      and ${catchup.length - SHOWN * 2} more (the plan's firstRun lists them all)`);
  if (!f.pausedAtCreation) {
    const head = '  - DAGs start unpaused (--unpaused): pause them on the old scheduler, so no run happens twice';
    return catchup.length ? [`${head}; these create their backlog of runs as soon as MWAA parses them:`, ...listed] : [`${head}.`];
  }
  const lines = ['  - DAGs are created paused: pause each on the old scheduler before unpausing it here, so no run happens twice, in this order:'];
  if (quiet.length) lines.push(`    1. ${quiet.length} DAG(s) with nothing to catch up: ${names(quiet)}`);
  if (catchup.length) lines.push(`    ${quiet.length ? 2 : 1}. then those with catchup on, each creating its backlog of runs when unpaused (fewest first):`, ...listed);
  return lines;
}
