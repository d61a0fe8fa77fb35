/**
 * What the bench sends: its settings, the tenant mix, the seeded tenants and the requests,
 * including the leak probes that check every answer against the tenant that asked.
 */
import { cpus } from 'node:os';
import type { ApiProcess } from './api-process';
import type { BenchRequest } from './load';

const int = (name: string, fallback: number) => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export const CONFIG = {
  tenants: int('BENCH_TENANTS', 50),
  readOrdersPerTenant: 10,
  payableOrdersPerTenant: 10,
  connections: int('BENCH_CONNECTIONS', 32),
  durationSec: int('BENCH_DURATION', 15),
  warmupSec: int('BENCH_WARMUP', 3),
  stormConnections: int('BENCH_STORM_CONNECTIONS', 1000),
  stormDurationSec: int('BENCH_STORM_DURATION', 10),
  /** Per API process; PgBouncer's default_pool_size (20) caps the server connections anyway. */
  dbPoolSize: int('BENCH_DB_POOL_SIZE', 20),
  pgbenchThreads: Math.max(1, Math.min(cpus().length, 4)),
  /** GET /v1/orders/:id and the floor alternate in this many slices of durationSec / slices. */
  slices: int('BENCH_SLICES', 3),
  /** DB_CONNECT_TIMEOUT_MS of an optional second storm run on the cluster; 0 (the default) skips it. */
  patientTimeoutMs: int('BENCH_PATIENT_TIMEOUT_MS', 0),
  adminToken: 'bench-admin-token-0123456789abcdef',
};

/**
 * The tenant mix, in percent of requests. Every request is valid and expected to be 2xx, except
 * the leak probes: another tenant's order id, which must be 404.
 */
export const MIX = [
  { route: 'GET /v1/orders/:id', weight: 50, what: 'read one seeded order with its items and payments' },
  { route: 'GET /v1/orders', weight: 20, what: 'list the newest 20 orders' },
  { route: 'POST /v1/orders', weight: 20, what: 'create an order with 2 items' },
  { route: 'POST /v1/orders/:id/payments', weight: 10, what: 'pay 1.00 on a seeded order that owes far more' },
] as const;

/** Share of GET /v1/orders/:id requests in every run that ask for another tenant's order. */
export const LEAK_PROBE_SHARE = 0.05;

const ORDER_BODY = JSON.stringify({
  countryCode: 'US',
  items: [
    { sku: 'SKU-A', quantity: 2, unitPriceCents: 1250 },
    { sku: 'SKU-B', quantity: 1, unitPriceCents: 500 },
  ],
});
/** Owes 10,000,000.00: enough for every payment of 1.00 a run can make. */
const PAYABLE_ORDER_BODY = JSON.stringify({ countryCode: 'US', items: [{ sku: 'SKU-BULK', quantity: 10_000, unitPriceCents: 100_000 }] });
const PAYMENT_BODY = JSON.stringify({ amountCents: 100, method: 'card' });

/**
 * The environment of a bench API process on `port`: no database configured (the caller adds
 * the embedded node's folder or the cluster's URLs), warn-level logs, no rate limits, and the
 * NODE_OPTIONS of the production image unless BENCH_NODE_OPTIONS says otherwise.
 */
export function apiEnvironment(port: number, nodeOptions: string): NodeJS.ProcessEnv {
  const databaseUrls = ['DATABASE_URL', 'TENANT_DATABASE_URL', 'CONTROL_DATABASE_URL', 'ANALYTICS_DATABASE_URL'];
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !databaseUrls.includes(key)));
  return Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_TOKEN: CONFIG.adminToken,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    DB_POOL_SIZE: String(CONFIG.dbPoolSize),
    SEED_DEMO: 'false',
    NODE_ENV: 'production',
    NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? nodeOptions,
  });
}

export interface SeededTenant {
  id: string;
  apiKey: string;
  readOrderIds: number[];
  payableOrderIds: number[];
}

export async function call(api: ApiProcess, method: string, path: string, token: string, body?: string): Promise<any> {
  const response = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

export async function inParallel<T, R>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index], index);
      }
    }),
  );
  return results;
}

export async function seed(api: ApiProcess, controlPlane: ApiProcess): Promise<SeededTenant[]> {
  const runId = Date.now().toString(36);
  return inParallel(
    Array.from({ length: CONFIG.tenants }, (_, index) => index),
    8,
    async (index) => {
      const created = await call(
        controlPlane,
        'POST',
        '/admin/tenants',
        CONFIG.adminToken,
        JSON.stringify({ name: `bench ${runId} #${index}`, plan: 'enterprise' }),
      );
      const tenant: SeededTenant = { id: created.tenant.id, apiKey: created.apiKey, readOrderIds: [], payableOrderIds: [] };
      for (let order = 0; order < CONFIG.readOrdersPerTenant; order += 1) {
        const { id } = await call(api, 'POST', '/v1/orders', tenant.apiKey, ORDER_BODY);
        // Half the orders read in the runs carry a payment, so the details query aggregates one.
        if (order % 2 === 0) await call(api, 'POST', `/v1/orders/${id}/payments`, tenant.apiKey, PAYMENT_BODY);
        tenant.readOrderIds.push(id);
      }
      for (let order = 0; order < CONFIG.payableOrdersPerTenant; order += 1) {
        tenant.payableOrderIds.push((await call(api, 'POST', '/v1/orders', tenant.apiKey, PAYABLE_ORDER_BODY)).id);
      }
      return tenant;
    },
  );
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

export function request(route: string, tenant: SeededTenant): BenchRequest {
  const headers: Record<string, string> = { authorization: `Bearer ${tenant.apiKey}` };
  switch (route) {
    case 'GET /v1/orders/:id': {
      const id = pick(tenant.readOrderIds);
      return {
        route,
        method: 'GET',
        path: `/v1/orders/${id}`,
        headers,
        check: (status, body) => status === 200 && (JSON.parse(body) as { id: number }).id === id,
      };
    }
    case 'GET /v1/orders':
      return { route, method: 'GET', path: '/v1/orders?limit=20', headers };
    case 'POST /v1/orders':
      return { route, method: 'POST', path: '/v1/orders', headers: { ...headers, 'content-type': 'application/json' }, body: ORDER_BODY };
    case 'POST /v1/orders/:id/payments':
      return {
        route,
        method: 'POST',
        path: `/v1/orders/${pick(tenant.payableOrderIds)}/payments`,
        headers: { ...headers, 'content-type': 'application/json' },
        body: PAYMENT_BODY,
      };
    default:
      throw new Error(`unknown route ${route}`);
  }
}

/** Tenant A asks for tenant B's order: anything but a 404 in the error shape is a leak. */
function leakProbe(tenants: SeededTenant[]): BenchRequest {
  const asker = pick(tenants);
  const owner = pick(tenants.filter((tenant) => tenant !== asker));
  return {
    route: 'leak probe: GET /v1/orders/:id of another tenant',
    method: 'GET',
    path: `/v1/orders/${pick(owner.readOrderIds)}`,
    headers: { authorization: `Bearer ${asker.apiKey}` },
    check: (status, body) => status === 404 && (JSON.parse(body) as { statusCode?: number }).statusCode === 404,
  };
}

export function mixGenerator(tenants: SeededTenant[]): () => BenchRequest {
  const total = MIX.reduce((sum, entry) => sum + entry.weight, 0);
  return () => {
    let roll = Math.random() * total;
    const entry = MIX.find((candidate) => (roll -= candidate.weight) < 0) ?? MIX[0];
    if (entry.route === 'GET /v1/orders/:id' && Math.random() < LEAK_PROBE_SHARE) return leakProbe(tenants);
    return request(entry.route, pick(tenants));
  };
}

export function getGenerator(tenants: SeededTenant[]): () => BenchRequest {
  return () => (Math.random() < LEAK_PROBE_SHARE ? leakProbe(tenants) : request('GET /v1/orders/:id', pick(tenants)));
}
