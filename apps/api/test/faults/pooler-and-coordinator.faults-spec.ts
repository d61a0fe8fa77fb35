import request from 'supertest';
import { ClusterControl, createOrder, createTenant, TestTenant } from '@app/testing';
import { startTestApi, TestApi } from '../support/api';
import { eventually, HANG_GUARD_MS, observe, report } from './support';

describe('PgBouncer or the coordinator restarts', () => {
  const cluster = new ClusterControl();
  let api: TestApi;
  let tenant: TestTenant;
  let orderId: number;

  beforeAll(async () => {
    api = await startTestApi({ LOG_LEVEL: 'error' });
    tenant = await createTenant(api.admin);
    orderId = (await createOrder(api.server, tenant)).id;
  });
  afterAll(async () => {
    cluster.startAll();
    await api.close();
  });

  async function readiness(): Promise<number> {
    return (await request(api.server).get('/health/ready').timeout(HANG_GUARD_MS)).status;
  }

  async function servesAgain(): Promise<boolean> {
    return eventually(async () => (await readiness()) === 200 && (await observe(api.server, `/v1/orders/${orderId}`, tenant.apiKey)).status === 200);
  }

  it('PgBouncer gone: 503 with Retry-After (never 500), readiness 503, then recovery without a restart', async () => {
    await observe(api.server, `/v1/orders/${orderId}`, tenant.apiKey);
    cluster.stopPgBouncer();

    const seen = [];
    for (let attempt = 0; attempt < 4; attempt += 1) seen.push(await observe(api.server, `/v1/orders/${orderId}`, tenant.apiKey));
    report('pgbouncer down', seen);
    expect(seen.map((observation) => observation.status)).toEqual(seen.map(() => 503));
    expect(seen.every((observation) => observation.retryAfter !== undefined)).toBe(true);
    expect(await readiness()).toBe(503);

    cluster.startAll();
    expect(await servesAgain()).toBe(true);
  });

  it('coordinator restarts: 503 while it is down, then recovery without a restart', async () => {
    cluster.stopNode('coordinator');

    const seen = [];
    for (let attempt = 0; attempt < 3; attempt += 1) seen.push(await observe(api.server, `/v1/orders/${orderId}`, tenant.apiKey));
    report('coordinator down', seen);
    expect(seen.map((observation) => observation.status)).toEqual(seen.map(() => 503));
    expect(await readiness()).toBe(503);

    cluster.startAll();
    expect(await servesAgain()).toBe(true);
  });
});
