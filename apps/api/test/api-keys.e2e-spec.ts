import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, createOrder, createTenant, TEST_ADMIN_TOKEN } from '@app/testing';
import { expectError, UUID } from './support/expectations';
import { startTestApi, TestApi } from './support/api';

const admin = bearer(TEST_ADMIN_TOKEN);

describe('Api keys (/admin/tenants/:id/api-keys) and tenant credentials', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const addKey = (tenantId: string) => request(api.admin).post(`/admin/tenants/${tenantId}/api-keys`).set(admin);
  const revoke = (tenantId: string, keyId: string) => request(api.admin).delete(`/admin/tenants/${tenantId}/api-keys/${keyId}`).set(admin);
  const whoAmI = (key: string) => request(api.server).get('/v1/tenant').set(bearer(key));

  describe('POST /admin/tenants/:id/api-keys', () => {
    it('answers 201 with {id, apiKey}; the new key works for the same tenant and the first key keeps working', async () => {
      const tenant = await createTenant(api.admin);
      const response = await addKey(tenant.id).expect(201);
      expect(Object.keys(response.body).sort()).toEqual(['apiKey', 'id']);
      expect(response.body.id).toMatch(UUID);
      expect(typeof response.body.apiKey).toBe('string');
      expect(response.body.apiKey).not.toBe(tenant.apiKey);
      expect((await whoAmI(response.body.apiKey).expect(200)).body.id).toBe(tenant.id);
      expect((await whoAmI(tenant.apiKey).expect(200)).body.id).toBe(tenant.id);
    });

    it('gives every key a different secret and id', async () => {
      const tenant = await createTenant(api.admin);
      const keys = await Promise.all(Array.from({ length: 5 }, () => addKey(tenant.id).expect(201)));
      expect(new Set(keys.map((key) => key.body.apiKey)).size).toBe(5);
      expect(new Set(keys.map((key) => key.body.id)).size).toBe(5);
    });

    it('lets orders written with one key be read with another key of the same tenant', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant);
      const second = await addKey(tenant.id).expect(201);
      await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(second.body.apiKey)).expect(200);
    });

    it('answers 404 for a tenant that does not exist', async () => {
      expectError(await addKey(randomUUID()), 404);
    });
  });

  describe('DELETE /admin/tenants/:id/api-keys/:keyId', () => {
    it('answers 204 with no body; the key is refused (401) from the next request on, the other keys still work', async () => {
      const tenant = await createTenant(api.admin);
      const doomed = await addKey(tenant.id).expect(201);
      await whoAmI(doomed.body.apiKey).expect(200);
      const response = await revoke(tenant.id, doomed.body.id).expect(204);
      expect(response.text).toBe('');
      expectError(await whoAmI(doomed.body.apiKey), 401);
      expectError(await request(api.server).get('/v1/orders').set(bearer(doomed.body.apiKey)), 401);
      await whoAmI(tenant.apiKey).expect(200);
    });

    it('answers 404 for a key that is already revoked', async () => {
      const tenant = await createTenant(api.admin);
      const key = await addKey(tenant.id).expect(201);
      await revoke(tenant.id, key.body.id).expect(204);
      expectError(await revoke(tenant.id, key.body.id), 404);
    });

    it("answers 404 for another tenant's key, and that key keeps working", async () => {
      const owner = await createTenant(api.admin);
      const other = await createTenant(api.admin);
      const key = await addKey(owner.id).expect(201);
      expectError(await revoke(other.id, key.body.id), 404);
      expect((await whoAmI(key.body.apiKey).expect(200)).body.id).toBe(owner.id);
    });

    it('answers 404 for a key id or a tenant that does not exist', async () => {
      const tenant = await createTenant(api.admin);
      expectError(await revoke(tenant.id, randomUUID()), 404);
      expectError(await revoke(randomUUID(), randomUUID()), 404);
    });
  });

  describe('tenant credentials on /v1', () => {
    it.each([
      ['no Authorization header', {}],
      ['an empty bearer', { Authorization: 'Bearer ' }],
      ['a Basic scheme', { Authorization: 'Basic dGs6c2VjcmV0' }],
      ['a key that was never issued', bearer(`tk_${'A'.repeat(43)}`)],
      ['a token that is not shaped like a key', bearer('hello')],
      ['two tokens', { Authorization: 'Bearer tk_a tk_b' }],
    ])('answers 401 for %s on every route', async (_name, headers) => {
      for (const call of [
        request(api.server).get('/v1/tenant'),
        request(api.server).get('/v1/countries'),
        request(api.server).get('/v1/plans'),
        request(api.server).get('/v1/orders'),
        request(api.server)
          .post('/v1/orders')
          .send({ countryCode: 'US', items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }),
        request(api.server).get('/v1/orders/1'),
        request(api.server).post('/v1/orders/1/cancel'),
        request(api.server).post('/v1/orders/1/payments').send({ amountCents: 1, method: 'card' }),
        request(api.server).get('/v1/orders/1/payments'),
        request(api.server).get('/v1/stats'),
      ]) {
        expectError(await call.set(headers as Record<string, string>), 401);
      }
    });

    it('accepts the bearer scheme in any case', async () => {
      const tenant = await createTenant(api.admin);
      await request(api.server).get('/v1/tenant').set('Authorization', `bearer ${tenant.apiKey}`).expect(200);
    });
  });
});
