import request from 'supertest';
import { bearer, createOrder, createTenant, TEST_ADMIN_TOKEN } from '@app/testing';
import { expectError } from './support/expectations';
import { startTestApi, TestApi } from './support/api';
import { exportArchive } from './support/archive';

const admin = bearer(TEST_ADMIN_TOKEN);

describe('The audit trail (GET /admin/audit)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const entriesOf = async (tenantId: string) => {
    const entries: Array<Record<string, any>> = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(api.admin)
        .get(`/admin/audit?limit=5${cursor ? `&cursor=${cursor}` : ''}`)
        .set(admin)
        .expect(200);
      entries.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor && entries.length < 500);
    return entries.filter((entry) => entry.tenantId === tenantId).reverse();
  };

  it('records every admin action with who, what, when and the request id; never a key', async () => {
    const created = await request(api.admin)
      .post('/admin/tenants')
      .set(admin)
      .set('X-Request-Id', 'audit-create-1')
      .send({ name: 'audited', plan: 'pro' })
      .expect(201);
    const tenantId: string = created.body.tenant.id;
    const key = await request(api.admin).post(`/admin/tenants/${tenantId}/api-keys`).set(admin).expect(201);
    await request(api.admin).delete(`/admin/tenants/${tenantId}/api-keys/${key.body.id}`).set(admin).expect(204);
    await request(api.admin).patch(`/admin/tenants/${tenantId}`).set(admin).send({ status: 'suspended' }).expect(200);
    await request(api.admin).get(`/admin/tenants/${tenantId}`).set(admin).expect(200);
    await request(api.admin).delete(`/admin/tenants/${tenantId}`).set(admin).expect(204);

    const entries = await entriesOf(tenantId);
    expect(entries.map((entry) => entry.action)).toEqual(['tenant.created', 'api_key.created', 'api_key.revoked', 'tenant.changed', 'tenant.deleted']);
    expect(entries[0]).toMatchObject({ actor: 'admin-token', requestId: 'audit-create-1', details: { name: 'audited', plan: 'pro' } });
    expect(entries[1].details).toEqual({ keyId: key.body.id });
    expect(entries[2].details).toEqual({ keyId: key.body.id });
    expect(entries[3].details).toEqual({ status: 'suspended' });
    for (const entry of entries) {
      expect(Date.parse(entry.occurredAt)).not.toBeNaN();
      expect(JSON.stringify(entry)).not.toContain(created.body.apiKey);
      expect(JSON.stringify(entry)).not.toContain(key.body.apiKey);
    }
  });

  it('records an import with its row counts', async () => {
    const tenant = await createTenant(api.admin);
    await createOrder(api.server, tenant);
    const archive = await exportArchive(api.admin, tenant.id);
    const copy = await request(api.admin)
      .post('/admin/tenants/import?as=new')
      .set(admin)
      .set('Content-Type', 'application/x-ndjson')
      .send(archive.body as string)
      .expect(201);
    const entries = await entriesOf(copy.body.tenant.id);
    expect(entries).toEqual([
      expect.objectContaining({ action: 'tenant.imported', details: { as: 'new', rows: { orders: 1, order_items: 2, payments: 0, refunds: 0 } } }),
    ]);
  });

  it('records nothing for a refused action, and refuses tenant keys and bad cursors', async () => {
    const before = (await request(api.admin).get('/admin/audit?limit=1').set(admin).expect(200)).body.data[0];
    await request(api.admin).post('/admin/tenants').set(admin).send({ name: '' }).expect(400);
    const after = (await request(api.admin).get('/admin/audit?limit=1').set(admin).expect(200)).body.data[0];
    expect(after).toEqual(before);
    const tenant = await createTenant(api.admin);
    expectError(await request(api.admin).get('/admin/audit').set(bearer(tenant.apiKey)), 403);
    expectError(await request(api.admin).get('/admin/audit?cursor=abc'), 401);
    expectError(await request(api.admin).get('/admin/audit?cursor=abc').set(admin), 400, { field: 'cursor' });
  });
});
