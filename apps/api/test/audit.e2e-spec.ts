import request from 'supertest';
import { bearer, createOrder, createTenant, TEST_ADMIN_TOKEN, withOwner } from '@app/testing';
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
    expect(entries[0]).toMatchObject({ actor: 'admin-token', clientRequestId: 'audit-create-1', details: { name: 'audited', plan: 'pro' } });
    // The record's own id is the server's: a client cannot make two entries share one, or forge a link to another.
    expect(entries[0].requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(entries.map((entry) => entry.requestId)).size).toBe(entries.length);
    expect(entries[1].clientRequestId).toBeNull();
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

  it('records an export: a full copy of a tenant is a read that matters', async () => {
    const tenant = await createTenant(api.admin);
    await exportArchive(api.admin, tenant.id).expect(200);
    const entries = await entriesOf(tenant.id);
    expect(entries.map((entry) => entry.action)).toEqual(['tenant.created', 'tenant.exported']);
  });

  it("writes the record in the action's transaction: no record, no change", async () => {
    const tenant = await createTenant(api.admin);
    await withOwner(api.ownerUrl, (client) => client.query('REVOKE INSERT ON admin_audit FROM app_control'));
    try {
      const refused = await request(api.admin).patch(`/admin/tenants/${tenant.id}`).set(admin).send({ status: 'suspended' });
      expect(refused.status).toBe(500);
      const key = await request(api.admin).post(`/admin/tenants/${tenant.id}/api-keys`).set(admin);
      expect(key.status).toBe(500);
    } finally {
      await withOwner(api.ownerUrl, (client) => client.query('GRANT INSERT ON admin_audit TO app_control'));
    }
    const after = await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(admin).expect(200);
    expect(after.body.status).toBe('active');
    const keys = await withOwner(
      api.ownerUrl,
      async (client) => (await client.query('SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1', [tenant.id])).rows[0].n,
    );
    expect(keys).toBe(1);
  });

  it('records refused attempts with the kind of token, never the token, and at most a bounded number a second', async () => {
    const tenant = await createTenant(api.admin);
    const latest = async () => (await request(api.admin).get('/admin/audit?limit=1').set(admin).expect(200)).body.data[0];
    await request(api.admin).get('/admin/tenants').set(bearer(tenant.apiKey)).expect(403);
    expect(await eventuallyLatest(latest, 'tenant-key')).toMatchObject({
      action: 'admin.refused',
      actor: 'tenant-key',
      details: { status: 403, method: 'GET', path: '/admin/tenants' },
    });
    expect(JSON.stringify(await latest())).not.toContain(tenant.apiKey);
    await request(api.admin).delete(`/admin/tenants/${tenant.id}`).set(bearer('not-the-admin-token-at-all')).expect(401);
    expect(await eventuallyLatest(latest, 'unknown-token')).toMatchObject({ action: 'admin.refused', details: { status: 401, method: 'DELETE' } });

    const countRefusals = () =>
      withOwner(
        api.ownerUrl,
        async (client) => (await client.query(`SELECT count(*)::int AS n FROM admin_audit WHERE action = 'admin.refused'`)).rows[0].n as number,
      );
    const before = await countRefusals();
    const started = Date.now();
    await Promise.all(Array.from({ length: 200 }, () => request(api.admin).get('/admin/cluster').set(bearer('flood-of-wrong-tokens-0123456789'))));
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const recorded = (await countRefusals()) - before;
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBeLessThanOrEqual(20 * seconds);
    expect(recorded).toBeLessThan(200);
  });
});

async function eventuallyLatest(latest: () => Promise<Record<string, any>>, actor: string): Promise<Record<string, any>> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const entry = await latest();
    if (entry?.actor === actor) return entry;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return latest();
}
