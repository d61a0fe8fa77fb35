import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { bearer, createOrder, createTenant, TestTenant } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

/** Keys of the right form that this deployment never issued: random bodies, with and without a made-up MAC. */
const madeUpKey = (index: number) => {
  const body = `tk_${randomBytes(32).toString('base64url')}`;
  return index % 2 === 0 ? body : `${body}.${randomBytes(16).toString('base64url')}`;
};

describe('A flood of well-formed unknown keys', () => {
  let api: TestApi;
  let tenant: TestTenant;
  let orderId: number;

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api.admin);
    orderId = (await createOrder(api.server, tenant)).id;
  });
  afterAll(() => api.close());

  const databaseLookups = async () => {
    const metrics = await request(api.server).get('/metrics').expect(200);
    return Number(/^api_key_lookups_total\{outcome="database"\} (\d+)/m.exec(metrics.text)?.[1] ?? 0);
  };

  it('is refused without database lookups, while the real tenant is answered every time', async () => {
    const before = await databaseLookups();
    const FLOOD = 600;
    const statuses: number[] = [];
    const real: number[] = [];
    for (let wave = 0; wave < FLOOD / 50; wave += 1) {
      const flood = Array.from({ length: 50 }, (_, index) =>
        request(api.server)
          .get('/v1/orders')
          .set(bearer(madeUpKey(wave * 50 + index))),
      );
      const genuine = request(api.server).get(`/v1/orders/${orderId}`).set(bearer(tenant.apiKey));
      const [answers, mine] = await Promise.all([Promise.all(flood), genuine]);
      statuses.push(...answers.map((response) => response.status));
      real.push(mine.status);
    }
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(new Set(real)).toEqual(new Set([200]));
    const lookups = (await databaseLookups()) - before;
    process.stdout.write(`[unknown keys] ${FLOOD} made-up keys: ${lookups} database lookups (${(lookups / FLOOD).toFixed(4)} per request)\n`);
    // At most the real key's first lookup.
    expect(lookups).toBeLessThanOrEqual(1);
  });
});
