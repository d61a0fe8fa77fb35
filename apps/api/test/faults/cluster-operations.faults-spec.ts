import request from 'supertest';
import { bearer, createOrder, createTenant, TEST_ADMIN_TOKEN } from '@app/testing';
import { startTestApi, TestApi } from '../support/api';
import { eventually } from './support';

/**
 * Isolating a tenant and rebalancing change the shard layout, so they run here, on the
 * throwaway cluster of the faults suite, and not on the shared one of the Citus suite.
 */
describe('cluster operations through the admin API', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const admin = () => bearer(TEST_ADMIN_TOKEN);

  it('isolates a tenant to a dedicated shard and keeps serving its data', async () => {
    const tenant = await createTenant(api.admin);
    const neighbour = await createTenant(api.admin);
    const order = await createOrder(api.server, tenant);
    const before = (await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(admin()).expect(200)).body.placement;

    const isolated = await request(api.admin).post(`/admin/tenants/${tenant.id}/isolate`).set(admin()).expect(200);
    expect(isolated.body).toEqual({ shardId: expect.any(Number), nodeName: expect.any(String), nodePort: expect.any(Number), pinned: false });
    expect(isolated.body.shardId).not.toBe(before.shardId);

    const after = (await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(admin()).expect(200)).body.placement;
    const { pinned: _pinned, ...placement } = isolated.body;
    expect(after).toEqual(placement);
    const readBack = await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(tenant.apiKey)).expect(200);
    expect(readBack.body.id).toBe(order.id);
    await createOrder(api.server, neighbour);
  });

  it('answers 404 for an unknown tenant', async () => {
    await request(api.admin).post('/admin/tenants/00000000-0000-4000-8000-000000000000/isolate').set(admin()).expect(404);
  });

  it('ranks tenants by recent load', async () => {
    const busy = await createTenant(api.admin);
    for (let index = 0; index < 5; index += 1) await createOrder(api.server, busy);
    const hot = await request(api.admin).get('/admin/tenants/hot?limit=100').set(admin()).expect(200);
    expect(hot.body.data.map((row: { tenantId: string }) => row.tenantId)).toContain(busy.id);
    expect(hot.body.data[0]).toEqual({
      tenantId: expect.any(String),
      queriesThisPeriod: expect.any(Number),
      queriesLastPeriod: expect.any(Number),
      cpuSecondsThisPeriod: expect.any(Number),
    });
  });

  it('starts a rebalance and reports its status', async () => {
    const started = await request(api.admin).post('/admin/cluster/rebalance').set(admin()).expect(202);
    expect(started.body).toHaveProperty('jobId');
    const finished = await eventually(async () => {
      const status = await request(api.admin).get('/admin/cluster/rebalance').set(admin()).expect(200);
      return status.body.status === null || ['finished', 'failed', 'cancelled'].includes(status.body.status.state);
    });
    expect(finished).toBe(true);
  });
});
