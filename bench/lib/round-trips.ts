/** Database round trips per route, counted in the API process by the preloaded probe. */
import type { ApiProcess } from './api-process';
import type { BenchRequest } from './load';
import type { RoundTripRow } from './report';
import { request, SeededTenant } from './workload';

const FUNCTION = 'one call of a delegated tenant function';
const TRANSACTION = 'tenant transaction: BEGIN line, SET LOCAL, the statement, COMMIT';
const CACHED = 'cached in the process';

/** Each route with the round trips its shape takes, steady state. */
const ROUND_TRIP_ROUTES: Array<{ route: string; expected: number; note: string; build: (tenant: SeededTenant) => BenchRequest }> = [
  { route: 'GET /v1/orders/:id', expected: 1, note: FUNCTION, build: (tenant) => request('GET /v1/orders/:id', tenant) },
  { route: 'GET /v1/orders', expected: 1, note: FUNCTION, build: (tenant) => request('GET /v1/orders', tenant) },
  {
    route: 'GET /v1/orders/:id/payments',
    expected: 1,
    note: FUNCTION,
    build: (tenant) => ({
      route: 'payments',
      method: 'GET',
      path: `/v1/orders/${tenant.readOrderIds[0]}/payments`,
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    }),
  },
  {
    route: 'GET /v1/stats',
    expected: 4,
    note: TRANSACTION,
    build: (tenant) => ({ route: 'stats', method: 'GET', path: '/v1/stats', headers: { authorization: `Bearer ${tenant.apiKey}` } }),
  },
  {
    route: 'GET /v1/tenant',
    expected: 0,
    note: CACHED,
    build: (tenant) => ({ route: 'tenant', method: 'GET', path: '/v1/tenant', headers: { authorization: `Bearer ${tenant.apiKey}` } }),
  },
  {
    route: 'GET /v1/countries',
    expected: 0,
    note: CACHED,
    build: (tenant) => ({ route: 'countries', method: 'GET', path: '/v1/countries', headers: { authorization: `Bearer ${tenant.apiKey}` } }),
  },
  {
    route: 'POST /v1/orders',
    expected: 1,
    note: FUNCTION,
    build: (tenant) => request('POST /v1/orders', tenant),
  },
  {
    route: 'POST /v1/orders/:id/payments',
    expected: 1,
    note: FUNCTION,
    build: (tenant) => request('POST /v1/orders/:id/payments', tenant),
  },
];

/**
 * Sends each route a few times, one request at a time, and reads the probe's counters in the
 * API process between them. The api key was used just before (the authenticator caches keys
 * for API_KEY_CACHE_TTL_MS), so these are the steady-state counts; a key seen for the first
 * time in that window costs one more round trip on the control pool.
 */
export async function countRoundTrips(
  api: ApiProcess,
  tenants: SeededTenant[],
): Promise<{ rows: RoundTripRow[]; getTransaction: Array<{ text: string; values?: unknown[] }>; sample: { tenantId: string; orderId: number } }> {
  const repetitions = 5;
  const tenant = tenants[0];
  const send = async (built: BenchRequest) => {
    const response = await fetch(`${api.baseUrl}${built.path}`, { method: built.method, headers: built.headers, body: built.body });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${built.method} ${built.path}: ${response.status}`);
  };
  const rows: RoundTripRow[] = [];
  for (const route of ROUND_TRIP_ROUTES) {
    await send(route.build(tenant)); // warm: key cache, reference data cache, pool connection
    await api.resetProbe();
    for (let repetition = 0; repetition < repetitions; repetition += 1) await send(route.build(tenant));
    const { counts } = await api.readProbe();
    const tenantTrips = (counts.app_tenant ?? 0) / repetitions;
    const controlTrips = (counts.app_control ?? 0) / repetitions;
    const other = Object.entries(counts).filter(([user]) => user !== 'app_tenant' && user !== 'app_control');
    rows.push({
      route: route.route,
      tenant: tenantTrips,
      control: controlTrips,
      total: Object.values(counts).reduce((sum: number, count = 0) => sum + count, 0) / repetitions,
      expected: route.expected,
      note: route.note + (other.length ? ` (other users: ${JSON.stringify(Object.fromEntries(other))})` : ''),
    });
  }

  // The SQL of one GET /v1/orders/:id, for the pgbench floor.
  const orderId = tenant.readOrderIds[1] ?? tenant.readOrderIds[0];
  await send(request('GET /v1/orders/:id', tenant));
  await api.resetProbe(true);
  await send({ route: 'GET /v1/orders/:id', method: 'GET', path: `/v1/orders/${orderId}`, headers: { authorization: `Bearer ${tenant.apiKey}` } });
  const { captured } = await api.readProbe();
  const getTransaction = captured.filter((query) => query.user === 'app_tenant').map((query) => ({ text: query.text, values: query.values }));
  return { rows, getTransaction, sample: { tenantId: tenant.id, orderId } };
}
