import { createRequire } from 'node:module';
import type { CronExpressionParser } from 'cron-parser';

// cron-parser, loaded when a schedule is first read rather than when the tool starts: a report
// reads schedules only once files are in, and loading it held back the start of the scan (some
// 30 ms, more through the ES module loader, which scans a CommonJS package's source for its names).

const require = createRequire(import.meta.url);
let parser: typeof CronExpressionParser | undefined;

export const cronParser = (): typeof CronExpressionParser => (parser ??= (require('cron-parser') as typeof import('cron-parser')).CronExpressionParser);
