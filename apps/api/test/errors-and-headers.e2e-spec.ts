import request from 'supertest';
import { bearer, createOrder, createTenant, orderBody, TEST_ADMIN_TOKEN, TestTenant } from '@app/testing';
import { expectError, UUID } from './support/expectations';
import { startTestApi, TestApi } from './support/api';

const SAFE_128 = `${'a'.repeat(100)}-._~:+=/ABCDEFGHIJKLMNOPQRS`.slice(0, 128);

describe('X-Request-Id and the error shape', () => {
  let api: TestApi;
  let tenant: TestTenant;

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api.admin);
  });
  afterAll(() => api.close());

  /** One request of each kind of answer: success, tenant error, admin, body-parser error, public. */
  const calls: Array<[string, () => request.Test]> = [
    ['GET /v1/tenant (200)', () => request(api.server).get('/v1/tenant').set(bearer(tenant.apiKey))],
    ['POST /v1/orders (201)', () => request(api.server).post('/v1/orders').set(bearer(tenant.apiKey)).send(orderBody())],
    ['GET /v1/orders/:id of nothing (404)', () => request(api.server).get('/v1/orders/9007199254740991').set(bearer(tenant.apiKey))],
    ['GET /v1/orders without a key (401)', () => request(api.server).get('/v1/orders')],
    [
      'POST /v1/orders with malformed JSON (400)',
      () => request(api.server).post('/v1/orders').set(bearer(tenant.apiKey)).set('Content-Type', 'application/json').send('{'),
    ],
    [
      'POST /v1/orders over 1 MiB (413)',
      () =>
        request(api.server)
          .post('/v1/orders')
          .set(bearer(tenant.apiKey))
          .send({ note: 'x'.repeat(1024 * 1024 + 10) }),
    ],
    ['GET /admin/tenants (200)', () => request(api.admin).get('/admin/tenants').set(bearer(TEST_ADMIN_TOKEN))],
    ['GET /health/live (200)', () => request(api.server).get('/health/live')],
    ['GET /no-such-route (404)', () => request(api.server).get('/no-such-route')],
  ];

  describe('X-Request-Id', () => {
    it.each(calls)('is echoed when safe and at most 128 characters: %s', async (_name, call) => {
      for (const id of ['req-123', 'a', SAFE_128, 'trace:abc/def=1+2.x~y_z']) {
        const response = await call().set('X-Request-Id', id);
        expect(response.headers['x-request-id']).toBe(id);
        if (response.status >= 400) expect(response.body.requestId).toBe(id);
      }
    });

    it.each(calls)('is generated when absent, unsafe or too long: %s', async (_name, call) => {
      const seen = new Set<string>();
      for (const id of [undefined, 'a'.repeat(129), 'has space', 'semi;colon', '<script>', 'quote"d', 'caf\u00e9', '']) {
        const pending = call();
        if (id !== undefined) pending.set('X-Request-Id', id);
        const response = await pending;
        const generated = response.headers['x-request-id'];
        expect(generated).toMatch(UUID);
        expect(generated).not.toBe(id);
        if (response.status >= 400) expect(response.body.requestId).toBe(generated);
        seen.add(generated);
      }
      expect(seen.size).toBe(8);
    });
  });

  describe('errors', () => {
    it('have no details unless they are validation errors', async () => {
      const order = await createOrder(api.server, tenant);
      await request(api.server).post(`/v1/orders/${order.id}/cancel`).set(bearer(tenant.apiKey)).expect(200);
      expectError(await request(api.server).get('/v1/orders'), 401);
      expectError(await request(api.server).get('/v1/orders').set(bearer(TEST_ADMIN_TOKEN)), 403);
      expectError(await request(api.server).get('/v1/orders/9007199254740991').set(bearer(tenant.apiKey)), 404);
      expectError(await request(api.server).post(`/v1/orders/${order.id}/cancel`).set(bearer(tenant.apiKey)), 409);
      expectError(await request(api.server).post('/v1/orders').set(bearer(tenant.apiKey)).set('Content-Type', 'application/json').send('{'), 400);
      const invalid = await request(api.server)
        .post('/v1/orders')
        .set(bearer(tenant.apiKey))
        .send(orderBody({ items: [{ sku: 'A', quantity: 0, unitPriceCents: 1 }] }));
      expectError(invalid, 400, { field: 'items[0].quantity' });
      expect(invalid.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it('name the HTTP status in "error"', async () => {
      const cases: Array<[request.Test, number, string]> = [
        [request(api.server).get('/v1/orders'), 401, 'Unauthorized'],
        [request(api.server).get('/v1/orders').set(bearer(TEST_ADMIN_TOKEN)), 403, 'Forbidden'],
        [request(api.server).get('/v1/orders/9007199254740991').set(bearer(tenant.apiKey)), 404, 'Not Found'],
        [
          request(api.server)
            .post('/v1/orders')
            .set(bearer(tenant.apiKey))
            .send({ note: 'x'.repeat(1024 * 1024 + 10) }),
          413,
          'Payload Too Large',
        ],
      ];
      for (const [call, status, error] of cases) {
        const response = await call;
        expectError(response, status);
        expect(response.body.error).toBe(error);
      }
    });

    it('answer 404 in the error shape for unknown routes and methods', async () => {
      expectError(await request(api.server).get('/v2/orders'), 404);
      expectError(await request(api.server).delete('/v1/orders/1').set(bearer(tenant.apiKey)), 404);
      expectError(await request(api.server).get('/v1/no-such-route').set(bearer(tenant.apiKey)), 404);
    });

    it('require credentials before anything else on /v1, even for unknown routes', async () => {
      expectError(await request(api.server).get('/v1/no-such-route'), 401);
    });
  });
});

describe('Rate limiting (RATE_LIMIT_ENABLED=true) with the free plan', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ RATE_LIMIT_ENABLED: 'true' });
  });
  afterAll(() => api.close());

  it("answers 429 with Retry-After once the free plan's requests per minute are used up, and never limits another tenant", async () => {
    const limited = await createTenant(api.admin, 'free');
    const bystander = await createTenant(api.admin, 'free');
    const plans = await request(api.server).get('/v1/plans').set(bearer(limited.apiKey)).expect(200);
    const limit: number = plans.body.data.find((plan: { id: string }) => plan.id === 'free').requestsPerMinute;
    expect(Number.isSafeInteger(limit)).toBe(true);

    // The window is a fixed minute: within two windows' worth of requests one window must overflow.
    let refused: request.Response | undefined;
    let admitted = 1; // GET /v1/plans above counts too
    for (let sent = 0; sent < 2 * limit + 20 && !refused; sent += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => request(api.server).get('/v1/tenant').set(bearer(limited.apiKey))));
      for (const response of batch) {
        expect([200, 429]).toContain(response.status);
        if (response.status === 200) {
          admitted += 1;
          expect(response.headers['ratelimit-limit']).toBe(String(limit));
        } else refused ??= response;
      }
    }
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(refused).toBeDefined();
    const response = refused as request.Response;
    expectError(response, 429);
    expect(response.body.error).toBe('Too Many Requests');
    expect(response.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(response.headers['ratelimit-remaining']).toBe('0');

    // Refused requests write nothing, and the other tenant is not slowed.
    expect((await request(api.server).post('/v1/orders').set(bearer(limited.apiKey)).send(orderBody())).status).toBe(429);
    const other = await request(api.server).get('/v1/tenant').set(bearer(bystander.apiKey)).expect(200);
    expect(Number(other.headers['ratelimit-remaining'])).toBeGreaterThan(0);
    await request(api.admin).get('/admin/tenants').set(bearer(TEST_ADMIN_TOKEN)).expect(200);
  });
});
