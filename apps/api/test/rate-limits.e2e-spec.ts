import request from 'supertest';
import { bearer, createTenant, TestTenant, withOwner } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

const LIMIT = 12;

/** Waits out the last seconds of a minute so a test's requests all land in one window. */
async function awayFromWindowEdge(): Promise<void> {
  const remainingMs = 60_000 - (Date.now() % 60_000);
  if (remainingMs < 8_000) await new Promise((resolve) => setTimeout(resolve, remainingMs + 100));
}

describe('per-tenant rate limits shared by every API process', () => {
  let first: TestApi;
  let second: TestApi;
  let limited: TestTenant;
  let bystander: TestTenant;

  beforeAll(async () => {
    // Two API processes' worth of modules on one database, counters written through on every request.
    const settings = { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_SYNC_INTERVAL_MS: '0' };
    first = await startTestApi(settings);
    second = await startTestApi(settings);
    limited = await createTenant(first.admin, 'free');
    bystander = await createTenant(first.admin, 'free');
    await withOwner(first.ownerUrl, async (client) => {
      await client.query(
        `INSERT INTO plans (id, name, requests_per_minute, max_items_per_order, statement_timeout_ms)
         VALUES ('test_tiny', 'Test tiny', $1, 100, 2000) ON CONFLICT (id) DO NOTHING`,
        [LIMIT],
      );
      await client.query(`UPDATE tenants SET plan = 'test_tiny' WHERE id = $1`, [limited.id]);
    });
  });
  afterAll(async () => {
    // The database is shared by every test file: leave the plans as the contract knows them.
    await withOwner(first.ownerUrl, async (client) => {
      await client.query(`UPDATE tenants SET plan = 'free' WHERE plan = 'test_tiny'`);
      await client.query(`DELETE FROM plans WHERE id = 'test_tiny'`);
    });
    await first.close();
    await second.close();
  });

  it('admits exactly the plan limit across both processes, then answers 429 with Retry-After', async () => {
    await awayFromWindowEdge();
    const statuses: number[] = [];
    let refused: request.Response | undefined;
    for (let index = 0; index < LIMIT + 4; index += 1) {
      const api = index % 2 === 0 ? first : second;
      const response = await request(api.server).get('/v1/tenant').set(bearer(limited.apiKey));
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.slice(LIMIT)).toEqual([429, 429, 429, 429]);
    expect(refused?.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    expect(Number(refused?.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused?.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', requestId: expect.any(String) });
    expect(refused?.headers['ratelimit-remaining']).toBe('0');
  });

  it('never limits another tenant', async () => {
    for (const api of [first, second]) {
      const response = await request(api.server).get('/v1/tenant').set(bearer(bystander.apiKey)).expect(200);
      expect(Number(response.headers['ratelimit-remaining'])).toBeGreaterThan(0);
    }
  });
});
