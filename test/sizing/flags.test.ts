import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../golden/cases.mjs';

// --load-file and --live-prices end to end on airflow1, whose schedule estimate is mw1.small with
// 1-6 workers for a peak of 30 at 00:00 (parallelism 64; see sizing.test.ts). A month is 730 h,
// a day 730 / 24 = 30.4167 of a month's hours.

const dir = mkdtempSync(join(tmpdir(), 'mwaa-flags-'));
const OFFER = readFileSync(join(import.meta.dirname, 'fixtures', 'mwaa-offer-us-east-1.json'), 'utf8');
const OFFER_PATH = '/offers/v1.0/aws/AmazonMWAA/current';

describe('--load-file', () => {
  // 20 running at once every hour, 60 at 14:00.
  const load = join(dir, 'load.csv');
  writeFileSync(load, ['hour,task_instances', ...Array.from({ length: 24 }, (_, h) => `${h},${h === 14 ? 60 : 20}`)].join('\n'));

  it('replaces the schedule estimate, and the output says so', async () => {
    const [json, text] = await Promise.all([
      runCli(['size', 'fixtures/homes/airflow1', '--no-cache', '--json', '--load-file', load]),
      runCli(['size', 'fixtures/homes/airflow1', '--no-cache', '--load-file', load]),
    ]);
    const s = JSON.parse(json.stdout);
    expect([s.load.source, s.load.file, s.load.peak.value, s.load.peakHour]).toEqual(['load-file', load, 60, 14]);
    // 60 <= parallelism 64; small holds 7 DAGs and 5 x 25 = 125 >= 60; max workers ceil(60 / 5) = 12.
    expect([s.recommendation.environmentClass.value, s.recommendation.maxWorkers.value]).toEqual(['mw1.small', 12]);
    // floor 730 x 0.49 = 357.70; ceiling 730 x (0.49 + 11 x 0.055) = 799.35; expected: 23 hours at
    // ceil(20 / 5) = 4 workers (3 extra) + 11 extra at 14:00 = 80 extra worker-hours a day,
    // 80 x 30.4167 x 0.055 = 133.83 -> 491.53.
    expect(s.cost.rows.find((r: { role: string }) => r.role === 'recommended')).toMatchObject({ floor: 357.7, expected: 491.53, ceiling: 799.35 });
    expect(text.stdout.replace(/\s+/g, ' ')).toContain(`Peak: 60 concurrent tasks at 14:00, the busiest hour measured in ${load}, in place of the schedule estimate.`);
    expect(text.stdout).toContain('Recommendation: mw1.small, 1-12 workers');
  });
  it('reaches the sizing section of report', async () => {
    const r = await runCli(['report', 'fixtures/homes/airflow1', '--no-cache', '--format', 'json', '--fail-on', 'never', '--load-file', load]);
    expect(JSON.parse(r.stdout).sizing.load).toMatchObject({ source: 'load-file', peak: { value: 60 } });
  });
  it('a bad file is a one-line usage error naming the file and line, before the scan', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'hour,task_instances\n9,40\n10,-2\n');
    const r = await runCli(['size', 'fixtures/homes/does-not-exist', '--load-file', bad]);
    expect([r.code, r.stderr]).toEqual([2, `mwaa-migrate: --load-file ${bad}:3: task instance count -2 is negative\n`]);
  });
});

describe('--live-prices', () => {
  let base = '';
  const server = createServer((req, res) => {
    if (req.url === `${OFFER_PATH}/us-east-1/index.json`) res.end(OFFER);
    else if (req.url === `${OFFER_PATH}/us-west-2/index.json`) res.end('<html>not an offer file</html>');
    else if (req.url === `${OFFER_PATH}/us-east-2/index.json`) res.end('{"publicationDate": "2026-04-20T00:00:00Z", "products": {}, "terms": {"OnDemand": {}}}');
    else res.writeHead(404).end();
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const live = (args: string[], env = { MWAA_MIGRATE_PRICE_LIST_URL: base }) => runCli(['size', 'fixtures/homes/airflow1', '--no-cache', '--live-prices', ...args], env);

  it("prices the cost table from the offer file's usage types, and says which file and when it was published", async () => {
    const [json, text] = await Promise.all([live(['--json']), live([])]);
    const s = JSON.parse(json.stdout);
    const url = `${base}${OFFER_PATH}/us-east-1/index.json`;
    expect(s.cost.live).toEqual({ url, published: '2026-04-20T00:00:00Z' });
    // The fixture's small environment hour is 0.50 and its additional worker hour 0.10:
    // floor 730 x 0.50 = 365.00; ceiling 730 x (0.50 + 5 x 0.10) = 730.00; expected: 11 extra
    // worker-hours a day (see sizing.test.ts) x 30.4167 x 0.10 = 33.46 -> 398.46. Micro: 730 x 0.30.
    const rows = Object.fromEntries(s.cost.rows.map((r: { role: string }) => [r.role, r]));
    expect(rows['recommended']).toMatchObject({ environmentClass: 'mw1.small', floor: 365, expected: 398.46, ceiling: 730 });
    expect(rows['recommended'].sources).toEqual(['USE1-Airflow-SmallEnvironment (sku SKUSMALLENV0001)', 'USE1-Airflow-SmallWorker (sku SKUSMALLWORKER1)']);
    expect(rows['next class down']).toMatchObject({ environmentClass: 'mw1.micro', floor: 219 });
    expect(text.stdout.replace(/\s+/g, ' ')).toContain(`Prices from the AWS Price List offer file published 2026-04-20T00:00:00Z (${url}), read at run time.`);
    expect(text.stdout).toMatch(/mw1\.small +recommended +1-6 +365\.00 +398\.46 +730\.00/);
  });
  it('any failure is a one-line error naming the URL, never a fall-back to the bundled table', async () => {
    const [missing, notJson, noAirflow] = await Promise.all([live(['--region', 'eu-west-1']), live(['--region', 'us-west-2']), live(['--region', 'us-east-2'])]);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([2, '', `mwaa-migrate: --live-prices: ${base}${OFFER_PATH}/eu-west-1/index.json: HTTP 404 (no MWAA offer file for this region?)\n`]);
    expect(notJson.stderr).toBe(`mwaa-migrate: --live-prices: ${base}${OFFER_PATH}/us-west-2/index.json: not JSON\n`);
    expect(noAirflow.stderr).toMatch(/us-east-2\/index\.json: no Airflow usage types: not the MWAA offer file\n$/);
  });
  it('a server that cannot be reached is an error naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await live([], { MWAA_MIGRATE_PRICE_LIST_URL: `http://127.0.0.1:${port}/` });
    expect([r.code, r.stderr]).toEqual([2, `mwaa-migrate: --live-prices: http://127.0.0.1:${port}${OFFER_PATH}/us-east-1/index.json: ECONNREFUSED\n`]);
  });
});
