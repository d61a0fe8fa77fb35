// Connection storm: ramps to PEAK_VUS (default 1000) concurrent clients within RAMP (10s), each
// with its own keep-alive connection, all reading orders (GET /v1/orders/:id) with no think
// time. The API's pools stay at DB_POOL_SIZE and PgBouncer's at default_pool_size (20 server
// connections per role): the point is that 1000 clients cost no more server connections and
// produce no errors, only queueing.
//
//   k6 run -e BASE_URL=http://localhost:3000 -e ADMIN_TOKEN=... loadtest/connection-storm.js
import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL, pick, setupTenants, tenantHeaders } from './lib/setup.js';

const PEAK_VUS = Number(__ENV.PEAK_VUS || 1000);

export const options = {
  setupTimeout: '5m',
  discardResponseBodies: true,
  scenarios: {
    storm: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: __ENV.RAMP || '10s', target: PEAK_VUS },
        { duration: __ENV.HOLD || '1m', target: PEAK_VUS },
        { duration: '10s', target: 0 },
      ],
      gracefulRampDown: '10s',
    },
  },
  thresholds: {
    // The goal is zero errors: no 503 from an exhausted pool, no 429, no timeouts.
    'http_req_failed{scenario:storm}': ['rate==0'],
    'http_req_duration{scenario:storm}': ['p(95)<1000', 'p(99)<2000'],
    'checks{scenario:storm}': ['rate==1'],
  },
};

export function setup() {
  // 50 tenants keep each one well under the enterprise plan's rate limit at full speed.
  return setupTenants(50, 5);
}

export default function (data) {
  const tenant = data.tenants[(__VU - 1) % data.tenants.length];
  const response = http.get(`${BASE_URL}/v1/orders/${pick(tenant.orderIds)}`, {
    headers: tenantHeaders(tenant.apiKey),
    tags: { name: 'GET /v1/orders/:id' },
  });
  check(response, { 'read: 200': (r) => r.status === 200 });
}
