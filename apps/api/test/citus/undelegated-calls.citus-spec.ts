import request from 'supertest';
import { bearer, createOrder, createTenant, TestTenant, withOwner } from '@app/testing';
import { startTestApi, TestApi } from '../support/api';

/** Citus delegates a tenant function only to a worker whose metadata is synced: docs/guide.md ("When Citus does not delegate"). */
describe('tenant calls while Citus does not delegate them', () => {
  let api: TestApi;
  let tenant: TestTenant;

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api.admin);
  });
  afterAll(async () => {
    await withOwner(api.ownerUrl, (client) => client.query(`SELECT start_metadata_sync_to_all_nodes()`));
    await api.close();
  });

  /** The maintenance daemon syncs the workers again within seconds: every call is made right after they are marked unsynced. */
  const unsynced = <T>(call: () => Promise<T>) =>
    withOwner(api.ownerUrl, async (client) => {
      await client.query(`UPDATE pg_dist_node SET metadatasynced = false WHERE groupid <> 0`);
      return call();
    });

  const undelegatedCalls = async () => {
    const metrics = await request(api.server).get('/metrics').expect(200);
    return Number(/^tenant_call_undelegated_total (\d+)/m.exec(metrics.text)?.[1] ?? 'NaN');
  };

  it('answers every tenant route 2xx, carrying the tenant in a transaction, and counts each such call', async () => {
    const before = await undelegatedCalls();
    const auth = bearer(tenant.apiKey);
    const order = await unsynced(() =>
      request(api.server)
        .post('/v1/orders')
        .set(auth)
        .send({ countryCode: 'US', items: [{ sku: 'U', quantity: 2, unitPriceCents: 500 }] })
        .expect(201),
    );
    const orderId = order.body.id as number;
    await unsynced(() => request(api.server).get(`/v1/orders/${orderId}`).set(auth).expect(200));
    const page = await unsynced(() => request(api.server).get('/v1/orders').set(auth).expect(200));
    expect(page.body.data.map((listed: { id: number }) => listed.id)).toContain(orderId);
    const payment = await unsynced(() =>
      request(api.server)
        .post(`/v1/orders/${orderId}/payments`)
        .set(auth)
        .set('Idempotency-Key', 'undelegated')
        .send({ amountCents: 1000, method: 'card' })
        .expect(201),
    );
    await unsynced(() =>
      request(api.server).post(`/v1/orders/${orderId}/payments/${payment.body.id}/refunds`).set(auth).send({ amountCents: 100 }).expect(201),
    );
    await unsynced(() => request(api.server).get(`/v1/orders/${orderId}/payments`).set(auth).expect(200));
    const reread = await request(api.server).get(`/v1/orders/${orderId}`).set(auth).expect(200);
    expect(reread.body).toMatchObject({ status: 'paid', paidCents: 1000 });
    expect(await undelegatedCalls()).toBeGreaterThanOrEqual(before + 5);
  });

  it('still reads no other tenant on that path', async () => {
    const other = await createTenant(api.admin);
    const theirs = await createOrder(api.server, other);
    await unsynced(() => request(api.server).get(`/v1/orders/${theirs.id}`).set(bearer(tenant.apiKey)).expect(404));
  });
});
