import request from 'supertest';
import { bearer, createTenant, TEST_ADMIN_TOKEN, TestTenant } from '@app/testing';
import { expectError } from './support/expectations';
import { startTestApi, TestApi } from './support/api';

const ONE_ITEM = { countryCode: 'US', items: [{ sku: 'U', quantity: 1, unitPriceCents: 1000 }] };
const today = () => new Date().toISOString().slice(0, 10);

describe('Exact per-tenant usage, counted across two API processes', () => {
  // Flushed only when each process shuts down: the counts must survive a graceful shutdown exactly.
  const quiet = { USAGE_FLUSH_INTERVAL_MS: '60000' };
  let reader: TestApi;
  let tenant: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    const first = await startTestApi(quiet);
    const second = await startTestApi(quiet);
    tenant = await createTenant(first.admin);
    other = await createTenant(first.admin);
    const as = (api: TestApi, key = tenant.apiKey) => ({
      get: (path: string) => request(api.server).get(path).set(bearer(key)),
      post: (path: string, body: object, idempotencyKey?: string) => {
        const call = request(api.server).post(path).set(bearer(key));
        if (idempotencyKey) call.set('Idempotency-Key', idempotencyKey);
        return call.send(body);
      },
    });
    const a = as(first);
    const b = as(second);
    const orders: number[] = [];
    for (let index = 0; index < 3; index += 1) orders.push((await a.post('/v1/orders', ONE_ITEM, index === 0 ? 'usage-once' : undefined).expect(201)).body.id);
    await a.post('/v1/orders', ONE_ITEM, 'usage-once').expect(201); // a replay: a request, not a write
    for (const id of orders.slice(0, 2)) await a.get(`/v1/orders/${id}`).expect(200);
    const payment = await a.post(`/v1/orders/${orders[0]}/payments`, { amountCents: 1000, method: 'card' }).expect(201);
    await a.post(`/v1/orders/${orders[0]}/payments/${payment.body.id}/refunds`, { amountCents: 100 }).expect(201);
    for (let index = 0; index < 2; index += 1) await b.post('/v1/orders', ONE_ITEM).expect(201);
    for (let index = 0; index < 4; index += 1) await b.get('/v1/orders').expect(200);
    await b.get('/v1/countries').expect(200);
    await b.get('/v1/orders/999999999').expect(404);
    await request(second.server)
      .get('/v1/orders')
      .set(bearer(`${tenant.apiKey.slice(0, -2)}xx`))
      .expect(401);
    await as(second, other.apiKey).get('/v1/orders').expect(200);
    await first.close();
    await second.close();
    reader = await startTestApi(quiet);
  }, 120_000);
  afterAll(() => reader.close());

  it('answers the control plane with exactly the requests and writes sent, by route class, and the storage measured today', async () => {
    const response = await request(reader.admin)
      .get(`/admin/tenants/${tenant.id}/usage?from=${today()}&to=${today()}`)
      .set(bearer(TEST_ADMIN_TOKEN))
      .expect(200);
    expect(response.body.data).toHaveLength(1);
    const [day] = response.body.data;
    expect(day).toEqual({
      day: today(),
      requests: { byRouteClass: { 'orders.write': 6, 'orders.read': 7, 'payments.write': 1, 'refunds.write': 1, 'countries.read': 1 }, total: 16 },
      ordersWritten: 5,
      paymentsWritten: 1,
      refundsWritten: 1,
      rows: 12,
      bytes: expect.any(Number),
    });
    expect(day.bytes).toBeGreaterThan(12 * 24);
  });

  it("counts each tenant apart: the other tenant's one request is its own", async () => {
    const response = await request(reader.admin).get(`/admin/tenants/${other.id}/usage`).set(bearer(TEST_ADMIN_TOKEN)).expect(200);
    expect(response.body.data).toHaveLength(30);
    expect(response.body.data.at(-1)).toMatchObject({ day: today(), requests: { byRouteClass: { 'orders.read': 1 }, total: 1 }, ordersWritten: 0, rows: 0 });
    expect(response.body.data[0]).toMatchObject({ requests: { total: 0 }, rows: null, bytes: null });
  });

  it('answers the tenant itself the same on GET /v1/usage', async () => {
    const admin = await request(reader.admin).get(`/admin/tenants/${tenant.id}/usage?from=${today()}`).set(bearer(TEST_ADMIN_TOKEN)).expect(200);
    const own = await request(reader.server).get(`/v1/usage?from=${today()}`).set(bearer(tenant.apiKey)).expect(200);
    expect(own.body).toEqual(admin.body);
  });

  it.each([
    ['a date that does not exist', '?from=2026-02-30', 'from'],
    ['from after to', '?from=2026-12-02&to=2026-12-01', 'from'],
    ['more than 366 days', '?from=2024-01-01&to=2026-01-01', 'from'],
    ['a word', '?to=yesterday', 'to'],
  ])('refuses %s with 400', async (_name, query, field) => {
    expectError(await request(reader.server).get(`/v1/usage${query}`).set(bearer(tenant.apiKey)), 400, { field });
    expectError(await request(reader.admin).get(`/admin/tenants/${tenant.id}/usage${query}`).set(bearer(TEST_ADMIN_TOKEN)), 400, { field });
  });

  it('answers 404 for an unknown tenant, and refuses a tenant key on the admin route', async () => {
    expectError(await request(reader.admin).get('/admin/tenants/00000000-0000-4000-8000-000000000000/usage').set(bearer(TEST_ADMIN_TOKEN)), 404);
    expectError(await request(reader.admin).get(`/admin/tenants/${tenant.id}/usage`).set(bearer(tenant.apiKey)), 403);
  });
});
