import type { Hit, Matcher } from '../types.js';
import { operatorName } from './code.js';

// dynamic-argument: DAG and task arguments that call the clock, a random generator or uuid at
// parse time (see python/analyze/dynamic-values.ts), one hit where each is written.

export const dynamicArgument: Matcher = (inv) => {
  const hits: Hit[] = [];
  for (const file of inv.dagFiles) {
    const a = file.analysis;
    for (const d of a?.dynamicArgs ?? []) {
      const task = d.task === null ? undefined : a!.tasks[d.task];
      const dag = d.dag === null ? undefined : a!.dags[d.dag];
      const owner = task ? (task.taskId ? `task ${task.taskId} (${operatorName(task)})` : `this ${operatorName(task)} task`) : dag?.dagId ? `DAG ${dag.dagId}` : 'this DAG';
      hits.push({
        file: file.path,
        line: d.line,
        col: d.col,
        text: `${d.call}()`,
        vars: { call: d.call, argument: d.argument, owner, through: d.via ? ` (through ${d.via})` : '' },
      });
    }
  }
  return hits;
};
