import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { App } from 'supertest/types';
import request from 'supertest';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const TEST_ANALYTICS_TOKEN = 'test-analytics-token-0123456789abcdef';
export const TEST_API_KEY_SECRET = 'test-api-key-secret-0123456789abcdef-0123';

export interface TestTenant {
  id: string;
  name: string;
  apiKey: string;
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** Creates a tenant through the admin API, as a client would. */
export async function createTenant(server: App, plan = 'enterprise'): Promise<TestTenant> {
  const name = `tenant-${randomUUID().slice(0, 8)}`;
  const response = await request(server).post('/admin/tenants').set(bearer(TEST_ADMIN_TOKEN)).send({ name, plan }).expect(201);
  return { id: response.body.tenant.id, name, apiKey: response.body.apiKey };
}

export interface OrderBody {
  countryCode: string;
  currency?: string;
  note?: string;
  items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
}

export function orderBody(overrides: Partial<OrderBody> = {}): OrderBody {
  return {
    countryCode: 'US',
    items: [
      { sku: 'SKU-A', quantity: 2, unitPriceCents: 1250 },
      { sku: 'SKU-B', quantity: 1, unitPriceCents: 500 },
    ],
    ...overrides,
  };
}

/** Creates an order and returns its JSON body (status 201 asserted). */
export async function createOrder(server: App, tenant: TestTenant, overrides: Partial<OrderBody> = {}): Promise<Record<string, any>> {
  const response = await request(server).post('/v1/orders').set(bearer(tenant.apiKey)).send(orderBody(overrides)).expect(201);
  return response.body;
}

/**
 * Row counts of a tenant in every tenant table, read as the schema owner (bypassing RLS), to
 * prove that a rejected request wrote nothing.
 */
export async function tenantRowCounts(ownerUrl: string, tenantId: string): Promise<Record<string, number>> {
  return withOwner(ownerUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM orders WHERE tenant_id = $1)::int AS orders,
              (SELECT count(*) FROM order_items WHERE tenant_id = $1)::int AS order_items,
              (SELECT count(*) FROM payments WHERE tenant_id = $1)::int AS payments,
              (SELECT count(*) FROM refunds WHERE tenant_id = $1)::int AS refunds`,
      [tenantId],
    );
    return rows[0];
  });
}

export async function withOwner<T>(ownerUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
