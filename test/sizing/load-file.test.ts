import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLoadFile } from '../../src/sizing/load-file.js';

// --load-file parsing: the CSV and JSON shapes README documents, and one-line errors naming the line.

const dir = mkdtempSync(join(tmpdir(), 'mwaa-load-'));
let n = 0;
const file = (content: string | Buffer, ext = 'csv') => {
  const path = join(dir, `load${n++}.${ext}`);
  writeFileSync(path, content);
  return path;
};
/** 24 zeros with the given hours set. */
const hours = (set: Record<number, number>) => Array.from({ length: 24 }, (_, h) => set[h] ?? 0);

describe('CSV', () => {
  it('hour,task_instances with a header; hours not given are 0', () => {
    expect(readLoadFile(file('hour,task_instances\n0,3\n9,40\n23,1\n')).hourly).toEqual(hours({ 0: 3, 9: 40, 23: 1 }));
  });
  it('no header, CRLF, comments, blank lines; a repeated hour keeps its largest value; fractions round up', () => {
    expect(readLoadFile(file('# p95 of the last 30 days\r\n9,12\r\n\r\n9,30\r\n10,2.5\r\n')).hourly).toEqual(hours({ 9: 30, 10: 3 }));
  });
  it('timestamp,count: one row per clock hour over several days, the busiest day per hour of the day (UTC)', () => {
    const csv = ['timestamp,count', '2024-05-01 09:00:00+00,12', '2024-05-02 09:00:00+00,31', '"2024-05-02T10:30:00Z",4', '2024-05-03 12:00:00+02,7', '2024-05-03 13'].join('\n');
    // 12:00 at +02 is 10:00 UTC; the last row has no count.
    expect(() => readLoadFile(file(csv))).toThrow(/load\d+\.csv:6: expected 2 fields/);
    expect(readLoadFile(file(`${csv},5`)).hourly).toEqual(hours({ 9: 31, 10: 7, 13: 5 }));
  });
  it('the tab-separated output of mysql --batch', () => {
    expect(readLoadFile(file('hour\ttask_instances\n14\t60\n')).hourly).toEqual(hours({ 14: 60 }));
  });
  it.each([
    ['hour,task_instances\n9,40\n10,-1\n', /:3: task instance count -1 is negative/],
    ['9,40\n24,1\n', /:2: hour 24 is not a whole number from 0 to 23/],
    ['9,forty\n', /:1: task instance count 'forty' is not a number/],
    ['9,40,1\n', /:1: expected 2 fields .*found 3/],
    ['9,40\nyesterday,4\n', /:2: 'yesterday' is neither an hour \(0-23\) nor a timestamp/],
    ['hour,task_instances\n', /:1: no rows of hourly load/],
  ])('rejects %j', (content, message) => {
    expect(() => readLoadFile(file(content))).toThrow(message);
  });
  it('rejects a binary file, naming the line of the first byte that is not text', () => {
    expect(() => readLoadFile(file(Buffer.from('9,40\n10,1\n\x00\x01\x02')))).toThrow(/:3: not a text file/);
    expect(() => readLoadFile(file(Buffer.from([0x39, 0x2c, 0xff, 0xfe])))).toThrow(/:1: not a text file/);
  });
  it('rejects a file that is not there, in one line', () => {
    expect(() => readLoadFile(join(dir, 'missing.csv'))).toThrow(/^--load-file .*missing\.csv: ENOENT: no such file or directory$/);
  });
});

describe('JSON', () => {
  it('an array of {hour, task_instances}', () => {
    expect(readLoadFile(file('[{"hour": 9, "task_instances": 40}, {"hour": "10", "task_instances": 2}]', 'json')).hourly).toEqual(hours({ 9: 40, 10: 2 }));
  });
  it('an array of {timestamp, count}', () => {
    const json = JSON.stringify([{ timestamp: '2024-05-01T09:00:00Z', count: 5 }, { timestamp: '2024-05-02T09:15:00+0000', count: 8 }], null, 2);
    expect(readLoadFile(file(json, 'json')).hourly).toEqual(hours({ 9: 8 }));
  });
  it.each([
    ['[\n  {"hour": 9, "task_instances": 40},\n  {"hour": 10, "task_instances": -3}\n]', /:3: task instance count -3 is negative/],
    ['[\n  {"hour": 9, "task_instances": 40},\n  {"hour": 10}\n]', /:3: expected an object with hour and task_instances, or timestamp and count/],
    ['[\n  {"hour": 9, "task_instances": 40},\n  {"hour": 10 "task_instances": 1}\n]', /:3: not valid JSON/],
    ['[]', /:1: no rows of hourly load/],
  ])('rejects %j', (content, message) => {
    expect(() => readLoadFile(file(content, 'json'))).toThrow(message);
  });
});
