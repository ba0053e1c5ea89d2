import { readFileSync } from 'node:fs';
import { lazyYaml } from '../lazy-yaml.js';
import { UsageError } from '../exit.js';

// --load-file: the load the old installation really carried, as 24 hourly values (hour of day,
// UTC) for sizeEnvironment. Each value is concurrent running task instances; a file may give one
// hour several times (one row per day, or per clock hour by timestamp) and the largest counts,
// because the environment has to carry the busiest day.

/** "2024-05-01T09:00:00Z", "2024-05-01 09:00:00.123+02", "2024-05-01 09" (no zone: UTC, as Airflow stores it). */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2})(?::(\d{2})(?::(\d{2}(?:\.\d+)?))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export interface LoadFile {
  file: string;
  /** The busiest value seen for each hour of the day, rounded up. */
  hourly: number[];
}

const fail = (file: string, line: number | null, why: string): never => {
  throw new UsageError(`--load-file ${file}${line === null ? '' : `:${line}`}: ${why}`);
};

/** The hour of the day (0-23, UTC) a row is about: an hour number or a timestamp. */
function hourOf(key: unknown, file: string, line: number): number {
  if (typeof key === 'number' || /^\d+$/.test(String(key))) {
    const h = Number(key);
    return Number.isInteger(h) && h >= 0 && h <= 23 ? h : fail(file, line, `hour ${String(key)} is not a whole number from 0 to 23`);
  }
  const m = TIMESTAMP.exec(String(key).trim());
  const z = m?.[5];
  const zone = !z || z.toUpperCase() === 'Z' ? 'Z' : `${z.slice(0, 3)}:${z.slice(3).replace(':', '') || '00'}`;
  const at = m ? Date.parse(`${m[1]}T${m[2]}:${m[3] ?? '00'}:${m[4] ?? '00'}${zone}`) : Number.NaN;
  return Number.isNaN(at) ? fail(file, line, `'${String(key)}' is neither an hour (0-23) nor a timestamp like 2024-05-01T09:00:00Z`) : new Date(at).getUTCHours();
}

function countOf(value: unknown, file: string, line: number): number {
  const n = typeof value === 'number' ? value : /^\s*[-+]?\d+(\.\d+)?\s*$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) return fail(file, line, `task instance count '${String(value)}' is not a number`);
  return n < 0 ? fail(file, line, `task instance count ${n} is negative`) : Math.ceil(n);
}

/** CSV (or the tab-separated output of `mysql --batch`): `hour,task_instances` or `timestamp,count`, an optional header. */
function csvRows(text: string, file: string): [number, unknown, unknown][] {
  const rows: [number, unknown, unknown][] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/[,\t]/).map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
    // A header is a first row whose first column is neither an hour nor a timestamp.
    if (rows.length === 0 && !/\d/.test(fields[0]!)) return;
    if (fields.length !== 2) fail(file, i + 1, `expected 2 fields (hour or timestamp, task instances), found ${fields.length}`);
    rows.push([i + 1, fields[0], fields[1]]);
  });
  return rows;
}

/** JSON: an array of {hour, task_instances} or {timestamp, count}, each row's line kept for messages. */
function jsonRows(text: string, file: string): [number, unknown, unknown][] {
  const { isMap, isSeq, LineCounter, parseDocument } = lazyYaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'json', prettyErrors: false });
  const error = doc.errors[0];
  if (error) fail(file, lines.linePos(error.pos[0]).line, `not valid JSON (${error.message.split('\n')[0]})`);
  if (!isSeq(doc.contents)) return fail(file, 1, 'expected a JSON array of {hour, task_instances} or {timestamp, count}');
  return doc.contents.items.map((item) => {
    const line = lines.linePos((item as { range?: number[] }).range?.[0] ?? 0).line;
    const row = isMap(item) ? (item.toJSON() as Record<string, unknown>) : null;
    const key = row?.['hour'] ?? row?.['timestamp'];
    const count = row?.['task_instances'] ?? row?.['count'];
    if (key === undefined || count === undefined) fail(file, line, 'expected an object with hour and task_instances, or timestamp and count');
    return [line, key, count];
  });
}

/** The file's load; a usage error naming the file and line when it cannot be read as one. */
export function readLoadFile(file: string): LoadFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return fail(file, null, (e as Error).message.split(',')[0]!);
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  const bad = text.search(/[\0\uFFFD]/);
  if (bad !== -1) fail(file, text.slice(0, bad).split('\n').length, 'not a text file');
  const rows = text.trimStart().startsWith('[') ? jsonRows(text, file) : csvRows(text, file);
  if (!rows.length) fail(file, 1, 'no rows of hourly load');
  const hourly: number[] = Array(24).fill(0);
  for (const [line, key, count] of rows) {
    const h = hourOf(key, file, line);
    hourly[h] = Math.max(hourly[h]!, countOf(count, file, line));
  }
  return { file, hourly };
}
