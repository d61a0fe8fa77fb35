import request from 'supertest';
import { ClusterControl, createOrder, createTenant, TestTenant } from '@app/testing';
import { startTestApi, TestApi } from '../support/api';
import { eventually, observe, placementPort, report } from './support';

describe('a worker stops', () => {
  const cluster = new ClusterControl();
  let api: TestApi;
  const onLostWorker: Array<{ tenant: TestTenant; orderId: number }> = [];
  const onOtherWorker: Array<{ tenant: TestTenant; orderId: number }> = [];

  beforeAll(async () => {
    api = await startTestApi();
    const lostPort = cluster.workerPort('worker2');
    for (let index = 0; index < 40 && (onLostWorker.length < 3 || onOtherWorker.length < 3); index += 1) {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant);
      ((await placementPort(api.admin, tenant)) === lostPort ? onLostWorker : onOtherWorker).push({ tenant, orderId: order.id });
    }
    expect(onLostWorker.length).toBeGreaterThanOrEqual(3);
    expect(onOtherWorker.length).toBeGreaterThanOrEqual(3);
  });
  afterAll(async () => {
    cluster.startAll();
    await api.close();
  });

  it("answers 503 with Retry-After for the lost worker's tenants, 200 for the others, and recovers by itself", async () => {
    cluster.stopNode('worker2');

    const lost = [];
    for (const { tenant, orderId } of onLostWorker) lost.push(await observe(api.server, `/v1/orders/${orderId}`, tenant.apiKey));
    const other = [];
    for (const { tenant, orderId } of onOtherWorker) other.push(await observe(api.server, `/v1/orders/${orderId}`, tenant.apiKey));
    report('worker2 down, its tenants', lost);
    report('worker2 down, worker1 tenants', other);

    expect(lost.map((observation) => observation.status)).toEqual(lost.map(() => 503));
    expect(lost.every((observation) => /^\d+$/.test(observation.retryAfter ?? ''))).toBe(true);
    expect(other.map((observation) => observation.status)).toEqual(other.map(() => 200));

    cluster.startAll();
    const recovered = await eventually(async () => {
      for (const { tenant, orderId } of onLostWorker) {
        if ((await observe(api.server, `/v1/orders/${orderId}`, tenant.apiKey)).status !== 200) return false;
      }
      return true;
    });
    expect(recovered).toBe(true);
    // Writes work again too, on the same API instance.
    const { tenant } = onLostWorker[0];
    await request(api.server)
      .post('/v1/orders')
      .set({ Authorization: `Bearer ${tenant.apiKey}` })
      .send({ countryCode: 'DE', items: [{ sku: 'after-recovery', quantity: 1, unitPriceCents: 100 }] })
      .expect(201);
  });
});
