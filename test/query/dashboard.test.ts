/**
 * A site owner opens /query in Chromium, signs in with a read token, picks a site, sees the real
 * numbers of the API (in the browser's own time zone), switches the range, and the page is
 * captured as a screenshot. Nothing from the data runs as script.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_PANELS, panelRequest } from '../../plugins/query/dashboard/dashboardPanels.js';
import type { RangePreset } from '../../plugins/query/time/dateRange.js';
import { fixtureRecords } from './queryFixture.js';
import { TOKENS, startQueryHosts, type QueryHosts } from './queryHosts.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
const ZONE = 'Europe/Berlin';
const SITE = 'example.com';

let api: QueryHosts;
let dir: string;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-dashboard-'));
  api = await startQueryHosts(fixtureRecords(), undefined, ['duckdb']);
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 1000 },
    timezoneId: ZONE,
    locale: 'en-US',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('401')) problems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
});
afterAll(async () => {
  await context?.close();
  await api?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** What the API answers for each panel of the page, as the page asks. */
async function panelAnswers(range: RangePreset): Promise<Map<string, { data: Record<string, string | number>[]; meta: Record<string, any> }>> {
  const answers = new Map();
  for (const panel of DASHBOARD_PANELS) {
    const answer = await api.stats('duckdb', panelRequest(panel, SITE, range, ZONE, 'exclude'));
    expect(answer.status).toBe(200);
    answers.set(panel.id, answer.body);
  }
  return answers;
}

async function expectPageShows(range: RangePreset): Promise<void> {
  await page.waitForSelector(`body[data-state="ready"][data-range="${range}"]`, { timeout: 20_000 });
  const answers = await panelAnswers(range);
  const series = answers.get('series')!;
  expect(series.meta.totals.visitors).toBeGreaterThan(0);
  expect(await page.textContent('[data-kpi="visitors"]')).toBe(series.meta.totals.visitors.toLocaleString('en-US'));
  expect(await page.textContent('[data-kpi="pageviews"]')).toBe(series.meta.totals.pageviews.toLocaleString('en-US'));
  expect(await page.textContent('[data-kpi="error_rate"]')).toBe(`${(series.meta.totals.error_rate * 100).toFixed(2)}%`);
  expect(await page.locator('#chart-series circle.dot-visitors').count()).toBe(series.data.length);
  expect(await page.locator('#chart-bytes rect').count()).toBe(series.data.length);
  const pages = await page.$$eval('table[data-panel="pages"] tbody tr', (rows) =>
    rows.map((row) => [row.querySelector('td.key')?.getAttribute('data-key'), row.querySelector('td[data-metric="pageviews"]')?.textContent]),
  );
  expect(pages).toEqual(answers.get('pages')!.data.map((row) => [row.path, Number(row.pageviews).toLocaleString('en-US')]));
  const statuses = await page.$$eval('table[data-panel="statuses"] td.key', (cells) => cells.map((cell) => cell.getAttribute('data-key')));
  expect(statuses).toEqual(answers.get('statuses')!.data.map((row) => String(row.status)));
  expect(await page.textContent('#status')).toContain(`${series.meta.range.from} to ${series.meta.range.to} · ${ZONE} · duckdb`);
}

describe('the dashboard in Chromium', () => {
  it('asks for a token, and refuses a wrong one', async () => {
    const response = await page.goto(`${api.hosts.duckdb.url}/query`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${api.hosts.duckdb.url}/query/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('body[data-state="signed-out"]');
    await page.fill('#token', 'hth_wrong');
    await page.click('#signin button[type="submit"]');
    // Functions passed to the page run there; the suite compiles without DOM types, hence `any`.
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#signin-error').textContent !== '');
    expect(await page.textContent('#signin-error')).toContain('not valid');
  });

  it('shows the numbers of the API for the site and range picked, and follows a change of range', async () => {
    await page.fill('#token', TOKENS.reader);
    await page.click('#signin button[type="submit"]');
    await page.waitForSelector('body[data-state="ready"]');
    expect(await page.$$eval('#site option', (options) => options.map((option) => option.textContent))).toEqual(['blog.example.org', 'example.com', 'shop.example.net']);
    await page.selectOption('#site', SITE);
    await page.waitForFunction((site) => {
      const document = (globalThis as any).document;
      return document.body.dataset.state === 'ready' && document.querySelector('#status').textContent.startsWith(site);
    }, SITE);
    await expectPageShows('30d');
    await page.selectOption('#range', '7d');
    await expectPageShows('7d');
    const screenshot = join(dir, 'dashboard-7d.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    const png = await readFile(screenshot);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.readUInt32BE(16)).toBe(1280);
    expect(png.readUInt32BE(20)).toBeGreaterThan(900);
    expect(png.length).toBeGreaterThan(40_000);
  });

  it('keeps the token for the tab only, and forgets it on sign-out', async () => {
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]');
    expect(await page.inputValue('#site')).toBe(SITE);
    await page.click('#signout');
    await page.waitForSelector('body[data-state="signed-out"]');
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('hearth.query.token'))).toBeNull();
  });

  it('ran no script from the data and logged no errors', () => {
    expect(problems).toEqual([]);
  });
});
