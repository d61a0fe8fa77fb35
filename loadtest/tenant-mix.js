// Tenant API mix: each iteration is one request, chosen by weight.
//
//   create order  30%  POST /v1/orders (with an Idempotency-Key, as a careful client sends)
//   read order    40%  GET  /v1/orders/:id (seeded orders and the VU's own)
//   list orders   20%  GET  /v1/orders?limit=20
//   pay           10%  POST /v1/orders/:id/payments on an order this VU created and has not
//                      fully paid (half of what is owed, or the rest); a VU with no such
//                      order yet creates one instead, so the first seconds lean to creates
//
// Leak check: every read is checked against the tenant that sent it (the order it asked for, and
// only that), and a tenth of the reads ask for another tenant's order and must get 404. One
// mismatch fails the run (threshold rate==1 on the isolation checks).
//
// Open model: RATE iterations per second whatever the latency (constant-arrival-rate).
// Each VU works for one tenant, (VU - 1) mod TENANTS.
//
//   k6 run -e BASE_URL=http://localhost:3000 -e ADMIN_TOKEN=... loadtest/tenant-mix.js
import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL, foreignOrderId, orderBody, pick, setupTenants, tenantHeaders } from './lib/setup.js';

export const WEIGHTS = { create: 30, read: 40, list: 20, pay: 10 };

const RATE = Number(__ENV.RATE || 200);
const IDEMPOTENCY = (__ENV.IDEMPOTENCY || 'true') !== 'false';

export const options = {
  setupTimeout: '5m',
  scenarios: {
    tenant_mix: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: __ENV.DURATION || '2m',
      preAllocatedVUs: Number(__ENV.VUS || 50),
      maxVUs: Number(__ENV.MAX_VUS || 500),
    },
  },
  thresholds: {
    'http_req_failed{scenario:tenant_mix}': ['rate<0.01'],
    'http_req_duration{scenario:tenant_mix}': ['p(95)<300'],
    'http_req_duration{op:create}': ['p(95)<300'],
    'http_req_duration{op:read}': ['p(95)<300'],
    'http_req_duration{op:list}': ['p(95)<300'],
    'http_req_duration{op:pay}': ['p(95)<300'],
    'checks{scenario:tenant_mix}': ['rate>0.99'],
    'checks{isolation:probe}': ['rate==1'],
  },
};

export function setup() {
  return setupTenants(20, 10);
}

// Per VU: orders created by this VU ({ id, owed }) and not fully paid yet, and all it created.
const unpaid = [];
const created = [];

function createOrder(tenant) {
  const headers = IDEMPOTENCY ? tenantHeaders(tenant.apiKey, { 'Idempotency-Key': `k6-${__VU}-${__ITER}-${Date.now()}` }) : tenantHeaders(tenant.apiKey);
  const response = http.post(`${BASE_URL}/v1/orders`, JSON.stringify(orderBody()), {
    headers,
    tags: { name: 'POST /v1/orders', op: 'create' },
  });
  if (check(response, { 'create: 201': (r) => r.status === 201 })) {
    const order = response.json();
    created.push(order.id);
    unpaid.push({ id: order.id, owed: order.totalCents - order.paidCents });
  }
}

function readOrder(tenant, tenants) {
  const foreign = Math.random() < 0.1 ? foreignOrderId(tenants, tenant) : undefined;
  if (foreign !== undefined) {
    const probe = http.get(`${BASE_URL}/v1/orders/${foreign}`, {
      headers: tenantHeaders(tenant.apiKey),
      tags: { name: 'GET /v1/orders/:id', op: 'probe' },
      responseCallback: http.expectedStatuses(404),
    });
    check(probe, { "isolation: another tenant's order is 404": (r) => r.status === 404 }, { isolation: 'probe' });
    return;
  }
  const id = created.length > 0 && Math.random() < 0.5 ? pick(created) : pick(tenant.orderIds);
  const response = http.get(`${BASE_URL}/v1/orders/${id}`, {
    headers: tenantHeaders(tenant.apiKey),
    tags: { name: 'GET /v1/orders/:id', op: 'read' },
  });
  check(response, { 'read: 200': (r) => r.status === 200 });
  check(response, { 'isolation: the order asked for, of this tenant': (r) => r.status !== 200 || r.json().id === id }, { isolation: 'probe' });
}

function listOrders(tenant) {
  const response = http.get(`${BASE_URL}/v1/orders?limit=20`, {
    headers: tenantHeaders(tenant.apiKey),
    tags: { name: 'GET /v1/orders', op: 'list' },
  });
  check(response, { 'list: 200': (r) => r.status === 200 });
}

function pay(tenant) {
  if (unpaid.length === 0) {
    createOrder(tenant);
    return;
  }
  const order = unpaid[0];
  const amountCents = order.owed <= 1 ? order.owed : Math.ceil(order.owed / 2);
  const response = http.post(`${BASE_URL}/v1/orders/${order.id}/payments`, JSON.stringify({ amountCents, method: pick(['card', 'bank_transfer', 'wallet']) }), {
    headers: tenantHeaders(tenant.apiKey),
    tags: { name: 'POST /v1/orders/:id/payments', op: 'pay' },
  });
  if (check(response, { 'pay: 201': (r) => r.status === 201 })) {
    order.owed -= amountCents;
    if (order.owed <= 0) unpaid.shift();
  } else {
    unpaid.shift(); // do not retry a payment the API refused
  }
}

export default function (data) {
  const tenant = data.tenants[(__VU - 1) % data.tenants.length];
  const roll = Math.random() * 100;
  if (roll < WEIGHTS.create) createOrder(tenant);
  else if (roll < WEIGHTS.create + WEIGHTS.read) readOrder(tenant, data.tenants);
  else if (roll < WEIGHTS.create + WEIGHTS.read + WEIGHTS.list) listOrders(tenant);
  else pay(tenant);
}
