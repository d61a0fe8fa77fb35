import { Client } from 'pg';
import request from 'supertest';
import { bearer, createOrder, createTenant, TEST_ADMIN_TOKEN, TEST_ANALYTICS_TOKEN, TestTenant, withOwner, lintOpenApi } from '@app/testing';
import { startTestApi, TestApi } from '../../api/test/support/api';
import { expectError } from '../../api/test/support/expectations';
import { expectSameAnswer, startTestAnalytics, TestAnalytics } from './support/analytics';

const DAY_MS = 86_400_000;
const midnight = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + offsetDays * DAY_MS);
const iso = (date: Date) => date.toISOString();

/**
 * The definitions, written out plainly over the raw tables: orders created in [from, to) that
 * are not cancelled, by country, by tenant, by UTC day.
 */
const expected = {
  byCountry: (ownerUrl: string, from: string, to: string) =>
    withOwner(
      ownerUrl,
      async (client) =>
        (
          await client.query(
            `SELECT rtrim(c.code) AS "countryCode", c.name AS "countryName", c.region,
                  count(*)::int AS orders, sum(o.total_cents)::float8 AS "revenueCents"
             FROM orders o JOIN country c ON c.code = o.country_code
            WHERE o.status <> 'cancelled' AND o.created_at >= $1 AND o.created_at < $2
            GROUP BY c.code, c.name, c.region
            ORDER BY sum(o.total_cents) DESC, c.code`,
            [from, to],
          )
        ).rows,
    ),
  topTenants: (ownerUrl: string, from: string, to: string, limit: number) =>
    withOwner(
      ownerUrl,
      async (client) =>
        (
          await client.query(
            `SELECT tenant_id::text AS "tenantId", count(*)::int AS orders, sum(total_cents)::float8 AS "revenueCents"
             FROM orders
            WHERE status <> 'cancelled' AND created_at >= $1 AND created_at < $2
            GROUP BY tenant_id
            ORDER BY sum(total_cents) DESC, tenant_id
            LIMIT $3`,
            [from, to, limit],
          )
        ).rows,
    ),
  daily: (ownerUrl: string, firstDay: string, lastDay: string) =>
    withOwner(
      ownerUrl,
      async (client) =>
        (
          await client.query(
            `WITH per_day AS (
             SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS orders, sum(total_cents)::float8 AS revenue
               FROM orders
              WHERE status <> 'cancelled' AND created_at >= $1::date AT TIME ZONE 'UTC' AND created_at < ($2::date + 1) AT TIME ZONE 'UTC'
              GROUP BY 1)
           SELECT d::date::text AS day, coalesce(p.orders, 0) AS orders, coalesce(p.revenue, 0) AS "revenueCents"
             FROM generate_series($1::date, $2::date, interval '1 day') d LEFT JOIN per_day p ON p.day = d::date
            ORDER BY d`,
            [firstDay, lastDay],
          )
        ).rows,
    ),
};

describe('analytics service', () => {
  let api: TestApi;
  let analytics: TestAnalytics;
  let first: TestTenant;
  let second: TestTenant;
  const orderIds: number[] = [];

  const get = (path: string) => request(analytics.server).get(path).set(bearer(TEST_ANALYTICS_TOKEN));
  const data = async (path: string) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    return response.body.data;
  };

  /** Every route, over windows that put today in the rollup (whole day) and at an edge (partial day). */
  async function expectEveryAnswerFromTheDefinitions(): Promise<void> {
    const windows = [
      { from: iso(new Date(Date.now() - 3 * DAY_MS)), to: iso(midnight(1)) },
      { from: iso(midnight(0)), to: iso(new Date(Date.now() + 3_600_000)) },
      { from: iso(new Date(Date.now() - 10 * DAY_MS)), to: iso(new Date(Date.now() - 5 * DAY_MS)) },
    ];
    for (const { from, to } of windows) {
      const window = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
      await expectSameAnswer(
        () => expected.byCountry(analytics.ownerUrl, from, to),
        () => data(`/analytics/revenue-by-country?${window}`),
      );
      await expectSameAnswer(
        () => expected.topTenants(analytics.ownerUrl, from, to, 100),
        () => data(`/analytics/top-tenants?limit=100&${window}`),
      );
    }
    const today = iso(midnight(0)).slice(0, 10);
    const threeDaysAgo = iso(midnight(-2)).slice(0, 10);
    await expectSameAnswer(
      () => expected.daily(analytics.ownerUrl, threeDaysAgo, today),
      () => data('/analytics/daily?days=3'),
    );
  }

  /**
   * Refreshes until the watermark has passed every write of the given tenants. It trails now()
   * by a second and the oldest open transaction of the database, which another suite on the
   * shared cluster may hold open for a moment.
   */
  async function refreshPast(tenantIds: string[]): Promise<void> {
    const epoch = async (query: string, parameters: unknown[] = []) =>
      withOwner(analytics.ownerUrl, async (client) => Number((await client.query(query, parameters)).rows[0].epoch));
    const lastWrite = await epoch(`SELECT extract(epoch FROM max(updated_at)) AS epoch FROM orders WHERE tenant_id = ANY($1::uuid[])`, [tenantIds]);
    const deadline = Date.now() + 30_000;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await analytics.refresh();
      if ((await epoch(`SELECT extract(epoch FROM rolled_up_to) AS epoch FROM daily_order_stats_watermark`)) > lastWrite) return;
      if (Date.now() > deadline) throw new Error('the rollup watermark did not pass the test orders within 30 s');
    }
  }

  async function answersBySource(): Promise<Record<string, number>> {
    const text = (await request(analytics.server).get('/metrics').expect(200)).text;
    const counts: Record<string, number> = { rollup: 0, raw: 0 };
    for (const match of text.matchAll(/^analytics_answers_total\{route="[^"]+",source="(rollup|raw)"\} (\d+)$/gm)) {
      counts[match[1]] += Number(match[2]);
    }
    return counts;
  }

  beforeAll(async () => {
    api = await startTestApi();
    analytics = await startTestAnalytics();
    first = await createTenant(api.admin);
    second = await createTenant(api.admin);
    for (const [tenant, countryCode, unitPriceCents] of [
      [first, 'US', 1500],
      [first, 'US', 2500],
      [first, 'DE', 99_000],
      [second, 'FR', 700],
      [second, 'JP', 12_345],
    ] as const) {
      const order = await createOrder(api.server, tenant, { countryCode, items: [{ sku: 'SKU-1', quantity: 3, unitPriceCents }] });
      orderIds.push(order.id);
    }
  });

  afterAll(async () => {
    await analytics?.close();
    await api?.close();
  });

  describe('answers equal the same computation over the raw tables', () => {
    it('whatever the state of the rollup', async () => {
      await expectEveryAnswerFromTheDefinitions();
    });

    it('after a refresh, answering from the rollup', async () => {
      await refreshPast([first.id, second.id]);
      const before = await answersBySource();
      await expectEveryAnswerFromTheDefinitions();
      const after = await answersBySource();
      expect(after.rollup).toBeGreaterThan(before.rollup);
    });

    it('with new orders, a cancellation and payments landed since the refresh', async () => {
      const headers = bearer(first.apiKey);
      orderIds.push((await createOrder(api.server, first, { countryCode: 'GB', items: [{ sku: 'NEW', quantity: 1, unitPriceCents: 4242 }] })).id);
      orderIds.push((await createOrder(api.server, second, { countryCode: 'US', items: [{ sku: 'NEW', quantity: 2, unitPriceCents: 1111 }] })).id);
      await request(api.server).post(`/v1/orders/${orderIds[2]}/cancel`).set(headers).expect(200);
      await request(api.server).post(`/v1/orders/${orderIds[0]}/payments`).set(headers).send({ amountCents: 4500, method: 'card' }).expect(201);
      await request(api.server).post(`/v1/orders/${orderIds[1]}/payments`).set(headers).send({ amountCents: 100, method: 'wallet' }).expect(201);
      await expectEveryAnswerFromTheDefinitions();
    });

    it('after the next refresh, whose rollup rows match the orders they cover', async () => {
      await refreshPast([first.id, second.id]);
      await expectEveryAnswerFromTheDefinitions();
      const [rollup, definition] = await withOwner(analytics.ownerUrl, async (client) => {
        const tenants = [first.id, second.id];
        const watermark = (await client.query(`SELECT rolled_up_to FROM daily_order_stats_watermark`)).rows[0].rolled_up_to;
        const rows = (query: string, parameters: unknown[]) => client.query(query, parameters).then((result) => result.rows);
        return Promise.all([
          rows(
            `SELECT tenant_id::text, day::text, rtrim(country_code) AS country, orders::int, revenue_cents::float8 AS revenue
               FROM daily_order_stats WHERE tenant_id = ANY($1::uuid[]) AND orders > 0 ORDER BY 1, 2, 3`,
            [tenants],
          ),
          rows(
            `SELECT tenant_id::text, (created_at AT TIME ZONE 'UTC')::date::text AS day, rtrim(country_code) AS country,
                    count(*)::int AS orders, sum(total_cents)::float8 AS revenue
               FROM orders WHERE tenant_id = ANY($1::uuid[]) AND status <> 'cancelled' AND created_at < $2
              GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
            [tenants, watermark],
          ),
        ]);
      });
      expect(rollup).toEqual(definition);
      expect(rollup.length).toBeGreaterThan(0);
    });

    it('answers the default window and fills every requested day', async () => {
      const days = await data('/analytics/daily?days=366');
      expect(days).toHaveLength(366);
      expect(days[365].day).toBe(iso(midnight(0)).slice(0, 10));
      expect(Object.keys(days[0]).sort()).toEqual(['day', 'orders', 'revenueCents']);
      const countries = await data('/analytics/revenue-by-country');
      expect(countries.length).toBeGreaterThan(0);
      for (const country of countries) expect(Object.keys(country).sort()).toEqual(['countryCode', 'countryName', 'orders', 'region', 'revenueCents']);
      const top = await data('/analytics/top-tenants');
      expect(top.length).toBeLessThanOrEqual(10);
      for (const tenant of top) expect(Object.keys(tenant).sort()).toEqual(['orders', 'revenueCents', 'tenantId']);
    });

    it('forgets a deleted tenant at once', async () => {
      const doomed = await createTenant(api.admin);
      await createOrder(api.server, doomed, { items: [{ sku: 'GONE', quantity: 10_000, unitPriceCents: 100_000_000 }] });
      await refreshPast([doomed.id]);
      const window = { from: iso(midnight(-1)), to: iso(midnight(1)) };
      const path = `/analytics/top-tenants?limit=100&from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}`;
      expect((await data(path)).map((row: { tenantId: string }) => row.tenantId)).toContain(doomed.id);
      await request(api.admin).delete(`/admin/tenants/${doomed.id}`).set(bearer(TEST_ADMIN_TOKEN)).expect(204);
      const rollupRows = await withOwner(
        analytics.ownerUrl,
        async (client) => (await client.query(`SELECT count(*)::int AS count FROM daily_order_stats WHERE tenant_id = $1`, [doomed.id])).rows[0].count,
      );
      expect(rollupRows).toBe(0);
      await expectSameAnswer(
        () => expected.topTenants(analytics.ownerUrl, window.from, window.to, 100),
        () => data(path),
      );
    });
  });

  describe('credentials', () => {
    it('refuses a request without a token, or with an unknown one (401)', async () => {
      expectError(await request(analytics.server).get('/analytics/daily'), 401);
      expectError(await request(analytics.server).get('/analytics/daily').set(bearer('not-the-analytics-token')), 401);
      expectError(await request(analytics.server).get('/analytics/daily').set('Authorization', `Basic ${TEST_ANALYTICS_TOKEN}`), 401);
    });

    it('refuses a tenant api key and the admin token as the wrong kind (403)', async () => {
      for (const path of ['/analytics/revenue-by-country', '/analytics/top-tenants', '/analytics/daily']) {
        expectError(await request(analytics.server).get(path).set(bearer(first.apiKey)), 403);
        expectError(await request(analytics.server).get(path).set(bearer(TEST_ADMIN_TOKEN)), 403);
      }
    });

    it('is refused by the tenant API and the admin API (403)', async () => {
      expectError(await request(api.server).get('/v1/tenant').set(bearer(TEST_ANALYTICS_TOKEN)), 403);
      expectError(await request(api.admin).get('/admin/tenants').set(bearer(TEST_ANALYTICS_TOKEN)), 403);
    });

    it('serves health, metrics and the OpenAPI document without a token', async () => {
      await request(analytics.server).get('/health/live').expect(200);
      await request(analytics.server).get('/health/ready').expect(200);
      expect((await request(analytics.server).get('/metrics').expect(200)).text).toContain('analytics_answers_total');
      const document = (await request(analytics.server).get('/docs-json').expect(200)).body;
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/analytics/revenue-by-country', '/analytics/top-tenants', '/analytics/daily']));
    });

    it('serves an OpenAPI document that redocly and spectral pass with no error and no warning', async () => {
      const document = (await request(analytics.server).get('/docs-json').expect(200)).body;
      expect(await lintOpenApi(document)).toEqual({ redocly: [], spectral: [] });
    });
  });

  describe('bad parameters are a 400 naming the field', () => {
    it.each([
      ['/analytics/revenue-by-country?from=yesterday', 'from'],
      ['/analytics/revenue-by-country?from=2025-01-01', 'from'],
      ['/analytics/revenue-by-country?from=2025-01-01T00:00:00', 'from'],
      ['/analytics/revenue-by-country?from=2025-02-30T00:00:00Z', 'from'],
      ['/analytics/revenue-by-country?from=2025-01-01T00:00:00.1234Z', 'from'],
      ['/analytics/revenue-by-country?from=0000-01-01T00:00:00Z', 'from'],
      ['/analytics/revenue-by-country?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z', 'from'],
      ['/analytics/revenue-by-country?from=2025-01-01T00:00:00Z&to=2025-01-01T00:00:00Z', 'from'],
      ['/analytics/revenue-by-country?from=2999-01-01T00:00:00Z', 'from'],
      ['/analytics/revenue-by-country?to=soon', 'to'],
      ['/analytics/revenue-by-country?from=2025-01-01T00:00:00Z&from=2025-01-02T00:00:00Z', 'from'],
      ['/analytics/revenue-by-country?tenantId=0f0e0d0c-0b0a-4909-8807-060504030201', 'tenantId'],
      ['/analytics/top-tenants?limit=0', 'limit'],
      ['/analytics/top-tenants?limit=101', 'limit'],
      ['/analytics/top-tenants?limit=ten', 'limit'],
      ['/analytics/top-tenants?limit=1.5', 'limit'],
      ['/analytics/top-tenants?limit=', 'limit'],
      ['/analytics/top-tenants?to=2025-01-01T00:00:00%2B01:00&from=2025-01-01T00:00:00Z', 'from'],
      ['/analytics/daily?days=0', 'days'],
      ['/analytics/daily?days=367', 'days'],
      ['/analytics/daily?days=-1', 'days'],
      ['/analytics/daily?days=2.5', 'days'],
      ['/analytics/daily?days=week', 'days'],
      ['/analytics/daily?from=2025-01-01T00:00:00Z', 'from'],
    ])('%s', async (path, field) => {
      expectError(await get(path), 400, { field });
    });

    it('accepts the bounds and offsets', async () => {
      await get('/analytics/top-tenants?limit=1').expect(200);
      await get('/analytics/top-tenants?limit=100').expect(200);
      await get('/analytics/daily?days=1').expect(200);
      await get('/analytics/daily?days=366').expect(200);
      await get(`/analytics/revenue-by-country?from=${encodeURIComponent('2025-01-01T09:30:00.250+02:00')}&to=2025-01-02T00:00Z`).expect(200);
    });
  });

  describe('the analytics role', () => {
    async function asAnalyticsRole<T>(work: (client: Client) => Promise<T>): Promise<T> {
      const client = new Client({ connectionString: analytics.analyticsUrl });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    }

    const writes = [
      `INSERT INTO orders (tenant_id, country_code, currency, total_cents) VALUES ('${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}', 'US', 'USD', 1)`,
      `UPDATE orders SET note = 'analytics was here'`,
      `DELETE FROM orders`,
      `INSERT INTO daily_order_stats (tenant_id, day, country_code, orders, revenue_cents) VALUES ('${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}', current_date, 'US', 1, 1)`,
      `UPDATE daily_order_stats SET orders = orders + 1`,
      `DELETE FROM daily_order_stats`,
      `UPDATE daily_order_stats_watermark SET rolled_up_to = now()`,
      `UPDATE tenants SET status = 'suspended'`,
      `DELETE FROM api_keys`,
    ];

    it.each(writes)('is read-only by default: %s', async (statement) => {
      await asAnalyticsRole(async (client) => {
        await expect(client.query(statement)).rejects.toMatchObject({ code: '25006' });
      });
    });

    it.each(writes)('has no privilege to write even in a read-write transaction: %s', async (statement) => {
      await asAnalyticsRole(async (client) => {
        await client.query('BEGIN READ WRITE');
        await expect(client.query(statement)).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) });
        await client.query('ROLLBACK');
      });
    });

    it('reads across tenants', async () => {
      const count = await asAnalyticsRole(
        async (client) =>
          (await client.query(`SELECT count(DISTINCT tenant_id)::int AS count FROM orders WHERE tenant_id = ANY($1::uuid[])`, [[first.id, second.id]])).rows[0]
            .count,
      );
      expect(count).toBe(2);
    });
  });

  it('leaves the tenant API answering while a flood of analytics queries runs', async () => {
    const headers = bearer(first.apiKey);
    const paths = [
      '/analytics/revenue-by-country?from=2000-01-01T00:00:00Z',
      '/analytics/top-tenants?limit=100&from=2000-01-01T00:00:00Z',
      '/analytics/daily?days=366',
    ];
    let flooding = true;
    const analyticsStatuses: number[] = [];
    const flood = Array.from({ length: 24 }, async (_, index) => {
      while (flooding) analyticsStatuses.push((await get(paths[index % paths.length])).status);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const tenantLatencies: number[] = [];
    for (let index = 0; index < 30; index += 1) {
      const started = Date.now();
      await request(api.server).get(`/v1/orders/${orderIds[0]}`).set(headers).expect(200);
      tenantLatencies.push(Date.now() - started);
    }
    flooding = false;
    await Promise.all(flood);
    expect(analyticsStatuses.length).toBeGreaterThan(24);
    expect(new Set(analyticsStatuses)).toEqual(new Set([200]));
    tenantLatencies.sort((left, right) => left - right);
    expect(tenantLatencies[Math.floor(tenantLatencies.length * 0.95)]).toBeLessThan(1000);
  });
});
