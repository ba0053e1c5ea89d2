import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { expect, it } from 'vitest';
import { runCli } from '../golden/cases.mjs';
import { ROOT } from '../helpers.js';
import { CHROMIUM, requires } from '../support/requires.js';

// The HTML report of fixtures/homes/airflow1 in Debian's headless Chromium: it loads with no
// console error and no request beyond its own file, its filters work, and a screenshot is left
// in test/output/ (git-ignored) for a person to look at: the first screen, and the whole page.

const OUT = join(ROOT, 'test', 'output');

it.skipIf(!requires(import.meta.url, 'Chromium'))('renders in Chromium without errors, filters, and is screenshotted', async () => {
  mkdirSync(OUT, { recursive: true });
  const run = await runCli(['report', 'fixtures/homes/airflow1', '--format', 'html', '--no-cache']);
  expect(run.stderr).toBe('');
  const page = join(OUT, 'report-airflow1.html');
  writeFileSync(page, run.stdout);

  const profile = mkdtempSync(join(tmpdir(), 'mwaa-migrate-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
  // A persistent context is how Playwright takes a user-data dir; this one is fresh and thrown away.
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args, viewport: { width: 1280, height: 900 } });
  try {
    const tab = await browser.newPage();
    const problems: string[] = [];
    tab.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    tab.on('pageerror', (e) => problems.push(String(e)));
    tab.on('request', (r) => void (r.url().startsWith('file:') || problems.push(`request ${r.url()}`)));
    await tab.goto(pathToFileURL(page).href);

    const shown = tab.locator('#shown');
    const total = await tab.locator('.finding').count();
    expect(total).toBeGreaterThan(0);
    await expect.poll(() => shown.textContent()).toBe(`${total} of ${total} shown`);
    await tab.screenshot({ path: join(OUT, 'report-airflow1.png') });
    await tab.screenshot({ path: join(OUT, 'report-airflow1-full.png'), fullPage: true });

    // Filters: text, then a severity switched off, then one family.
    await tab.fill('#q', 'schedule_interval');
    const byText = await tab.locator('.finding:visible').count();
    expect(byText).toBeGreaterThan(0);
    expect(byText).toBeLessThan(total);
    await tab.fill('#q', '');
    await tab.uncheck('input[data-sev="error"]');
    expect(await tab.locator('.finding.error:visible').count()).toBe(0);
    await tab.check('input[data-sev="error"]');
    await tab.selectOption('#family', 'IMP');
    const families = await tab.locator('.finding:visible').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-family')))]);
    expect(families).toEqual(['IMP']);
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
