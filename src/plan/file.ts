import { writeFileSync } from 'node:fs';
import { UsageError } from '../exit.js';
import type { Plan } from './plan.js';

// The plan file: plain JSON, written by plan and migrate, read back by apply.

export function writePlanFile(plan: Plan, file: string): void {
  try {
    writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
  } catch (e) {
    throw new UsageError(`cannot write the plan to ${file}: ${(e as Error).message.split(',')[0]}`);
  }
}
