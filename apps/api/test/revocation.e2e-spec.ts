import request from 'supertest';
import { bearer, createTenant, TEST_ADMIN_TOKEN } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

const admin = bearer(TEST_ADMIN_TOKEN);

/**
 * Two API processes' worth of apps, each with its own key cache trusted for a minute: a change
 * made through one must be refused by the other on its very next request.
 */
describe('Revocation is instant across API processes (LISTEN/NOTIFY)', () => {
  let first: TestApi;
  let second: TestApi;

  beforeAll(async () => {
    first = await startTestApi({ API_KEY_CACHE_TTL_MS: '60000' });
    second = await startTestApi({ API_KEY_CACHE_TTL_MS: '60000' });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('a key revoked in one process is refused by the other on its next request', async () => {
    const tenant = await createTenant(first.admin);
    const extra = await request(first.admin).post(`/admin/tenants/${tenant.id}/api-keys`).set(admin).expect(201);
    await request(second.server).get('/v1/tenant').set(bearer(extra.body.apiKey)).expect(200);
    const revokedAt = Date.now();
    await request(first.admin).delete(`/admin/tenants/${tenant.id}/api-keys/${extra.body.id}`).set(admin).expect(204);
    await request(second.server).get('/v1/tenant').set(bearer(extra.body.apiKey)).expect(401);
    process.stdout.write(`[revocation] revoked in one process, refused by the other ${Date.now() - revokedAt} ms after the revoke was sent\n`);
    await request(second.server).get('/v1/tenant').set(bearer(tenant.apiKey)).expect(200);
  });

  it('a tenant suspended in one process is refused by the other on its next request, and let back in when reactivated', async () => {
    const tenant = await createTenant(first.admin);
    await request(second.server).get('/v1/tenant').set(bearer(tenant.apiKey)).expect(200);
    await request(first.admin).patch(`/admin/tenants/${tenant.id}`).set(admin).send({ status: 'suspended' }).expect(200);
    await request(second.server).get('/v1/tenant').set(bearer(tenant.apiKey)).expect(403);
    await request(first.admin).patch(`/admin/tenants/${tenant.id}`).set(admin).send({ status: 'active' }).expect(200);
    await request(second.server).get('/v1/tenant').set(bearer(tenant.apiKey)).expect(200);
  });

  it('a tenant deleted in one process is refused by the other on its next request', async () => {
    const tenant = await createTenant(first.admin);
    await request(second.server).get('/v1/tenant').set(bearer(tenant.apiKey)).expect(200);
    await request(first.admin).delete(`/admin/tenants/${tenant.id}`).set(admin).expect(204);
    await request(second.server).get('/v1/tenant').set(bearer(tenant.apiKey)).expect(401);
  });
});
