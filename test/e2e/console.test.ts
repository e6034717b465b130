import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../harness/chromium.js';
import {
  type BrokerProcess,
  scratchDirs,
  sourceYaml,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

const TOKEN = 'console-admin-token';
const ENV = { TB_TEST_ADMIN_TOKEN: TOKEN };
const BROKER_YAML =
  'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec: { admin: { tokens: [ { fromEnv: TB_TEST_ADMIN_TOKEN } ] } }\n';
/** Untrusted event content the console must show as text. */
const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(2)>';

/** The console (/console) of the real CLI broker, in Debian's headless Chromium. */
describe('console', () => {
  const fresh = scratchDirs();
  const dir = fresh();
  const logFile = join(dir.dir, 'app.log');
  let broker: BrokerProcess;
  let fn: Awaited<ReturnType<typeof startFunction>>;
  let browser: Browser;
  /** Event ids the function refuses (422, permanent) at /orders. */
  const refusing = new Set<string>();

  const send = async (id: string, data: unknown): Promise<void> => {
    const res = await request(`${broker.url}/events`, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/shop',
        'ce-type': 'console.orders',
        'content-type': 'application/json',
      },
      body: JSON.stringify(data),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(202);
  };

  beforeAll(async () => {
    fn = await startFunction((req) =>
      req.url === '/orders' && refusing.has(String(req.headers['ce-id'])) ? 422 : 200,
    );
    writeFileSync(logFile, '');
    dir.write('broker.yaml', BROKER_YAML);
    dir.write(
      'app.yaml',
      sourceYaml('app', {
        log: { paths: [logFile], pollInterval: 'PT0.1S' },
        ce: { type: 'console.line', source: '/app' },
      }),
    );
    dir.write(
      'lines.yaml',
      subscriptionYaml('lines', {
        filters: [{ exact: { type: 'console.line' } }],
        sink: { uri: `${fn.url}/lines` },
      }),
    );
    dir.write(
      'orders.yaml',
      subscriptionYaml('orders', {
        filters: [{ exact: { type: 'console.orders' } }],
        sink: { uri: `${fn.url}/orders` },
        delivery: { retry: 0 },
      }),
    );
    broker = await startBroker(dir.config, dir.data, ENV);
    await broker.waitForLog((l) => l['msg'] === 'connector up');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await broker?.stop();
    await fn?.close();
  });

  it('is served with a Content-Security-Policy, and its data need the admin token', async () => {
    const page = await request(`${broker.url}/console`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(await page.body.text()).toContain('<script type="module" src="/console/console.js"></script>');
    for (const [path, type] of [
      ['/console/console.js', 'text/javascript; charset=utf-8'],
      ['/console/console.css', 'text/css; charset=utf-8'],
    ] as const) {
      const asset = await request(`${broker.url}${path}`);
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toBe(type);
      expect(asset.headers['x-content-type-options']).toBe('nosniff');
      await asset.body.dump();
    }
    const anonymous = await request(`${broker.url}/admin/status`);
    expect(anonymous.statusCode).toBe(401);
    await anonymous.body.dump();
    const status = await request(`${broker.url}/admin/status`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(status.statusCode).toBe(200);
    expect(await status.body.json()).toMatchObject({
      ready: true,
      sampleSeconds: 10,
      windowSeconds: 300,
      sources: [{ name: 'app', kind: 'log', required: false, status: 'up' }],
      subscriptions: [
        { name: 'lines', depth: 0, totals: { delivered: 0, failed: 0, deadLettered: 0 } },
        { name: 'orders', depth: 0 },
      ],
    });
  });

  it('is not there without the admin API', async () => {
    const off = fresh();
    off.write('lines.yaml', subscriptionYaml('lines', { sink: { uri: `${fn.url}/off` } }));
    const plain = await startBroker(off.config, off.data);
    try {
      for (const path of ['/console', '/console/console.js', '/admin/status']) {
        const res = await request(`${plain.url}${path}`);
        expect(res.statusCode, path).toBe(404);
        expect(await res.body.json()).toMatchObject({ error: 'not_found' });
      }
    } finally {
      await plain.stop();
    }
  });

  it('shows Sources and their state changes, activity, dead letters as text, replays, purges and explains', async () => {
    const page: Page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void (dialog.type() === 'confirm' ? dialog.accept() : dialog.dismiss());
    });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    // A Content-Security-Policy violation is reported on the console as an error; the admin API's
    // refusals the test provokes (401, 400) are too, as failed loads.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        problems.push(`console: ${message.text()}`);
    });
    const text = (selector: string) => page.locator(selector).first().textContent({ timeout: 1000 });
    const poll = { timeout: 15_000, interval: 100 };
    try {
      await page.goto(`${broker.url}/console`);
      // A wrong token is refused and asked again.
      await page.fill('#token', 'not-the-token');
      await page.click('#login-form button[type=submit]');
      await expect.poll(() => text('#login-error'), poll).toContain('refused');
      expect(await page.isHidden('#main')).toBe(true);
      await page.fill('#token', TOKEN);
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#main', { state: 'visible' });
      expect(await page.evaluate("sessionStorage.getItem('trigger-broker.admin-token')")).toBe(TOKEN);

      // Sources and subscriptions.
      await expect.poll(() => text('#sources tr[data-source="app"] td.state'), poll).toBe('up');
      expect(await text('#sources tr[data-source="app"]')).toContain('log');
      expect(await page.locator('#subscriptions tbody tr').count()).toBe(2);
      expect(await text('#readiness')).toBe('ready');

      // Deliveries show in the counts and the chart.
      appendFileSync(logFile, 'one\ntwo\nthree\n');
      await fn.waitFor(3, 10_000, (r) => r.url === '/lines');
      await expect
        .poll(() => text('#subscriptions tr[data-subscription="lines"] td.delivered-count'), poll)
        .toBe('3');
      expect(await text('#subscriptions tr[data-subscription="lines"] td.delivered-rate')).not.toBe('0');
      const line = page.locator('#subscriptions tr[data-subscription="lines"] svg.chart polyline.delivered');
      const ys = ((await line.getAttribute('points')) ?? '').split(' ').map((p) => Number(p.split(',')[1]));
      expect(Math.min(...ys)).toBeLessThan(34); // above the zero line (the chart is 36 high)

      // A Source's state change: its file removed (degraded), then back (up).
      rmSync(logFile);
      await expect.poll(() => text('#sources tr[data-source="app"] td.state'), poll).toBe('degraded');
      expect(await page.locator('#sources tr[data-source="app"] td').nth(3).textContent()).toContain(
        'missing',
      );
      writeFileSync(logFile, '');
      await expect.poll(() => text('#sources tr[data-source="app"] td.state'), poll).toBe('up');

      // A dead letter whose data is markup: shown as text, nothing run.
      refusing.add('xss-1');
      await send('xss-1', { note: SCRIPT, image: IMG });
      const row = page.locator('#deadletters tbody tr', { hasText: SCRIPT });
      await expect.poll(() => row.count(), poll).toBe(1);
      expect(await row.locator('pre.data').isVisible()).toBe(true);
      const shown = await row.locator('pre.data').textContent();
      expect(shown).toContain(SCRIPT);
      expect(shown).toContain(IMG);
      expect(await row.locator('.event-id').textContent()).toBe('xss-1');
      expect(await row.locator('td.reason').textContent()).toContain('permanent failure');
      expect(await page.locator('#deadletters script, #deadletters img').count()).toBe(0);
      await expect
        .poll(() => text('#subscriptions tr[data-subscription="orders"] td.deadlettered-count'), poll)
        .toBe('1');
      expect(await text('#subscriptions tr[data-subscription="orders"] td.failed-count')).toBe('1');

      // Replay: the function takes it now; the entry leaves the list.
      refusing.clear();
      await row.locator('button.replay').click();
      await fn.waitForIds(['xss-1'], 10_000, (r) => r.url === '/orders');
      await expect.poll(() => row.count(), poll).toBe(0);
      expect(await text('#deadletters-result')).toBe('Replayed 1 of 1 dead letter(s) with id xss-1.');
      const replayed = fn.received.find((r) => r.url === '/orders' && r.headers['ce-id'] === 'xss-1')!;
      expect(JSON.parse(replayed.body.toString())).toEqual({ note: SCRIPT, image: IMG });

      // Purge, after a confirmation.
      refusing.add('purge-1');
      await send('purge-1', { n: 1 });
      const purged = page.locator('#deadletters tbody tr', { hasText: 'purge-1' });
      await expect.poll(() => purged.count(), poll).toBe(1);
      await purged.locator('button.purge').click();
      await expect.poll(() => purged.count(), poll).toBe(0);
      expect(await text('#deadletters-result')).toBe('Purged 1 of 1 dead letter(s) with id purge-1.');
      expect(dialogs).toEqual([expect.stringMatching(/^confirm: Purge the dead letter purge-1 of orders/)]);
      expect(await page.locator('#deadletters-empty').isVisible()).toBe(true);
      expect(fn.attempts.filter((r) => r.headers['ce-id'] === 'purge-1')).toHaveLength(1);

      // Explain: which subscription the event reaches and why the other does not.
      const explain = async (event: Record<string, unknown>) => {
        await page.fill('#explain-event', JSON.stringify(event));
        await page.click('#explain-form button[type=submit]');
      };
      const base = { specversion: '1.0', id: 'e-1', source: '/shop' };
      await explain({ ...base, type: 'console.orders' });
      await expect
        .poll(() => text('#explain-table tr[data-subscription="orders"]'), poll)
        .toContain('matches');
      expect(await text('#explain-table tr[data-subscription="lines"]')).toContain('no match');
      expect(await text('#explain-table tr[data-subscription="lines"]')).toContain('type');
      // The reasons quote the event: text again.
      await explain({ ...base, type: IMG });
      await expect.poll(() => text('#explain-table tr[data-subscription="orders"]'), poll).toContain(IMG);
      expect(await page.locator('#explain-result img').count()).toBe(0);
      await page.fill('#explain-event', '{ not json');
      await page.click('#explain-form button[type=submit]');
      await expect.poll(() => text('#explain-result'), poll).toContain('malformed_json');

      expect(dialogs.filter((d) => !d.startsWith('confirm:'))).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
