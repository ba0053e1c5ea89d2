import { join } from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { loadCatalog, RULES_DIR } from '../../src/check/catalog.js';
import { civilDate, countRuns, firstRuns } from '../../src/check/catchup.js';
import { check } from '../../src/check/engine.js';
import { scanHome } from '../../src/home/scan.js';
import { clock } from '../../src/clock.js';

// CODE023: the runs a catchup DAG creates on a fresh environment, counted up to an injected "now".

const NOW = new Date('2026-01-01T00:00:00Z');
const FAIL = join(RULES_DIR, 'fixtures', 'CODE023', 'fail');
const at = (iso: string) => new Date(iso);

describe('catchup backfill', () => {
  it('reports the runs a catchup DAG starting in 2020 on @daily would backfill', async () => {
    const inv = await scanHome(FAIL, { cache: false, workers: 0 });
    const { findings } = check(inv, loadCatalog(), { target: '2.11.0', select: ['CODE023'], now: NOW });
    const byFile = new Map(findings.map((f) => [f.file, f.message]));
    // 2020-01-01 .. 2026-01-01: 2,192 days (two leap years), each a complete interval.
    expect(byFile.get('dags/daily_orders.py')).toBe(
      "daily_orders has catchup=True and starts on 2020-01-01: the moment it is unpaused on MWAA, MWAA's scheduler creates 2,192 runs up to 2026-01-01, while the old scheduler may still be running it.",
    );
    // days_ago(30) every 6 hours, catchup by Airflow 2.11's default.
    expect(byFile.get('dags/partner_sync.py')).toMatch(/catchup on by default \(scheduler\.catchup_by_default is True in Airflow 2\.11\.0\) and starts 30 days ago \(days_ago\(30\)\).* creates 120 runs/);
    // Hourly at :15 from 2024-01-01: 731 days x 24, less the interval still open.
    expect(byFile.get('dags/hourly_clicks.py')).toMatch(/creates 17,543 runs/);
    expect(byFile.get('dags/rolling_window.py')).toMatch(/starts at datetime\.now\(\) - timedelta\(days=3\): .* a run for every interval since its start date \(not counted/);
  });

  it('follows the target: Airflow 3 turns catchup off by default', async () => {
    const inv = await scanHome(FAIL, { cache: false, workers: 0 });
    const risky = firstRuns(inv, '3.0.6', NOW).filter((d) => d.backfill);
    expect(risky.map((d) => d.dag.dagId).sort()).toEqual(['daily_orders', 'hourly_clicks', 'rolling_window']);
  });

  it('counts cron, presets and timedeltas exactly, and extrapolates only very long L/# walks', () => {
    expect(countRuns({ kind: 'preset', value: '@weekly' }, at('2025-01-05T00:00:00Z'), NOW, '2.11.0')).toEqual({ runs: 51, about: false });
    expect(countRuns({ kind: 'timedelta', seconds: 3600, text: 'timedelta(hours=1)' }, at('2025-12-31T00:00:00Z'), NOW, '2.11.0')).toEqual({ runs: 24, about: false });
    expect(countRuns({ kind: 'default' }, at('2025-12-01T00:00:00Z'), NOW, '2.10.3')).toEqual({ runs: 31, about: false });
    expect(countRuns({ kind: 'default' }, at('2025-12-01T00:00:00Z'), NOW, '3.0.6')).toBeUndefined();
    expect(countRuns({ kind: 'preset', value: '@once' }, at('2020-01-01T00:00:00Z'), NOW, '2.11.0')).toBeUndefined();
    expect(countRuns({ kind: 'cron', value: 'not a cron' }, at('2020-01-01T00:00:00Z'), NOW, '2.11.0')).toBeNull();
    expect(countRuns({ kind: 'preset', value: '@daily' }, at('2027-01-01T00:00:00Z'), NOW, '2.11.0')).toEqual({ runs: 0, about: false });
    // Every minute for a year: 525,600 intervals.
    const minutes = countRuns({ kind: 'cron', value: '* * * * *' }, at('2025-01-01T00:00:00Z'), NOW, '2.11.0');
    expect(minutes).toEqual({ runs: 525_600, about: false });
    // Weekdays only, no fixed period: still exact (1,566 weekdays in 2020-2025, less the open interval).
    expect(countRuns({ kind: 'cron', value: '0 6 * * 1-5' }, at('2020-01-01T00:00:00Z'), NOW, '2.11.0')).toEqual({ runs: 1_565, about: false });
    // The last day of the month from year 1: cron-parser decides each day, so only the last 20,000 days are walked.
    expect(countRuns({ kind: 'cron', value: '0 0 L * *' }, at('0001-01-01T00:00:00Z'), NOW, '2.11.0')).toMatchObject({ about: true });
  });

  // The oracle is cron-parser's own tick-by-tick iteration over the same span.
  it.each([
    '0 6 * * 1-5',
    '15 */2 1,15 * *',
    '0 0 1-7 * 1',
    '*/20 3-5 * 2,8 *',
    '0 0 L * *',
    '0 12 * * 5#3',
    '0 0 * * 5L',
    '30 1 29 2 *',
    '0 0 1 */3 *',
    '10 4 ? * SUN',
    '*/30 0 0 * * *',
  ])('counts %s as cron-parser walks it', (expr) => {
    const oracle = (start: Date, end: Date) => {
      const it = CronExpressionParser.parse(expr, { currentDate: new Date(start.getTime() - 1), endDate: end, tz: 'UTC' });
      let ticks = 0;
      while (it.hasNext()) {
        it.next();
        ticks++;
      }
      return Math.max(0, ticks - 1);
    };
    const end = at('2025-06-20T13:00:00Z');
    // The later start first: the earlier one then counts the days before it too.
    for (const start of [at('2024-11-02T23:59:00Z'), at('2023-03-10T05:17:00Z')]) {
      expect(countRuns({ kind: 'cron', value: expr }, start, end, '2.11.0')).toEqual({ runs: oracle(start, end), about: false });
    }
  });

  it("reads a day's month and date as Date does, 1900 to 2200", () => {
    const DAY = 86_400_000;
    for (let day = Date.UTC(1900, 0, 1) / DAY; day <= Date.UTC(2200, 11, 31) / DAY; day++) {
      const d = new Date(day * DAY);
      const { month, date } = civilDate(day);
      if (month !== d.getUTCMonth() + 1 || date !== d.getUTCDate()) expect({ day, month, date }).toEqual({ day, month: d.getUTCMonth() + 1, date: d.getUTCDate() });
    }
  });

  it('takes "now" from SOURCE_DATE_EPOCH when it is set', () => {
    expect(clock({ SOURCE_DATE_EPOCH: '1767225600' }).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(() => clock({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/SOURCE_DATE_EPOCH/);
    expect(Math.abs(clock({}).getTime() - Date.now())).toBeLessThan(5000);
  });
});
