// Analytics service: the three cross-tenant routes, in equal shares, with ANALYTICS_TOKEN.
// Reads whatever the tenant API has written: run tenant-mix.js first for meaningful figures.
//
//   GET /analytics/revenue-by-country?from=&to=   (the last 30 days)
//   GET /analytics/top-tenants?limit=10&from=&to=  (the last 30 days)
//   GET /analytics/daily?days=30
//
//   k6 run -e ANALYTICS_URL=http://localhost:3100 -e ANALYTICS_TOKEN=... loadtest/analytics.js
import http from 'k6/http';
import { check, fail } from 'k6';

const ANALYTICS_URL = (__ENV.ANALYTICS_URL || 'http://localhost:3100').replace(/\/+$/, '');
const TOKEN = __ENV.ANALYTICS_TOKEN;

export const options = {
  scenarios: {
    analytics: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 20),
      timeUnit: '1s',
      duration: __ENV.DURATION || '1m',
      preAllocatedVUs: Number(__ENV.VUS || 10),
      maxVUs: Number(__ENV.MAX_VUS || 100),
    },
  },
  thresholds: {
    'http_req_failed{scenario:analytics}': ['rate<0.01'],
    'http_req_duration{scenario:analytics}': ['p(95)<1000'],
    'http_req_duration{route:revenue-by-country}': ['p(95)<1000'],
    'http_req_duration{route:top-tenants}': ['p(95)<1000'],
    'http_req_duration{route:daily}': ['p(95)<1000'],
    'checks{scenario:analytics}': ['rate>0.99'],
  },
};

const ROUTES = [
  (range) => ['revenue-by-country', `/analytics/revenue-by-country?from=${range.from}&to=${range.to}`],
  (range) => ['top-tenants', `/analytics/top-tenants?limit=10&from=${range.from}&to=${range.to}`],
  () => ['daily', '/analytics/daily?days=30'],
];

function params(route) {
  return { headers: { Authorization: `Bearer ${TOKEN}` }, tags: { name: `GET /analytics/${route}`, route } };
}

function lastThirtyDays() {
  const to = new Date();
  const from = new Date(to.getTime() - 30 * 24 * 3600 * 1000);
  return { from: encodeURIComponent(from.toISOString()), to: encodeURIComponent(to.toISOString()) };
}

export function setup() {
  if (!TOKEN) fail('ANALYTICS_TOKEN is not set: k6 run -e ANALYTICS_TOKEN=...');
  const response = http.get(`${ANALYTICS_URL}/analytics/daily?days=1`, { headers: { Authorization: `Bearer ${TOKEN}` }, tags: { name: 'setup' } });
  if (response.status !== 200) fail(`GET /analytics/daily answered ${response.status}: is ANALYTICS_URL right and ANALYTICS_TOKEN the service's?`);
}

export default function () {
  const [route, path] = ROUTES[Math.floor(Math.random() * ROUTES.length)](lastThirtyDays());
  const response = http.get(`${ANALYTICS_URL}${path}`, params(route));
  check(response, {
    [`${route}: 200`]: (r) => r.status === 200,
    [`${route}: data`]: (r) => r.status === 200 && Array.isArray(r.json('data')),
  });
}
