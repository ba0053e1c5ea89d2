import { UsageError } from './exit.js';

// "Now", for what depends on the date: the runs a catchup DAG would backfill. SOURCE_DATE_EPOCH
// (seconds since 1970, the reproducible-builds.org convention) pins it, so that the same home
// gives the same report and plan on any day.

export function clock(env: Record<string, string | undefined>): Date {
  const pinned = env['SOURCE_DATE_EPOCH'];
  if (pinned === undefined || pinned === '') return new Date();
  if (!/^\d+$/.test(pinned)) throw new UsageError(`SOURCE_DATE_EPOCH=${pinned}: expected whole seconds since 1970-01-01 UTC`);
  return new Date(Number(pinned) * 1000);
}
