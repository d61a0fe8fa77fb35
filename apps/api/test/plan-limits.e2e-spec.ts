import request from 'supertest';
import { bearer, createTenant, orderBody, tenantRowCounts, withOwner } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

describe("the plan's item limit", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    await withOwner(api.ownerUrl, (client) =>
      client.query(
        `INSERT INTO plans (id, name, requests_per_minute, max_items_per_order, statement_timeout_ms)
         VALUES ('test_two_items', 'Two items', 1000, 2, 2000) ON CONFLICT (id) DO NOTHING`,
      ),
    );
  });
  afterAll(async () => {
    // The database is shared by every test file: leave the plans as the contract knows them.
    await withOwner(api.ownerUrl, async (client) => {
      await client.query(`UPDATE tenants SET plan = 'free' WHERE plan = 'test_two_items'`);
      await client.query(`DELETE FROM plans WHERE id = 'test_two_items'`);
    });
    await api.close();
  });

  it('refuses an order with more items than the plan allows, and writes nothing', async () => {
    const tenant = await createTenant(api.admin);
    await withOwner(api.ownerUrl, (client) => client.query(`UPDATE tenants SET plan = 'test_two_items' WHERE id = $1`, [tenant.id]));
    const items = [1, 2, 3].map((n) => ({ sku: `SKU-${n}`, quantity: 1, unitPriceCents: 100 }));

    const refused = await request(api.server).post('/v1/orders').set(bearer(tenant.apiKey)).send(orderBody({ items })).expect(400);
    expect(refused.body.details).toEqual([{ field: 'items', message: expect.stringContaining('at most 2 items') }]);
    expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual({ orders: 0, order_items: 0, payments: 0, refunds: 0 });

    await request(api.server)
      .post('/v1/orders')
      .set(bearer(tenant.apiKey))
      .send(orderBody({ items: items.slice(0, 2) }))
      .expect(201);
  });
});
