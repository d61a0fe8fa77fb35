import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, createOrder, createTenant, tenantRowCounts, TEST_ADMIN_TOKEN, testTarget, withOwner } from '@app/testing';
import { expectError, expectTenant, UUID } from './support/expectations';
import { startTestApi, TestApi } from './support/api';
import { exportArchive } from './support/archive';

const admin = bearer(TEST_ADMIN_TOKEN);

/** GETs an export and returns its status, headers and NDJSON lines (read whole, whatever the content type). */
async function exportOf(server: TestApi['server'], tenantId: string) {
  const response = await exportArchive(server, tenantId);
  const text = response.body as string;
  const lines = response.status === 200 ? text.split('\n') : [];
  if (response.status === 200) expect(lines.pop()).toBe('');
  return { status: response.status, headers: response.headers, text, lines: lines.map((line) => JSON.parse(line) as Record<string, any>) };
}

describe('Admin API: tenants (/admin/tenants)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  describe('POST /admin/tenants', () => {
    it('answers 201 with the Tenant and an api key that works at once', async () => {
      const name = `Acme ${randomUUID()}`;
      const response = await request(api.admin).post('/admin/tenants').set(admin).send({ name, plan: 'pro' }).expect(201);
      expect(Object.keys(response.body).sort()).toEqual(['apiKey', 'tenant']);
      expectTenant(response.body.tenant);
      expect(response.body.tenant).toMatchObject({ name, plan: 'pro', status: 'active' });
      expect(typeof response.body.apiKey).toBe('string');
      const self = await request(api.server).get('/v1/tenant').set(bearer(response.body.apiKey)).expect(200);
      expect(self.body).toEqual(response.body.tenant);
    });

    it('defaults the plan to free', async () => {
      const response = await request(api.admin)
        .post('/admin/tenants')
        .set(admin)
        .send({ name: `Default ${randomUUID()}` })
        .expect(201);
      expect(response.body.tenant.plan).toBe('free');
    });

    it.each(['free', 'pro', 'enterprise'])('accepts plan %s', async (plan) => {
      const response = await request(api.admin)
        .post('/admin/tenants')
        .set(admin)
        .send({ name: `Plan ${plan}`, plan })
        .expect(201);
      expect(response.body.tenant.plan).toBe(plan);
    });

    it('accepts names of 1 and 200 characters', async () => {
      await request(api.admin).post('/admin/tenants').set(admin).send({ name: 'x' }).expect(201);
      const long = randomUUID().padEnd(200, 'y');
      expect((await request(api.admin).post('/admin/tenants').set(admin).send({ name: long }).expect(201)).body.tenant.name).toBe(long);
    });

    it('stores only the hash of the api key', async () => {
      const response = await request(api.admin)
        .post('/admin/tenants')
        .set(admin)
        .send({ name: `Hash ${randomUUID()}` })
        .expect(201);
      const { apiKey, tenant } = response.body;
      const rows = await withOwner(api.ownerUrl, async (client) => (await client.query('SELECT * FROM api_keys WHERE tenant_id = $1', [tenant.id])).rows);
      expect(rows).toHaveLength(1);
      expect(Buffer.from(rows[0].key_hash).equals(createHash('sha256').update(apiKey).digest())).toBe(true);
      expect(JSON.stringify(rows)).not.toContain(apiKey);
    });
  });

  describe('GET /admin/tenants/:id', () => {
    it(`answers 200 with the Tenant and its placement (${testTarget() === 'citus' ? 'shard and node on Citus' : 'null on a single node'})`, async () => {
      const tenant = await createTenant(api.admin, 'pro');
      const response = await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(admin).expect(200);
      expectTenant(response.body, ['placement']);
      expect(response.body).toMatchObject({ id: tenant.id, name: tenant.name, plan: 'pro', status: 'active' });
      if (testTarget() === 'citus') {
        expect(Object.keys(response.body.placement).sort()).toEqual(['nodeName', 'nodePort', 'shardId']);
        expect(Number.isSafeInteger(response.body.placement.shardId)).toBe(true);
        expect(typeof response.body.placement.nodeName).toBe('string');
        expect(Number.isSafeInteger(response.body.placement.nodePort)).toBe(true);
      } else {
        expect(response.body.placement).toBeNull();
      }
    });

    it('answers 404 for a tenant that does not exist', async () => {
      expectError(await request(api.admin).get(`/admin/tenants/${randomUUID()}`).set(admin), 404);
    });
  });

  describe('GET /admin/tenants', () => {
    it('answers 200 with a page of Tenants, newest first', async () => {
      const first = await createTenant(api.admin);
      const second = await createTenant(api.admin);
      const response = await request(api.admin).get('/admin/tenants?limit=100').set(admin).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['data', 'nextCursor']);
      for (const tenant of response.body.data) expectTenant(tenant);
      const ids = response.body.data.map((tenant: { id: string }) => tenant.id);
      expect(ids.indexOf(second.id)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
      const created = response.body.data.map((tenant: { createdAt: string }) => Date.parse(tenant.createdAt));
      expect(created).toEqual([...created].sort((a, b) => b - a));
    });
  });

  describe('PATCH /admin/tenants/:id', () => {
    it('answers 200 with the changed Tenant: status, plan, or both', async () => {
      const tenant = await createTenant(api.admin, 'free');
      const suspended = await request(api.admin).patch(`/admin/tenants/${tenant.id}`).set(admin).send({ status: 'suspended' }).expect(200);
      expectTenant(suspended.body);
      expect(suspended.body).toMatchObject({ id: tenant.id, status: 'suspended', plan: 'free' });
      const both = await request(api.admin).patch(`/admin/tenants/${tenant.id}`).set(admin).send({ status: 'active', plan: 'enterprise' }).expect(200);
      expect(both.body).toMatchObject({ status: 'active', plan: 'enterprise' });
      expect((await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(admin).expect(200)).body).toMatchObject({
        status: 'active',
        plan: 'enterprise',
      });
    });

    it('applies a plan change to the next tenant request', async () => {
      const tenant = await createTenant(api.admin, 'free');
      await request(api.server).get('/v1/tenant').set(bearer(tenant.apiKey)).expect(200);
      await request(api.admin).patch(`/admin/tenants/${tenant.id}`).set(admin).send({ plan: 'pro' }).expect(200);
      expect((await request(api.server).get('/v1/tenant').set(bearer(tenant.apiKey)).expect(200)).body.plan).toBe('pro');
    });

    it('answers 200 with the Tenant unchanged for an empty body', async () => {
      const tenant = await createTenant(api.admin, 'pro');
      const before = (await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(admin).expect(200)).body;
      const response = await request(api.admin).patch(`/admin/tenants/${tenant.id}`).set(admin).send({}).expect(200);
      const { placement: _placement, ...tenantView } = before;
      expect(response.body).toEqual(tenantView);
    });

    it('answers 404 for a tenant that does not exist', async () => {
      expectError(await request(api.admin).patch(`/admin/tenants/${randomUUID()}`).set(admin).send({ status: 'suspended' }), 404);
      expectError(await request(api.admin).patch(`/admin/tenants/${randomUUID()}`).set(admin).send({}), 404);
    });
  });

  describe('DELETE /admin/tenants/:id', () => {
    it('answers 204 with no body, after which every row of the tenant is gone', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant);
      await request(api.server).post(`/v1/orders/${order.id}/payments`).set(bearer(tenant.apiKey)).send({ amountCents: 1, method: 'card' }).expect(201);
      const response = await request(api.admin).delete(`/admin/tenants/${tenant.id}`).set(admin).expect(204);
      expect(response.text).toBe('');
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual({ orders: 0, order_items: 0, payments: 0, refunds: 0 });
      expectError(await request(api.server).get('/v1/orders').set(bearer(tenant.apiKey)), 401);
    });

    it('deletes a tenant that has no orders', async () => {
      const tenant = await createTenant(api.admin);
      await request(api.admin).delete(`/admin/tenants/${tenant.id}`).set(admin).expect(204);
      expectError(await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(admin), 404);
    });

    it('answers 404 for a tenant that does not exist', async () => {
      expectError(await request(api.admin).delete(`/admin/tenants/${randomUUID()}`).set(admin), 404);
    });
  });

  describe('GET /admin/tenants/:id/export', () => {
    it('answers 200 application/x-ndjson: one line per row of every tenant table, then a manifest whose counts match', async () => {
      const tenant = await createTenant(api.admin);
      const other = await createTenant(api.admin);
      await createOrder(api.server, other);
      const first = await createOrder(api.server, tenant);
      const second = await createOrder(api.server, tenant, { items: [{ sku: 'ONE', quantity: 1, unitPriceCents: 300 }] });
      await request(api.server).post(`/v1/orders/${first.id}/payments`).set(bearer(tenant.apiKey)).send({ amountCents: 100, method: 'card' }).expect(201);
      await request(api.server).post(`/v1/orders/${second.id}/payments`).set(bearer(tenant.apiKey)).send({ amountCents: 300, method: 'wallet' }).expect(201);
      await request(api.server).post(`/v1/orders/${first.id}/cancel`).set(bearer(tenant.apiKey)).expect(200);

      const { status, headers, lines, text } = await exportOf(api.admin, tenant.id);
      expect(status).toBe(200);
      expect(headers['content-type']).toMatch(/^application\/x-ndjson/);

      const counts = await tenantRowCounts(api.ownerUrl, tenant.id);
      expect(counts).toEqual({ orders: 2, order_items: 3, payments: 2, refunds: 0 });
      expect(lines[0]).toEqual({ tenant: { id: tenant.id, name: tenant.name, plan: 'enterprise', status: 'active', createdAt: expect.any(String) } });
      const rows = lines.slice(1, -1);
      const manifest = lines[lines.length - 1];
      expect(rows).toHaveLength(counts.orders + counts.order_items + counts.payments);
      expect(Object.keys(manifest)).toEqual(['manifest']);
      expect(manifest.manifest.tenantId).toBe(tenant.id);
      expect(manifest.manifest.counts).toEqual(counts);
      for (const table of ['orders', 'order_items', 'payments']) {
        const tableLines = text.split('\n').filter((line) => line.startsWith(`{"table":"${table}"`));
        const sha256 = createHash('sha256')
          .update(tableLines.map((line) => `${line}\n`).join(''))
          .digest('hex');
        expect(manifest.manifest.sha256[table]).toBe(sha256);
      }
      for (const table of ['orders', 'order_items', 'payments']) {
        expect(rows.filter((line) => line.table === table)).toHaveLength(counts[table]);
      }
      for (const line of rows) {
        expect(Object.keys(line).sort()).toEqual(['row', 'table']);
        expect(line.row.tenant_id).toBe(tenant.id);
      }
      const exportedOrders = rows.filter((line) => line.table === 'orders').map((line) => line.row);
      expect(exportedOrders.map((row) => Number(row.id)).sort((a, b) => a - b)).toEqual([first.id, second.id].sort((a, b) => a - b));
      expect(exportedOrders.find((row) => Number(row.id) === first.id)).toMatchObject({ status: 'cancelled' });
      expect(exportedOrders.find((row) => Number(row.id) === second.id)).toMatchObject({ status: 'paid' });
    });

    it('exports only the tenant line and a manifest with zero counts for a tenant without rows', async () => {
      const tenant = await createTenant(api.admin);
      const { status, lines } = await exportOf(api.admin, tenant.id);
      expect(status).toBe(200);
      expect(lines).toHaveLength(2);
      expect(lines[0].tenant.id).toBe(tenant.id);
      expect(lines[1].manifest.counts).toEqual({ orders: 0, order_items: 0, payments: 0, refunds: 0 });
    });

    it('answers 404 in the error shape for a tenant that does not exist', async () => {
      expectError(await request(api.admin).get(`/admin/tenants/${randomUUID()}/export`).set(admin), 404);
    });
  });

  describe('GET /admin/cluster', () => {
    it(`answers 200 with the mode, the nodes and the tables (${testTarget()})`, async () => {
      const response = await request(api.admin).get('/admin/cluster').set(admin).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['mode', 'nodes', 'tables']);
      expect(response.body.mode).toBe(testTarget() === 'citus' ? 'citus' : 'single-node');
      expect(response.body.nodes.length).toBeGreaterThanOrEqual(testTarget() === 'citus' ? 3 : 1);
      const tables = new Map<string, Record<string, any>>(response.body.tables.map((table: { name: string }) => [table.name, table]));
      for (const name of ['country', 'plans', 'tenants', 'api_keys', 'orders', 'order_items', 'payments']) {
        const table = tables.get(name);
        expect(table).toBeDefined();
        expect(Object.keys(table as object).sort()).toEqual(['colocationId', 'distributionColumn', 'name', 'shardCount', 'type']);
      }
      if (testTarget() === 'citus') {
        const distributed = ['orders', 'order_items', 'payments'].map((name) => tables.get(name) as Record<string, any>);
        for (const table of distributed) expect(table).toMatchObject({ type: 'distributed', distributionColumn: 'tenant_id' });
        expect(new Set(distributed.map((table) => table.colocationId)).size).toBe(1);
        for (const name of ['country', 'plans']) expect(tables.get(name)?.type).toBe('reference');
        for (const name of ['tenants', 'api_keys']) expect(tables.get(name)?.type).toBe('local');
      } else {
        for (const table of tables.values()) expect(table).toMatchObject({ type: 'local', distributionColumn: null, colocationId: null, shardCount: null });
      }
    });
  });

  describe('GET /admin/tenants/hot', () => {
    it('answers 200 with a list of tenants ranked by load (empty on a single node)', async () => {
      const response = await request(api.admin).get('/admin/tenants/hot?limit=5').set(admin).expect(200);
      expect(Object.keys(response.body)).toEqual(['data']);
      expect(response.body.data.length).toBeLessThanOrEqual(5);
      if (testTarget() !== 'citus') expect(response.body.data).toEqual([]);
      for (const entry of response.body.data) expect(entry.tenantId).toMatch(UUID);
    });
  });

  describe('Citus-only operations', () => {
    it('POST /admin/tenants/:id/isolate answers 404 for a tenant that does not exist', async () => {
      expectError(await request(api.admin).post(`/admin/tenants/${randomUUID()}/isolate`).set(admin), 404);
    });

    if (testTarget() !== 'citus') {
      it('POST /admin/tenants/:id/isolate answers 409 on a single node', async () => {
        const tenant = await createTenant(api.admin);
        expectError(await request(api.admin).post(`/admin/tenants/${tenant.id}/isolate`).set(admin), 409);
      });

      it('POST and GET /admin/cluster/rebalance answer 409 on a single node', async () => {
        expectError(await request(api.admin).post('/admin/cluster/rebalance').set(admin), 409);
        expectError(await request(api.admin).get('/admin/cluster/rebalance').set(admin), 409);
      });
    } else {
      it('GET /admin/cluster/rebalance answers 200 with the latest job status', async () => {
        const response = await request(api.admin).get('/admin/cluster/rebalance').set(admin).expect(200);
        expect(Object.keys(response.body)).toEqual(['status']);
      });
    }
  });

  describe('credentials', () => {
    it.each([
      ['no Authorization header', {}],
      ['an unknown token', bearer('not-the-admin-token-at-all')],
      ['a Basic scheme', { Authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}` }],
      ['an empty bearer', { Authorization: 'Bearer ' }],
    ])('answers 401 for %s', async (_name, headers) => {
      expectError(
        await request(api.admin)
          .get('/admin/tenants')
          .set(headers as Record<string, string>),
        401,
      );
      expectError(
        await request(api.admin)
          .post('/admin/tenants')
          .set(headers as Record<string, string>)
          .send({ name: 'x' }),
        401,
      );
    });
  });
});
