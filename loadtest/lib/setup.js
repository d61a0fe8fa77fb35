// Shared setup for the k6 scenarios: creates tenants through the admin API and seeds orders.
// Plain k6 JavaScript (ES module); nothing here runs under Node.js.
import http from 'k6/http';
import { fail } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:3000').replace(/\/+$/, '');
// The control plane is a service of its own (CONTROL_PLANE_PORT, 3200).
export const ADMIN_URL = (__ENV.ADMIN_URL || 'http://localhost:3200').replace(/\/+$/, '');

const BATCH = 20;
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN', 'CA', 'AU', 'ES'];

/** Headers of a tenant API call. */
export function tenantHeaders(apiKey, extra) {
  return Object.assign({ Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, extra || {});
}

/** A valid POST /v1/orders body: 1..5 items, random quantities and prices. */
export function orderBody() {
  const items = [];
  const count = 1 + Math.floor(Math.random() * 5);
  for (let i = 0; i < count; i += 1) {
    items.push({
      sku: `SKU-${1 + Math.floor(Math.random() * 500)}`,
      quantity: 1 + Math.floor(Math.random() * 5),
      unitPriceCents: 100 + Math.floor(Math.random() * 20000),
    });
  }
  return { countryCode: COUNTRIES[Math.floor(Math.random() * COUNTRIES.length)], items };
}

export function pick(array) {
  return array[Math.floor(Math.random() * array.length)];
}

/** Sends requests in batches of BATCH and fails the test on any answer but `expected`. */
function batched(requests, expected) {
  const responses = [];
  for (let i = 0; i < requests.length; i += BATCH) {
    const answers = http.batch(requests.slice(i, i + BATCH));
    for (const response of answers) {
      if (response.status !== expected) {
        fail(`${response.request.method} ${response.url} answered ${response.status} (expected ${expected}): ${String(response.body).slice(0, 300)}`);
      }
      responses.push(response);
    }
  }
  return responses;
}

/**
 * Creates `count` tenants on a plan (default enterprise, the highest rate limit) through
 * POST /admin/tenants with ADMIN_TOKEN, and returns [{ id, apiKey, orderIds: [] }].
 */
export function createTenants(count, plan) {
  const adminToken = __ENV.ADMIN_TOKEN;
  if (!adminToken) fail('ADMIN_TOKEN is not set: k6 run -e ADMIN_TOKEN=... (the API prints it at start unless set)');
  const run = Date.now().toString(36);
  const params = {
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    tags: { name: 'POST /admin/tenants' },
    responseType: 'text',
  };
  const requests = [];
  for (let i = 0; i < count; i += 1) {
    requests.push(['POST', `${ADMIN_URL}/admin/tenants`, JSON.stringify({ name: `k6 ${run} #${i + 1}`, plan: plan || 'enterprise' }), params]);
  }
  return batched(requests, 201).map((response) => {
    const body = response.json();
    return { id: body.tenant.id, apiKey: body.apiKey, orderIds: [] };
  });
}

/** Creates `perTenant` orders for every tenant and records their ids in tenant.orderIds. */
export function seedOrders(tenants, perTenant) {
  const requests = [];
  const owners = [];
  for (const tenant of tenants) {
    for (let i = 0; i < perTenant; i += 1) {
      requests.push([
        'POST',
        `${BASE_URL}/v1/orders`,
        JSON.stringify(orderBody()),
        { headers: tenantHeaders(tenant.apiKey), tags: { name: 'POST /v1/orders' }, responseType: 'text' },
      ]);
      owners.push(tenant);
    }
  }
  batched(requests, 201).forEach((response, index) => owners[index].orderIds.push(response.json().id));
  return tenants;
}

/** Tenants with seeded orders: the usual setup() of a scenario. */
export function setupTenants(defaultTenants, defaultOrdersPerTenant) {
  const tenants = createTenants(Number(__ENV.TENANTS || defaultTenants));
  seedOrders(tenants, Number(__ENV.ORDERS_PER_TENANT || defaultOrdersPerTenant));
  return { tenants };
}

/** An order id of another tenant than `tenant`: what an isolation probe asks for, expecting 404. */
export function foreignOrderId(tenants, tenant) {
  const others = tenants.filter((other) => other.id !== tenant.id && other.orderIds.length > 0);
  return others.length > 0 ? pick(pick(others).orderIds) : undefined;
}
