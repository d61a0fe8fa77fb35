import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import request from 'supertest';
import { bearer, createTenant, TEST_ADMIN_TOKEN, testTarget } from '@app/testing';
import { UsageMeter } from '../src/usage/usage-meter';
import { startTestApi, TestApi } from './support/api';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const citus = testTarget() === 'citus';

/** The ops page end to end in headless Chromium (Debian's), on the embedded node and on Citus. */
describe(`The ops page at /admin/ui (${testTarget()})`, () => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    api = await startTestApi();
    await api.controlPlane.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(api.controlPlane.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await api.close();
  });
  beforeEach(async () => {
    page = await browser.newPage();
  });
  afterEach(() => page.close());

  const signIn = async (token: string) => {
    await page.goto(`${base}/admin/ui`);
    await page.getByLabel('ADMIN_TOKEN').fill(token);
    await page.getByRole('button', { name: 'Connect' }).click();
  };

  it('refuses a wrong token and shows nothing', async () => {
    await signIn('not-the-admin-token-at-all');
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
    expect(await page.locator('#dashboard').isHidden()).toBe(true);
    expect(page.url()).not.toContain('not-the-admin-token');
  });

  it('shows the real nodes and tenants, and finds the worker of a tenant', async () => {
    const tenant = await createTenant(api.admin);
    const cluster = (await request(api.admin).get('/admin/cluster').set(bearer(TEST_ADMIN_TOKEN)).expect(200)).body;
    await signIn(TEST_ADMIN_TOKEN);
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    expect(page.url()).toBe(`${base}/admin/ui`);
    const nodes = await page.locator('#nodes tbody tr td:first-child').allTextContents();
    expect(nodes).toEqual(cluster.nodes.map((node: { nodeName: string; nodePort: number }) => `${node.nodeName}:${node.nodePort}`));
    expect(await page.locator('#tables tbody').textContent()).toContain('orders');
    await page.locator('#tenants tbody tr', { hasText: tenant.id }).waitFor();

    await page.getByLabel('Tenant id').first().fill(tenant.id);
    await page.getByRole('button', { name: 'Find' }).click();
    const placement = (await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(bearer(TEST_ADMIN_TOKEN)).expect(200)).body.placement;
    if (citus) {
      await page.locator('#found', { hasText: `worker ${placement.nodeName}:${placement.nodePort}` }).waitFor();
      expect(await page.locator('#shard-map tr.highlight td:first-child').textContent()).toBe(String(placement.shardId));
      await page
        .locator('#rebalance-status')
        .filter({ hasText: /Job|No rebalance/ })
        .waitFor();
      expect(await page.locator('#hot').isVisible()).toBe(true);
      if (process.env.OPS_PAGE_SCREENSHOT) {
        mkdirSync(join(process.env.OPS_PAGE_SCREENSHOT, '..'), { recursive: true });
        await page.screenshot({ path: process.env.OPS_PAGE_SCREENSHOT, fullPage: true });
      }
    } else {
      await page.locator('#found', { hasText: 'single node' }).waitFor();
      expect(await page.locator('#mode').textContent()).toContain('Single node');
      expect(await page.locator('#single-node').isVisible()).toBe(true);
      expect(await page.locator('#shard-map').isVisible()).toBe(false);
    }
  });

  it('draws the nodes, the daily usage of a tenant and (Citus) the hot tenants and the rebalance from the real data, and pages the tenants', async () => {
    const tenant = await createTenant(api.admin);
    for (let index = 0; index < 3; index += 1) {
      await request(api.server).get('/v1/orders').set(bearer(tenant.apiKey)).expect(200);
    }
    await api.app.get(UsageMeter).flush();
    const listed: number = (await request(api.admin).get('/admin/tenants?limit=25').set(bearer(TEST_ADMIN_TOKEN)).expect(200)).body.data.length;
    for (let count = listed; count < 21; count += 1) await createTenant(api.admin);
    // The charts are compared with the very answers the page drew them from: sizes and usage move between two reads.
    const answered = (path: string) => page.waitForResponse((response) => new URL(response.url()).pathname === path && response.request().method() === 'GET');
    const clusterAnswer = answered('/admin/cluster');
    await signIn(TEST_ADMIN_TOKEN);
    const cluster = await (await clusterAnswer).json();
    await page.locator('#dashboard').waitFor({ state: 'visible' });

    const nodeBars = await page.locator('#node-chart rect.bar').evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('data-value'))));
    expect(nodeBars).toEqual(cluster.nodes.map((node: { bytes: number | string }) => Number(node.bytes)));
    expect(nodeBars.some((value) => value > 0)).toBe(true);

    await page.getByLabel('Tenant id').first().fill(tenant.id);
    const usageAnswer = answered(`/admin/tenants/${tenant.id}/usage`);
    await page.getByRole('button', { name: 'Find' }).click();
    const usage = await (await usageAnswer).json();
    await page.locator('#usage-figure').waitFor({ state: 'visible' });
    const days = await page.locator('#usage-chart rect.bar').evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('data-value'))));
    expect(days).toEqual(usage.data.map((day: { requests: { total: number } }) => day.requests.total));
    expect(days[days.length - 1]).toBeGreaterThanOrEqual(3);

    const firstPage = await page.locator('#tenants tbody tr td:last-child').allTextContents();
    expect(firstPage).toHaveLength(20);
    await page.getByRole('button', { name: 'Older' }).click();
    await page.getByRole('button', { name: 'Newer' }).and(page.locator(':enabled')).waitFor();
    const secondPage = await page.locator('#tenants tbody tr td:last-child').allTextContents();
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);

    if (citus) {
      // Two refreshes of the live sections: each adds a sample to the hot tenants' lines.
      await page.locator('#hot-chart polyline').first().waitFor({ state: 'attached', timeout: 15_000 });
      // The lines and the table come from the same refresh: the five hottest tenants of the table, in its order.
      const lines = await page.locator('#hot-chart polyline').evaluateAll((polylines) => polylines.map((line) => line.getAttribute('data-tenant')));
      const ranked = await page.locator('#hot tbody tr td:first-child').allTextContents();
      expect(lines.length).toBeGreaterThan(0);
      expect(lines).toEqual(ranked.slice(0, 5));
      expect(await page.locator('#rebalance-chart rect.track').count()).toBe(1);
      const rebalance = (await request(api.admin).get('/admin/cluster/rebalance').set(bearer(TEST_ADMIN_TOKEN)).expect(200)).body.status;
      const counts: Record<string, number> = rebalance?.details?.task_state_counts ?? {};
      const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
      expect(await page.locator('#rebalance-chart text').textContent()).toBe(rebalance ? `${counts.done ?? 0} of ${total} moves done` : 'no rebalance');
      if (process.env.OPS_PAGE_SCREENSHOT) await page.screenshot({ path: process.env.OPS_PAGE_SCREENSHOT, fullPage: true });
    }
  }, 120_000);

  it('serves its files with a content security policy and no credentials', async () => {
    const html = await request(api.admin).get('/admin/ui').expect(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['content-security-policy']).toContain("script-src 'self'");
    await request(api.admin)
      .get('/admin/ui/app.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    await request(api.admin).get('/admin/ui/other.js').expect(404);
  });
});
