// A noisy neighbour: one tenant at 10x the rate of the others, on the free plan, against quiet
// tenants on the enterprise plan.
//
//   quiet     QUIET_TENANTS tenants, RATE requests/s in all (GET /v1/orders/:id and GET /v1/orders)
//   hot       one tenant at 10x a quiet tenant's rate; its plan's limit answers 429 with Retry-After
//   watch     GET /admin/tenants/hot every 5 s: records when the hot tenant comes first (Citus)
//   isolate   with -e ISOLATE=true, after 30 s: POST /admin/tenants/:id/isolate onto the other worker
//
// Metrics are tagged by class of tenant (quiet, hot), never by tenant id. Run it once with
// -e SOLO=true (the quiet tenants alone) for the baseline, then with -e QUIET_P95_MS=<1.25 x the
// baseline's p95> for the verdict.
//
//   k6 run -e BASE_URL=http://localhost:3000 -e ADMIN_TOKEN=... -e SOLO=true loadtest/noisy-neighbour.js
//   k6 run -e BASE_URL=http://localhost:3000 -e ADMIN_TOKEN=... -e QUIET_P95_MS=60 -e ISOLATE=true loadtest/noisy-neighbour.js
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import { ADMIN_URL, BASE_URL, createTenants, pick, seedOrders, tenantHeaders } from './lib/setup.js';

const QUIET_TENANTS = Number(__ENV.QUIET_TENANTS || 10);
const RATE = Number(__ENV.RATE || 100);
const DURATION = __ENV.DURATION || '2m';
const SOLO = __ENV.SOLO === 'true';
const HOT_RATE = Math.round((RATE / QUIET_TENANTS) * 10);

const hotFirstAfter = new Trend('hot_tenant_ranked_first_after_seconds');
const isolations = new Counter('isolations');

const scenarios = {
  quiet: {
    executor: 'constant-arrival-rate',
    exec: 'quiet',
    rate: RATE,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: 20,
    maxVUs: 200,
    tags: { class: 'quiet' },
  },
};
if (!SOLO) {
  scenarios.hot = {
    executor: 'constant-arrival-rate',
    exec: 'hot',
    rate: HOT_RATE,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: 10,
    maxVUs: 100,
    tags: { class: 'hot' },
  };
  scenarios.watch = { executor: 'constant-vus', exec: 'watch', vus: 1, duration: DURATION, tags: { class: 'admin' } };
  if (__ENV.ISOLATE === 'true')
    scenarios.isolate = { executor: 'shared-iterations', exec: 'isolate', vus: 1, iterations: 1, startTime: '30s', tags: { class: 'admin' } };
}

export const options = {
  setupTimeout: '5m',
  scenarios,
  thresholds: {
    'http_req_failed{class:quiet}': ['rate<0.001'],
    'http_req_duration{class:quiet}': [`p(95)<${Number(__ENV.QUIET_P95_MS || 1000)}`],
    // The hot tenant gets answers or 429 with Retry-After: never a 5xx, never a dropped request.
    'checks{class:hot}': ['rate==1'],
    'checks{class:admin}': ['rate==1'],
  },
};

export function setup() {
  const quiet = createTenants(QUIET_TENANTS, 'enterprise');
  const [hot] = createTenants(1, 'free');
  seedOrders(quiet.concat([hot]), 5);
  return { quiet, hot, started: Date.now() };
}

function read(tenant) {
  return Math.random() < 0.7
    ? http.get(`${BASE_URL}/v1/orders/${pick(tenant.orderIds)}`, { headers: tenantHeaders(tenant.apiKey), tags: { name: 'GET /v1/orders/:id' } })
    : http.get(`${BASE_URL}/v1/orders?limit=20`, { headers: tenantHeaders(tenant.apiKey), tags: { name: 'GET /v1/orders' } });
}

export function quiet(data) {
  const response = read(pick(data.quiet));
  check(response, { 'quiet: 200': (r) => r.status === 200 });
}

export function hot(data) {
  const response = read(data.hot);
  check(response, { 'hot: 200, or 429 with Retry-After': (r) => r.status === 200 || (r.status === 429 && Number(r.headers['Retry-After']) > 0) });
}

export function watch(data) {
  const response = http.get(`${ADMIN_URL}/admin/tenants/hot?limit=3`, {
    headers: { Authorization: `Bearer ${__ENV.ADMIN_TOKEN}` },
    tags: { name: 'GET /admin/tenants/hot' },
  });
  check(response, { 'hot tenants: 200': (r) => r.status === 200 });
  const ranking = response.status === 200 ? response.json().data : [];
  if (ranking.length > 0 && ranking[0].tenantId === data.hot.id) hotFirstAfter.add((Date.now() - data.started) / 1000);
  sleep(5);
}

export function isolate(data) {
  // A dedicated node: the worker that does not hold the hot tenant now.
  const admin = { headers: { Authorization: `Bearer ${__ENV.ADMIN_TOKEN}`, 'Content-Type': 'application/json' } };
  const nodes = http.get(`${ADMIN_URL}/admin/cluster`, admin).json().nodes;
  const placement = http.get(`${ADMIN_URL}/admin/tenants/${data.hot.id}`, admin).json().placement;
  const node = nodes.find((candidate) => candidate.role === 'worker' && (!placement || candidate.nodePort !== placement.nodePort));
  const body = node ? JSON.stringify({ nodeName: node.nodeName, nodePort: node.nodePort }) : '{}';
  const response = http.post(`${ADMIN_URL}/admin/tenants/${data.hot.id}/isolate`, body, {
    ...admin,
    tags: { name: 'POST /admin/tenants/:id/isolate' },
    timeout: '10m',
  });
  if (check(response, { 'isolate: 200': (r) => r.status === 200 })) isolations.add(1);
}
