import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { validateEnvironment } from '@app/config';
import {
  bearer,
  BUILT_API_MAIN,
  BuiltApi,
  buildApi,
  createTenant,
  startBuiltApi,
  TEST_ADMIN_TOKEN,
  TEST_API_KEY_SECRET,
  testEndpoints,
  testTarget,
  withOwner,
} from '@app/testing';
import { createControlPlaneApp } from '../../control-plane/src/bootstrap/create-control-plane-app';

const ROOT = join(__dirname, '../../..');

/** Every session of the tenant API process, on the coordinator and (Citus) the worker sessions opened on its behalf. */
async function sessionsOfTheApi(ownerUrl: string): Promise<Array<{ node: string; role: string; superuser: boolean }>> {
  return withOwner(ownerUrl, async (client) => {
    const coordinator = await client.query<{ pid: number; role: string; superuser: boolean }>(
      `SELECT a.pid, a.usename AS role, r.rolsuper AS superuser
         FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
        WHERE a.application_name LIKE 'api:%'`,
    );
    const sessions = coordinator.rows.map(({ role, superuser }) => ({ node: 'coordinator', role, superuser }));
    if (testTarget() !== 'citus') return sessions;
    // Citus names a worker session after the global pid of the coordinator backend it serves: node id * 10^10 + pid.
    const workers = await client.query<{ node: string; result: string }>(
      `SELECT nodename || ':' || nodeport AS node, result FROM run_command_on_workers($$
         SELECT coalesce(json_agg(json_build_object('application', a.application_name, 'role', a.usename, 'superuser', r.rolsuper)), '[]')
           FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename WHERE a.application_name LIKE 'citus_internal gpid=%'
       $$)`,
    );
    const apiPids = new Set(coordinator.rows.map(({ pid }) => pid));
    for (const { node, result } of workers.rows) {
      for (const session of JSON.parse(result) as Array<{ application: string; role: string; superuser: boolean }>) {
        const gpid = Number(/gpid=(\d+)/.exec(session.application)?.[1]);
        if (apiPids.has(gpid % 10_000_000_000)) sessions.push({ node, role: session.role, superuser: session.superuser });
      }
    }
    return sessions;
  });
}

describe('Least privilege: the tenant API runs with the two app roles only', () => {
  const endpoints = testEndpoints();
  let controlPlane: INestApplication;
  let admin: App;
  let api: BuiltApi;
  let base: string;

  beforeAll(async () => {
    await buildApi();
    controlPlane = await createControlPlaneApp(
      validateEnvironment({ ADMIN_TOKEN: TEST_ADMIN_TOKEN, API_KEY_SECRET: TEST_API_KEY_SECRET, LOG_LEVEL: 'silent', RATE_LIMIT_ENABLED: 'false' }),
      endpoints,
    );
    await controlPlane.init();
    admin = controlPlane.getHttpServer();
    // Nothing of the owner: no DATABASE_URL, no admin token, no analytics URL.
    api = await startBuiltApi(endpoints, { API_KEY_SECRET: TEST_API_KEY_SECRET });
    base = api.base;
  }, 240_000);

  afterAll(async () => {
    api.stop();
    await controlPlane.close();
  });

  it('refuses to start, saying what is missing, with one app role URL only', () => {
    const result = spawnSync(process.execPath, [BUILT_API_MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', TENANT_DATABASE_URL: endpoints.tenant },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Failed to start: The tenant API needs both TENANT_DATABASE_URL and CONTROL_DATABASE_URL: CONTROL_DATABASE_URL is not set/m);
  });

  it('serves tenants, revocations included, and never holds a session as the owner or a superuser on any node', async () => {
    const tenant = await createTenant(admin);
    const call = (method: string, path: string, body?: object, key = tenant.apiKey) =>
      fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
    const order = (await (await call('POST', '/v1/orders', { countryCode: 'US', items: [{ sku: 'LP', quantity: 1, unitPriceCents: 900 }] })).json()) as {
      id: number;
    };
    const payment = await call('POST', `/v1/orders/${order.id}/payments`, { amountCents: 900, method: 'card' });
    expect(payment.status).toBe(201);
    const paymentId = ((await payment.json()) as { id: number }).id;
    expect((await call('POST', `/v1/orders/${order.id}/payments/${paymentId}/refunds`, { amountCents: 100 })).status).toBe(201);
    for (const path of ['/v1/tenant', '/v1/orders', `/v1/orders/${order.id}`, '/v1/stats', '/v1/countries'])
      expect([path, (await call('GET', path)).status]).toEqual([path, 200]);
    expect((await call('GET', '/admin/tenants', undefined, TEST_ADMIN_TOKEN)).status).toBe(404);

    const spare = await request(admin).post(`/admin/tenants/${tenant.id}/api-keys`).set(bearer(TEST_ADMIN_TOKEN)).expect(201);
    expect((await call('GET', '/v1/tenant', undefined, spare.body.apiKey)).status).toBe(200);
    await request(admin).delete(`/admin/tenants/${tenant.id}/api-keys/${spare.body.id}`).set(bearer(TEST_ADMIN_TOKEN)).expect(204);
    expect((await call('GET', '/v1/tenant', undefined, spare.body.apiKey)).status).toBe(401);

    const sessions = await sessionsOfTheApi(endpoints.owner);
    expect(sessions.filter(({ node }) => node === 'coordinator').length).toBeGreaterThan(0);
    expect(sessions.filter(({ superuser }) => superuser)).toEqual([]);
    expect([...new Set(sessions.map(({ role }) => role))].sort()).toEqual(expect.arrayContaining(['app_control']));
    expect(sessions.filter(({ role }) => !['app_tenant', 'app_control'].includes(role))).toEqual([]);
    process.stdout.write(
      `[least privilege] sessions of the tenant API: ${JSON.stringify(sessions.reduce<Record<string, number>>((counts, { node, role }) => ({ ...counts, [`${node} ${role}`]: (counts[`${node} ${role}`] ?? 0) + 1 }), {}))}\n`,
    );
  });
});
