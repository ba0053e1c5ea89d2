import { describe, expect, it } from 'vitest';
import { runCli } from '../golden/cases.mjs';

// `size` end to end: text and JSON, the default region, and usage errors found before the scan.

describe('mwaa-migrate size', async () => {
  const [text, json, region, target] = await Promise.all([
    runCli(['size', 'fixtures/homes/airflow1', '--no-cache']),
    runCli(['size', 'fixtures/homes/airflow1', '--no-cache', '--json', '--region', 'us-west-2', '--target-version', '2.10.3']),
    runCli(['size', 'fixtures/homes/airflow1', '--region', 'eu-west-1']),
    runCli(['size', 'fixtures/homes/airflow1', '--target-version', '1.10.12']),
  ]);
  it('prints the recommendation, the cost table and what would change it', () => {
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(text.stdout).toContain('Recommendation: mw1.small, 1-6 workers');
    expect(text.stdout).toContain('Monthly cost in us-east-1, USD (730 h):');
    expect(text.stdout).toContain('What would change the answer:');
  });
  it('prints the Sizing value as JSON for the region and target given', () => {
    const s = JSON.parse(json.stdout);
    expect([json.code, s.region, s.target, s.recommendation.environmentClass.value]).toEqual([0, 'us-west-2', '2.10.3', 'mw1.small']);
    expect(s.cost.priceListUrl).toBe('https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonMWAA/current/us-west-2/index.json');
  });
  it('sizes a region without prices, its costs unknown', () => {
    expect(region.code, region.stderr).toBe(0);
    expect(region.stdout).toMatch(/Costs unknown: no MWAA prices for eu-west-1 in the bundled table/);
  });
  it('rejects a target MWAA does not offer', () => {
    expect(target.code).toBe(2);
    expect(target.stderr).toMatch(/--target-version 1\.10\.12: MWAA does not offer it/);
  });
});
