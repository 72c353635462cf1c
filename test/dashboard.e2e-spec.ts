/**
 * The operator's page in a real Chromium, over the demo host API (the four
 * demo jobs, the admin token set): it takes the token from the link, lists
 * the jobs, runs a dry run and a real run, verifies an archive. Saves
 * docs/images/dashboard.png, the screenshot the README shows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Page } from 'puppeteer-core';
import { bootstrap } from '../src/main';
import { launchChromium, TestBrowser } from './harness/browser';
import { FIXED_NOW, NOW_SQL } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { freePort } from './harness/free-port';
import { captureLogs } from './harness/log-capture';
import { count, seedLogs } from './harness/seed';

const TOKEN = 'dashboard-token-that-must-stay-secret';
const SCREENSHOT = join(__dirname, '..', 'docs', 'images', 'dashboard.png');
const OLD_LOGS = `created_at < ${NOW_SQL} - interval '90 days'`;
/** A failed run whose error is markup: the page must show it as text. */
const HOSTILE = '<img src=x onerror="window.pwned=1"><b>bold</b>';

describe('the dashboard in Chromium', () => {
  let db: TestDatabase;
  let archiveDir: string;
  let host: Awaited<ReturnType<typeof bootstrap>>;
  let chromium: TestBrowser;
  let page: Page;
  let base: string;
  const dialogs: string[] = [];
  const browserErrors: string[] = [];
  const failedRequests: string[] = [];
  const logs = captureLogs();
  const text = (selector: string) => page.$eval(selector, (node) => node.textContent ?? '');
  // In-page code as strings: the tests compile without the DOM's types.
  const waitForText = (selector: string, pattern: RegExp) =>
    page.waitForFunction(`${pattern}.test(document.querySelector(${JSON.stringify(selector)})?.textContent ?? '')`, { timeout: 60_000 });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedLogs(db.sql, { rows: 2_000, days: 240, now: FIXED_NOW });
    archiveDir = await mkdtemp(join(tmpdir(), 'archival-dashboard-'));
    const port = await freePort();
    // Small, paced parts, so that a real run lasts a few of the page's 1 s polls and its progress shows.
    const paced = { ARCHIVAL_MAX_ROWS_PER_FILE: '100', ARCHIVAL_BATCH_SIZE: '50', ARCHIVAL_SLEEP_BETWEEN_BATCHES_MS: '150' };
    host = await bootstrap({ ...process.env, ...paced, DATABASE_URL: db.url, PORT: String(port), ARCHIVAL_PATH: archiveDir, ARCHIVAL_ADMIN_TOKEN: TOKEN });
    logs.install();
    base = `http://127.0.0.1:${port}/admin/archival`;
    await db.sql.query(
      `INSERT INTO archival_runs (id, job, trigger, dry_run, status, started_at, finished_at, rows, bytes, archives, error)
       VALUES (gen_random_uuid(), 'session-archival', 'cron', false, 'failed', $2, $2, 0, 0, 0, $1)`,
      // Older than the runs the page starts, which are stamped with the wall clock (on some CI passes the test clock is ahead of it).
      [HOSTILE, new Date(Math.min(Date.now(), FIXED_NOW.getTime()) - 86_400_000)],
    );
    chromium = await launchChromium();
    page = await chromium.browser.newPage();
    await page.setViewport({ width: 1360, height: 900 });
    // A CSP violation, a failed request or an exception in the page shows up here.
    page.on('pageerror', (error) => browserErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) browserErrors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) failedRequests.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
  });
  afterAll(async () => {
    await chromium?.close();
    await host?.stop();
    await db?.drop();
    await rm(archiveDir, { recursive: true, force: true });
    logs.restore();
  });

  it('takes the token from #token= once, removes it from the address bar, and lists the four demo jobs', async () => {
    await page.goto(`${base}/ui#token=${encodeURIComponent(TOKEN)}`);
    await page.waitForSelector('#jobs tbody tr');
    expect(page.url()).toBe(`${base}/ui`);
    expect(await page.evaluate('location.hash')).toBe('');
    expect(await page.$$eval('#jobs tbody tr', (rows) => rows.map((row) => row.getAttribute('data-job'))))
      .toEqual(['log-archival', 'session-archival', 'call-archival', 'memory-cleanup']);
    expect(await page.$$eval('#tables tbody tr', (rows) => rows.map((row) => row.getAttribute('data-table')))).toEqual([
      'flow_execution_logs', 'flow_execution_sessions', 'flow_execution_deltas', 'call_sessions', 'call_events', 'memory_chunks',
    ]);
    expect(await text('#jobs tbody tr[data-job="log-archival"]')).toContain('0 2 1 * *');
    expect(await page.content()).not.toContain(TOKEN);
  });

  it('shows every API string as text, never as markup', async () => {
    expect(await text('#jobs tbody tr[data-job="session-archival"]')).toContain(HOSTILE);
    expect(await page.$('#jobs img, #jobs b')).toBeNull();
    expect(await page.evaluate('window.pwned')).toBeUndefined();
  });

  it('keeps the token for the tab: a reload needs no token again', async () => {
    await page.reload();
    await page.waitForSelector('#jobs tbody tr');
    expect(await page.$eval('#login', (node) => node.hasAttribute('hidden'))).toBe(true);
  });

  it('offers a dry run first; the dry run completes and shows what it would archive, deleting nothing', async () => {
    const eligible = await count(db.sql, 'flow_execution_logs', OLD_LOGS);
    expect(eligible).toBeGreaterThan(0);
    await page.click('tr[data-job="log-archival"] button[data-action="run"]');
    await page.click('tr[data-job="log-archival"] button[data-action="dry-run"]');
    await waitForText('#run-result', /succeeded/);
    expect(await text('#run-result')).toContain(`Dry run of log-archival succeeded would archive ${eligible.toLocaleString('en-US')} rows`);
    expect(await text('#run-result')).toMatch(/flow_execution_logs: [\d,]+ rows before \d{4}-\d\d-\d\d \(\d{4}-\d\d-01\.\.\d{4}-\d\d-\d\d: /);
    expect(await count(db.sql, 'flow_execution_logs', OLD_LOGS)).toBe(eligible);
    await waitForText('#jobs tr[data-job="log-archival"]', /succeeded dry run/);
    expect(await text('#runs tbody tr')).toMatch(/log-archival\s*api\s*dry run\s*succeeded/);
  });

  it('runs for real after a confirmation, then verifies an archive it wrote', async () => {
    await page.click('tr[data-job="log-archival"] button[data-action="run"]');
    await page.click('tr[data-job="log-archival"] button[data-action="real-run"]');
    // While it goes on: rows of the planned rows, the rate, the table and window it is in, an ETA.
    await waitForText('#run-result', /running [\d,]+ of [\d,]+ rows \(\d+%\), [\d,]+ rows\/s, flow_execution_logs \d{4}-\d\d-01\.\.\d{4}-\d\d-\d\d, ETA /);
    await waitForText('#run-result', /succeeded/);
    expect(dialogs).toEqual([expect.stringContaining('Run log-archival for real?')]);
    expect(await count(db.sql, 'flow_execution_logs', OLD_LOGS)).toBe(0);
    expect(await text('#run-result')).toMatch(/Run of log-archival succeeded archived [\d,]+ rows \([\d.]+ KB, \d+ archives\)/);
    const { rows } = await db.sql.query(`SELECT sum(row_count)::int AS n, count(DISTINCT date_trunc('month', start_date))::int AS months FROM archived_partitions WHERE status = 'purged'`);
    // The tables section reloads after the run's result is shown: wait for it, then read it.
    const expected = rows[0].n.toLocaleString('en-US');
    await page
      .waitForFunction(`document.querySelectorAll('#tables tr[data-table="flow_execution_logs"] td')[4]?.textContent === ${JSON.stringify(expected)}`, { timeout: 10_000 })
      .catch(() => undefined);
    const archived = await page.$eval('#tables tr[data-table="flow_execution_logs"]', (row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent));
    expect(archived[4]).toBe(expected);
    expect(await page.$$eval('#tables tr[data-table="flow_execution_logs"] .chart .bar', (bars) => bars.length)).toBe(rows[0].months);
    await page.waitForSelector('#archives tbody tr');
    await page.click('#archives tbody tr button[data-action="verify"]');
    await waitForText('#archives tbody tr', /intact/);
  });

  it('shows the page after a dry run (docs/images/dashboard.png), and never the token', async () => {
    await db.sql.query(`DELETE FROM archival_runs WHERE error = $1`, [HOSTILE]); // not in the README's picture
    await seedLogs(db.sql, { rows: 600, days: 60, from: new Date(FIXED_NOW.getTime() - 200 * 86_400_000), now: new Date(FIXED_NOW.getTime() - 100 * 86_400_000) });
    await page.click('tr[data-job="log-archival"] button[data-action="run"]');
    await page.click('tr[data-job="log-archival"] button[data-action="dry-run"]');
    await waitForText('#run-result', /Dry run of log-archival succeeded would archive 600 rows/);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const everything = await page.evaluate('document.documentElement.outerHTML + location.href + document.title');
    expect(everything).not.toContain(TOKEN);
    expect(JSON.stringify(logs.lines)).not.toContain(TOKEN);
  });

  it('previews a restore by a dry run, then restores after a confirmation', async () => {
    const [{ id, row_count: rows }] = (await db.sql.query(`SELECT id, row_count::int FROM archived_partitions WHERE status = 'purged' ORDER BY id DESC LIMIT 1`)).rows;
    const before = await count(db.sql, 'flow_execution_logs');
    await page.click(`tr[data-archive="${id}"] button[data-action="restore-preview"]`);
    await waitForText('#restore-result', /succeeded/);
    expect(await text('#restore-result')).toContain(`Restore preview of archive ${id} succeeded would restore ${rows.toLocaleString('en-US')} rows`);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(before);
    await page.select('#restore-result select[data-field="conflict"]', 'fail');
    await page.click('#restore-result button[data-action="restore"]');
    await waitForText('#restore-result', /Restore of archive \d+ succeeded/);
    expect(dialogs.at(-1)).toBe(`Restore archive ${id} into flow_execution_logs (fail)?`);
    expect(await text('#restore-result')).toContain(`restored ${rows.toLocaleString('en-US')} rows, ${rows.toLocaleString('en-US')} written (conflict fail)`);
    expect(await count(db.sql, 'flow_execution_logs')).toBe(before + rows);
  });

  it('forgets the token on request and asks for it; a wrong token is refused', async () => {
    await page.click('#forget');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.type('#token', 'not-the-token');
    await page.click('#login-form button[type="submit"]');
    await waitForText('#login-error', /refused/);
    await page.type('#token', TOKEN);
    await page.click('#login-form button[type="submit"]');
    await page.waitForFunction("!document.querySelector('#dashboard').hidden");
    expect(browserErrors).toEqual([]);
    // Only the calls made with the wrong token failed.
    expect(failedRequests.sort()).toEqual(['jobs', 'runs', 'tables', 'archives'].map((path) => `401 /admin/archival/${path}`).sort());
  });
});
