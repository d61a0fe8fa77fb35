import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import {
  bearer,
  createOrder,
  createTenant,
  orderBody,
  tenantRowCounts,
  TEST_ADMIN_TOKEN,
  TEST_ANALYTICS_TOKEN,
  testEndpoints,
  TestTenant,
  withOwner,
} from '@app/testing';
import { expectError } from './support/expectations';
import { startTestApi, TestApi } from './support/api';

describe('Tenant isolation: the api key alone decides the tenant', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const as = (tenant: TestTenant | string) => bearer(typeof tenant === 'string' ? tenant : tenant.apiKey);

  /** Everything tenant B can see of itself, to compare before and after A's attempts. */
  const snapshotOf = async (tenant: TestTenant, orderIds: number[]) => ({
    counts: await tenantRowCounts(api.ownerUrl, tenant.id),
    orders: await Promise.all(orderIds.map(async (id) => (await request(api.server).get(`/v1/orders/${id}`).set(as(tenant)).expect(200)).body)),
    list: (await request(api.server).get('/v1/orders?limit=100').set(as(tenant)).expect(200)).body,
    stats: (await request(api.server).get('/v1/stats').set(as(tenant)).expect(200)).body,
  });

  describe("tenant A using tenant B's order ids gets 404 and changes nothing", () => {
    let a: TestTenant;
    let b: TestTenant;
    let pending: Record<string, any>;
    let partlyPaid: Record<string, any>;

    beforeAll(async () => {
      a = await createTenant(api.admin);
      b = await createTenant(api.admin);
      await createOrder(api.server, a);
      pending = await createOrder(api.server, b);
      partlyPaid = await createOrder(api.server, b);
      await request(api.server).post(`/v1/orders/${partlyPaid.id}/payments`).set(as(b)).send({ amountCents: 100, method: 'card' }).expect(201);
    });

    const routes: Array<[string, (orderId: number) => request.Test]> = [
      ['GET /v1/orders/:id', (id) => request(api.server).get(`/v1/orders/${id}`).set(as(a))],
      ['POST /v1/orders/:id/cancel', (id) => request(api.server).post(`/v1/orders/${id}/cancel`).set(as(a))],
      ['POST /v1/orders/:id/payments', (id) => request(api.server).post(`/v1/orders/${id}/payments`).set(as(a)).send({ amountCents: 100, method: 'card' })],
      [
        'POST /v1/orders/:id/payments with an Idempotency-Key',
        (id) =>
          request(api.server).post(`/v1/orders/${id}/payments`).set(as(a)).set('Idempotency-Key', randomUUID()).send({ amountCents: 1, method: 'wallet' }),
      ],
      ['GET /v1/orders/:id/payments', (id) => request(api.server).get(`/v1/orders/${id}/payments`).set(as(a))],
    ];

    it.each(routes)('%s', async (_route, call) => {
      const before = await snapshotOf(b, [pending.id, partlyPaid.id]);
      const countsOfA = await tenantRowCounts(api.ownerUrl, a.id);
      for (const order of [pending, partlyPaid]) {
        const response = await call(order.id);
        expectError(response, 404);
        expect(response.body.message).toBe('Order not found');
        expect(JSON.stringify(response.body)).not.toContain(b.id);
      }
      expect(await snapshotOf(b, [pending.id, partlyPaid.id])).toEqual(before);
      expect(await tenantRowCounts(api.ownerUrl, a.id)).toEqual(countsOfA);
    });

    it("answers the same 404 for B's order as for an id that exists nowhere", async () => {
      const foreign = await request(api.server).get(`/v1/orders/${pending.id}`).set(as(a));
      const missing = await request(api.server).get('/v1/orders/9007199254740991').set(as(a));
      const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
      expect(strip(foreign.body)).toEqual(strip(missing.body));
      expect(foreign.status).toBe(missing.status);
    });

    it("never lists B's orders or counts them in A's stats", async () => {
      const listed = await request(api.server).get('/v1/orders?limit=100').set(as(a)).expect(200);
      expect(listed.body.data).toHaveLength(1);
      expect(listed.body.data.map((order: { id: number }) => order.id)).not.toContain(pending.id);
      const stats = await request(api.server).get('/v1/stats').set(as(a)).expect(200);
      expect(stats.body.orders.total).toBe(1);
      expect(stats.body.paidCents).toBe(0);
    });
  });

  describe('no header, query parameter or body field can choose the tenant', () => {
    let a: TestTenant;
    let b: TestTenant;
    let orderOfB: Record<string, any>;

    beforeAll(async () => {
      a = await createTenant(api.admin);
      b = await createTenant(api.admin);
      orderOfB = await createOrder(api.server, b);
    });

    const tenantHeaders = (tenantId: string) => ({ 'X-Tenant-Id': tenantId, 'X-Tenant': tenantId, Tenant: tenantId, 'X-Forwarded-Tenant': tenantId });

    it("GET /v1/tenant answers the key's tenant whatever the headers and query say", async () => {
      const response = await request(api.server).get('/v1/tenant').query({ tenant_id: b.id, tenantId: b.id }).set(as(a)).set(tenantHeaders(b.id)).expect(200);
      expect(response.body.id).toBe(a.id);
    });

    it("GET /v1/orders/:id with B's tenant id in headers and query is still a 404 for A", async () => {
      const response = await request(api.server).get(`/v1/orders/${orderOfB.id}`).query({ tenant_id: b.id }).set(as(a)).set(tenantHeaders(b.id));
      expectError(response, 404);
    });

    it("GET /v1/orders answers 400 for ?tenant_id= or ?tenantId= (unknown parameters), never B's orders", async () => {
      for (const query of [{ tenant_id: b.id }, { tenantId: b.id }]) {
        expectError(await request(api.server).get('/v1/orders').query(query).set(as(a)), 400, { withDetails: true });
      }
      const listed = await request(api.server).get('/v1/orders').set(as(a)).set(tenantHeaders(b.id)).expect(200);
      expect(listed.body.data).toEqual([]);
    });

    it("GET /v1/stats answers the key's tenant whatever the headers and query say", async () => {
      const response = await request(api.server).get('/v1/stats').query({ tenant_id: b.id }).set(as(a)).set(tenantHeaders(b.id)).expect(200);
      expect(response.body.orders.total).toBe(0);
    });

    it('POST /v1/orders with tenantId or tenant_id in the body is a 400 and writes nothing for anyone', async () => {
      const before = { a: await tenantRowCounts(api.ownerUrl, a.id), b: await tenantRowCounts(api.ownerUrl, b.id) };
      for (const field of ['tenantId', 'tenant_id']) {
        expectError(
          await request(api.server)
            .post('/v1/orders')
            .set(as(a))
            .send({ ...orderBody(), [field]: b.id }),
          400,
          { field },
        );
        expectError(
          await request(api.server)
            .post('/v1/orders')
            .set(as(a))
            .send({ ...orderBody(), items: [{ sku: 'A', quantity: 1, unitPriceCents: 1, [field]: b.id }] }),
          400,
          { field: `items[0].${field}` },
        );
      }
      expect({ a: await tenantRowCounts(api.ownerUrl, a.id), b: await tenantRowCounts(api.ownerUrl, b.id) }).toEqual(before);
    });

    it("POST /v1/orders with B's id in X-Tenant-Id creates the order for A", async () => {
      const before = await tenantRowCounts(api.ownerUrl, b.id);
      const created = await request(api.server).post('/v1/orders').query({ tenant_id: b.id }).set(as(a)).set(tenantHeaders(b.id)).send(orderBody()).expect(201);
      await request(api.server).get(`/v1/orders/${created.body.id}`).set(as(a)).expect(200);
      expectError(await request(api.server).get(`/v1/orders/${created.body.id}`).set(as(b)), 404);
      expect(await tenantRowCounts(api.ownerUrl, b.id)).toEqual(before);
      const owner = await withOwner(api.ownerUrl, (client) =>
        client.query<{ tenant_id: string }>('SELECT tenant_id FROM orders WHERE tenant_id = ANY($1) AND id = $2', [[a.id, b.id], created.body.id]),
      );
      expect(owner.rows).toEqual([{ tenant_id: a.id }]);
    });

    it('POST /v1/orders/:id/payments with tenantId in the body is a 400 and writes nothing', async () => {
      const before = await tenantRowCounts(api.ownerUrl, b.id);
      const response = await request(api.server).post(`/v1/orders/${orderOfB.id}/payments`).set(as(a)).send({ amountCents: 1, method: 'card', tenantId: b.id });
      expectError(response, 400, { field: 'tenantId' });
      expect(await tenantRowCounts(api.ownerUrl, b.id)).toEqual(before);
    });

    it("an Idempotency-Key that B already used creates A's own order, never replays B's", async () => {
      const key = randomUUID();
      const ofB = await request(api.server).post('/v1/orders').set(as(b)).set('Idempotency-Key', key).send(orderBody()).expect(201);
      const ofA = await request(api.server).post('/v1/orders').set(as(a)).set('Idempotency-Key', key).send(orderBody()).expect(201);
      expect(ofA.headers['idempotent-replayed']).toBeUndefined();
      expect(ofA.body.id).not.toBe(ofB.body.id);
      const again = await request(api.server).post('/v1/orders').set(as(a)).set('Idempotency-Key', key).send(orderBody()).expect(201);
      expect(again.body.id).toBe(ofA.body.id);
    });
  });

  describe('tokens of the wrong kind', () => {
    it('a tenant key on an admin route is a 403', async () => {
      const tenant = await createTenant(api.admin);
      for (const call of [
        request(api.admin).get('/admin/tenants'),
        request(api.admin).get(`/admin/tenants/${tenant.id}`),
        request(api.admin).patch(`/admin/tenants/${tenant.id}`).send({ plan: 'free' }),
        request(api.admin).delete(`/admin/tenants/${tenant.id}`),
        request(api.admin).get(`/admin/tenants/${tenant.id}/export`),
        request(api.admin).post(`/admin/tenants/${tenant.id}/api-keys`),
        request(api.admin).get('/admin/cluster'),
      ]) {
        expectError(await call.set(as(tenant)), 403);
      }
      await request(api.server).get('/v1/tenant').set(as(tenant)).expect(200);
      expect((await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(as(TEST_ADMIN_TOKEN)).expect(200)).body.plan).toBe('enterprise');
    });

    it('the ADMIN_TOKEN or the analytics token on a tenant route is a 403', async () => {
      for (const token of [TEST_ADMIN_TOKEN, TEST_ANALYTICS_TOKEN]) {
        expectError(await request(api.server).get('/v1/tenant').set(as(token)), 403);
        expectError(await request(api.server).get('/v1/orders').set(as(token)), 403);
        expectError(await request(api.server).post('/v1/orders').set(as(token)).send(orderBody()), 403);
      }
    });

    it('the analytics token on an admin route is a 403', async () => {
      expectError(await request(api.admin).get('/admin/tenants').set(as(TEST_ANALYTICS_TOKEN)), 403);
    });
  });

  describe('the life of a tenant and its keys', () => {
    it('a revoked key is refused (401) from the very next request on', async () => {
      const tenant = await createTenant(api.admin);
      const second = await request(api.admin).post(`/admin/tenants/${tenant.id}/api-keys`).set(as(TEST_ADMIN_TOKEN)).expect(201);
      // Warm every cache with both keys first.
      await request(api.server).get('/v1/tenant').set(as(tenant)).expect(200);
      await request(api.server).get('/v1/tenant').set(as(second.body.apiKey)).expect(200);
      await request(api.admin).delete(`/admin/tenants/${tenant.id}/api-keys/${second.body.id}`).set(as(TEST_ADMIN_TOKEN)).expect(204);
      expectError(await request(api.server).get('/v1/tenant').set(as(second.body.apiKey)), 401);
      expectError(await request(api.server).post('/v1/orders').set(as(second.body.apiKey)).send(orderBody()), 401);
      await request(api.server).get('/v1/tenant').set(as(tenant)).expect(200);
      expect((await tenantRowCounts(api.ownerUrl, tenant.id)).orders).toBe(0);
    });

    it('a suspended tenant gets 403 on every /v1 route and writes nothing; reactivated, it gets 200 again', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant);
      const before = await tenantRowCounts(api.ownerUrl, tenant.id);
      const suspended = await request(api.admin).patch(`/admin/tenants/${tenant.id}`).set(as(TEST_ADMIN_TOKEN)).send({ status: 'suspended' }).expect(200);
      expect(suspended.body.status).toBe('suspended');
      for (const call of [
        request(api.server).get('/v1/tenant'),
        request(api.server).get('/v1/countries'),
        request(api.server).get('/v1/orders'),
        request(api.server).get(`/v1/orders/${order.id}`),
        request(api.server).post('/v1/orders').send(orderBody()),
        request(api.server).post(`/v1/orders/${order.id}/cancel`),
        request(api.server).post(`/v1/orders/${order.id}/payments`).send({ amountCents: 1, method: 'card' }),
        request(api.server).get('/v1/stats'),
      ]) {
        expectError(await call.set(as(tenant)), 403);
      }
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual(before);

      await request(api.admin).patch(`/admin/tenants/${tenant.id}`).set(as(TEST_ADMIN_TOKEN)).send({ status: 'active' }).expect(200);
      const response = await request(api.server).get(`/v1/orders/${order.id}`).set(as(tenant)).expect(200);
      expect(response.body.status).toBe('pending');
      await request(api.server).get('/v1/tenant').set(as(tenant)).expect(200);
    });

    it('DELETE /admin/tenants/:id removes every row of the tenant and its keys stop working; other tenants keep theirs', async () => {
      const doomed = await createTenant(api.admin);
      const bystander = await createTenant(api.admin);
      const extraKey = await request(api.admin).post(`/admin/tenants/${doomed.id}/api-keys`).set(as(TEST_ADMIN_TOKEN)).expect(201);
      for (let index = 0; index < 3; index += 1) {
        const order = await createOrder(api.server, doomed);
        await request(api.server).post(`/v1/orders/${order.id}/payments`).set(as(doomed)).send({ amountCents: 10, method: 'card' }).expect(201);
      }
      const keptOrder = await createOrder(api.server, bystander);
      const bystanderBefore = await tenantRowCounts(api.ownerUrl, bystander.id);
      expect(await tenantRowCounts(api.ownerUrl, doomed.id)).toEqual({ orders: 3, order_items: 6, payments: 3, refunds: 0 });
      await request(api.server).get('/v1/tenant').set(as(doomed)).expect(200);

      const response = await request(api.admin).delete(`/admin/tenants/${doomed.id}`).set(as(TEST_ADMIN_TOKEN)).expect(204);
      expect(response.text).toBe('');

      expect(await tenantRowCounts(api.ownerUrl, doomed.id)).toEqual({ orders: 0, order_items: 0, payments: 0, refunds: 0 });
      const controlPlane = await withOwner(api.ownerUrl, (client) =>
        client.query<{ tenants: number; api_keys: number }>(
          `SELECT (SELECT count(*) FROM tenants WHERE id = $1)::int AS tenants, (SELECT count(*) FROM api_keys WHERE tenant_id = $1)::int AS api_keys`,
          [doomed.id],
        ),
      );
      expect(controlPlane.rows[0]).toEqual({ tenants: 0, api_keys: 0 });
      for (const key of [doomed.apiKey, extraKey.body.apiKey]) {
        expectError(await request(api.server).get('/v1/tenant').set(as(key)), 401);
      }
      expectError(await request(api.admin).get(`/admin/tenants/${doomed.id}`).set(as(TEST_ADMIN_TOKEN)), 404);
      expectError(await request(api.admin).delete(`/admin/tenants/${doomed.id}`).set(as(TEST_ADMIN_TOKEN)), 404);

      expect(await tenantRowCounts(api.ownerUrl, bystander.id)).toEqual(bystanderBefore);
      await request(api.server).get(`/v1/orders/${keptOrder.id}`).set(as(bystander)).expect(200);
    });
  });

  describe('the database backstop', () => {
    it('fails a statement of the tenant role that runs without a tenant context, rather than answering with nothing', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant);
      const client = new Client({ connectionString: testEndpoints().tenant });
      await client.connect();
      try {
        await expect(client.query('SELECT id FROM orders WHERE tenant_id = $1 AND id = $2', [tenant.id, order.id])).rejects.toThrow(/no tenant context/);
        await client.query('BEGIN');
        await client.query(`SET LOCAL app.tenant_id = '${tenant.id}'`);
        expect((await client.query('SELECT id FROM orders WHERE tenant_id = $1 AND id = $2', [tenant.id, order.id])).rows).toEqual([{ id: order.id }]);
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
    });
  });
});
