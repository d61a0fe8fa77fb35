/**
 * npm run bench: the API on the embedded single node, the API on the local Citus cluster
 * through PgBouncer, and the pgbench floor (the exact SQL of GET /v1/orders/:id), side by side
 * from one run. See bench/README.md for what is measured and how.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { citusClusterEndpoints, freePort } from '@app/testing';
import { ApiProcess, startApi } from './lib/api-process';
import { BenchRequest, combineLoads, drive, LoadResult } from './lib/load';
import { combinePgBench, findPgBench, PgBenchResult, runPgBench, writeFloorScripts } from './lib/pgbench';
import { combinePools, PgBouncerMonitor, PoolSample } from './lib/pgbouncer-monitor';
import { chartSvg, Goal, goalsTable, ResultRow, resultsTable, RoundTripRow, roundTripTable, svgToPng } from './lib/report';

const ROOT = resolve(__dirname, '..');
const RESULTS = join(ROOT, 'bench', 'results');
const MAIN_JS = join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const PROBE = join(ROOT, 'bench/support/round-trip-probe.cjs');
/**
 * How long a storm client waits for its answer before counting an error. 1,000 clients on one
 * API process queue for seconds by construction; k6 waits 60 s by default, browsers longer.
 */
const STORM_CLIENT_TIMEOUT_SEC = 30;
/** NODE_OPTIONS of the production image, read from the Dockerfile so the two cannot drift apart. */
const PRODUCTION_NODE_OPTIONS = /^ENV NODE_OPTIONS=(.+)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1].trim() ?? '';

const int = (name: string, fallback: number) => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const CONFIG = {
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

/** The tenant mix, in percent of requests. Every request is valid and expected to be 2xx. */
const MIX = [
  { route: 'GET /v1/orders/:id', weight: 50, what: 'read one seeded order with its items and payments' },
  { route: 'GET /v1/orders', weight: 20, what: 'list the newest 20 orders' },
  { route: 'POST /v1/orders', weight: 20, what: 'create an order with 2 items' },
  { route: 'POST /v1/orders/:id/payments', weight: 10, what: 'pay 1.00 on a seeded order that owes far more' },
] as const;

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

interface SeededTenant {
  id: string;
  apiKey: string;
  readOrderIds: number[];
  payableOrderIds: number[];
}

interface TargetSummary {
  name: 'embedded' | 'citus';
  label: string;
  rows: ResultRow[];
  roundTrips: RoundTripRow[];
  capturedGetSql: string[];
  pgbenchCommand?: string;
  apiLog: string;
  mixByRoute?: LoadResult['byRoute'];
}

const say = (message: string) => process.stdout.write(`${message}\n`);
const loud = (message: string) => process.stdout.write(`\n${'#'.repeat(78)}\n##  ${message}\n${'#'.repeat(78)}\n\n`);

async function main(): Promise<void> {
  const startedAt = Date.now();
  const skipped: string[] = [];
  const loadAtStart = loadavg()[0];
  if (loadAtStart > cpus().length * 0.5) {
    loud(`WARNING: the machine is busy (load average ${loadAtStart.toFixed(1)} on ${cpus().length} cores): figures will be low`);
  }
  say(`npm run bench: ${CONFIG.tenants} tenants, ${CONFIG.connections} connections, ${CONFIG.durationSec} s per measured run, warmup ${CONFIG.warmupSec} s`);

  if (process.env.BENCH_SKIP_BUILD !== '1') {
    say('Building the API (npx nest build api) ...');
    const build = spawnSync('npx', ['nest', 'build', 'api'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('nest build api failed');
  }
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: build the API first`);

  const pgbench = findPgBench();
  if (!pgbench) {
    skipped.push('pgbench floor: pgbench is not installed (PostgreSQL client tools)');
    loud('SKIPPED: pgbench floor -- pgbench is not installed (install postgresql-client / PostgreSQL 15)');
  }
  const citus = await citusAvailability();
  if (!citus.available) {
    skipped.push(`Citus: ${citus.reason}`);
    loud(`SKIPPED: Citus -- ${citus.reason}. Only the embedded single node was measured.`);
  }

  const work = mkdtempSync(join(tmpdir(), 'orders-bench-'));
  // The embedded server runs as the postgres user when we are root: it must reach its folder.
  chmodSync(work, 0o755);
  const targets: TargetSummary[] = [];
  try {
    targets.push(await runTarget('embedded', work, pgbench, !citus.available));
    if (citus.available) targets.push(await runTarget('citus', work, pgbench, true));
  } finally {
    if (citus.available && citus.startedByUs) {
      say('Stopping the Citus cluster this run started ...');
      spawnSync('bash', [join(ROOT, 'scripts/cluster-down.sh')], { cwd: ROOT, stdio: 'ignore' });
    }
    rmSync(work, { recursive: true, force: true });
  }

  await report(targets, skipped, Math.round((Date.now() - startedAt) / 1000), [loadAtStart, loadavg()[0]]);
}

async function citusAvailability(): Promise<{ available: true; startedByUs: boolean } | { available: false; reason: string }> {
  if (process.env.BENCH_CITUS === '0') return { available: false, reason: 'disabled with BENCH_CITUS=0' };
  const endpoints = citusClusterEndpoints();
  if (await isCitus(endpoints.owner)) return { available: true, startedByUs: false };
  say('The Citus cluster is not running: trying scripts/cluster-up.sh ...');
  const up = spawnSync('bash', [join(ROOT, 'scripts/cluster-up.sh')], { cwd: ROOT, encoding: 'utf8' });
  const reasons: Record<number, string> = {
    2: 'PostgreSQL 15 server binaries are not installed',
    3: 'Citus is not installed for PostgreSQL 15',
    4: 'PgBouncer is not installed',
  };
  if (up.status !== 0) {
    return {
      available: false,
      reason: reasons[up.status ?? -1] ?? `scripts/cluster-up.sh failed (exit ${up.status}): ${(up.stderr ?? '').trim().split('\n').pop()}`,
    };
  }
  if (!(await isCitus(endpoints.owner))) return { available: false, reason: 'the cluster started but the citus extension is not there' };
  return { available: true, startedByUs: true };
}

async function isCitus(ownerUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: ownerUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query(`SELECT extversion FROM pg_extension WHERE extname = 'citus'`);
    return rows.length === 1;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function runTarget(name: 'embedded' | 'citus', work: string, pgbench: string | undefined, withStorm: boolean): Promise<TargetSummary> {
  const label = name === 'embedded' ? 'Embedded PG (single node)' : 'Citus via PgBouncer';
  say(`\n=== ${label} ===`);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['DATABASE_URL', 'TENANT_DATABASE_URL', 'CONTROL_DATABASE_URL', 'ANALYTICS_DATABASE_URL', 'SEED_DEMO']) delete env[key];
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_TOKEN: CONFIG.adminToken,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    DB_POOL_SIZE: String(CONFIG.dbPoolSize),
    SEED_DEMO: 'false',
    NODE_ENV: 'production',
    // The API runs as the Docker image runs it (its heap cap included) unless told otherwise.
    NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? PRODUCTION_NODE_OPTIONS,
  });

  let database: { host: string; port: number; user: string; database: string; password?: string; pooled: boolean };
  const cluster = citusClusterEndpoints();
  if (name === 'embedded') {
    const pgPort = await freePort();
    const directory = join(work, 'embedded-pg');
    Object.assign(env, { EMBEDDED_PG_DIR: directory, EMBEDDED_PG_PORT: String(pgPort) });
    database = { host: '127.0.0.1', port: pgPort, user: 'app_tenant', database: 'app', pooled: false };
  } else {
    Object.assign(env, { DATABASE_URL: cluster.owner, TENANT_DATABASE_URL: cluster.tenant, CONTROL_DATABASE_URL: cluster.control });
    const tenantUrl = new URL(cluster.tenant);
    database = {
      host: tenantUrl.hostname,
      port: Number(tenantUrl.port),
      user: decodeURIComponent(tenantUrl.username),
      database: tenantUrl.pathname.slice(1),
      pooled: true,
    };
  }

  const logFile = join(work, `api-${name}.log`);
  say(`Starting the API (${name}) on port ${port} ...`);
  const api = await startApi({ name, mainJs: MAIN_JS, probe: PROBE, port, env, logFile, cwd: ROOT });
  let monitor: PgBouncerMonitor | undefined;
  try {
    if (name === 'embedded') {
      const credentials = JSON.parse(readFileSync(join(env.EMBEDDED_PG_DIR as string, 'credentials.json'), 'utf8')) as { roles: Record<string, string> };
      database.password = credentials.roles.app_tenant;
    } else {
      const bouncer = new URL(cluster.tenant);
      monitor = await PgBouncerMonitor.connect({
        host: bouncer.hostname,
        port: Number(bouncer.port),
        user: 'postgres',
        database: database.database,
        users: ['app_tenant', 'app_control'],
      });
    }
    const measure = async <T>(work: () => Promise<T>, measured: ApiProcess = api): Promise<{ result: T; pools: PoolSample | null; cpuMs: number | null }> => {
      const cpuBefore = measured.cpuMs();
      const outcome = monitor ? await monitor.during(work) : { result: await work(), pools: null };
      const cpuAfter = measured.cpuMs();
      return { ...outcome, cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore };
    };

    say(`Seeding ${CONFIG.tenants} tenants x ${CONFIG.readOrdersPerTenant + CONFIG.payableOrdersPerTenant} orders through the API ...`);
    const tenants = await seed(api);

    say('Counting round trips per route ...');
    const { rows: roundTrips, getTransaction, sample } = await countRoundTrips(api, tenants);

    const rows: ResultRow[] = [];
    const row = (
      workload: string,
      load: LoadResult,
      pools: PoolSample | null,
      clients: number,
      cpuMs: number | null,
      measured: ApiProcess = api,
    ): ResultRow => {
      const memory = measured.memory();
      return {
        target: name,
        targetLabel: label,
        workload,
        driver: 'autocannon',
        clients,
        durationSec: load.durationSec,
        requests: load.requests,
        rps: load.rps,
        p50: load.latencyMs.p50,
        p95: load.latencyMs.p95,
        p99: load.latencyMs.p99,
        errors: load.errors,
        errorDetail: load.errors === 0 ? '' : errorDetail(load),
        rssMb: memory?.rssMb ?? null,
        peakRssMb: memory?.peakMb ?? null,
        apiCpuMsPerRequest: cpuMs !== null && load.requests > 0 ? cpuMs / load.requests : null,
        serverConnections: pools ? pools.serverConnectionsMax : null,
        roundTripsPerRequest: pools && load.requests > 0 ? pools.queries / load.requests : null,
      };
    };

    // Tenant mix
    const nextMix = mixGenerator(tenants);
    say(`Tenant mix: warmup ${CONFIG.warmupSec} s, then ${CONFIG.durationSec} s with ${CONFIG.connections} connections ...`);
    await drive({ url: api.baseUrl, connections: CONFIG.connections, durationSec: CONFIG.warmupSec, next: nextMix });
    const mix = await measure(() => drive({ url: api.baseUrl, connections: CONFIG.connections, durationSec: CONFIG.durationSec, next: nextMix }));
    rows.push(row('API tenant mix', mix.result, mix.pools, CONFIG.connections, mix.cpuMs));
    printRow(rows[rows.length - 1]);

    // GET /v1/orders/:id alone and the floor: the same transaction from pgbench, same clients,
    // same total time. The two alternate in slices, so that both see the same machine (on a
    // shared machine the background load changes from one minute to the next).
    const nextGet = getGenerator(tenants);
    const slices = pgbench ? CONFIG.slices : 1;
    const sliceSec = Math.max(1, Math.round(CONFIG.durationSec / slices));
    let floorOptions: Parameters<typeof runPgBench>[0] | undefined;
    let logDirectory = '';
    if (pgbench) {
      const scriptDirectory = join(work, `pgbench-${name}`);
      logDirectory = join(scriptDirectory, 'log');
      mkdirSync(scriptDirectory, { recursive: true });
      const scripts = writeFloorScripts(
        scriptDirectory,
        getTransaction,
        sample,
        tenants.map((tenant) => ({ id: tenant.id, orderIds: tenant.readOrderIds })),
      );
      floorOptions = {
        binary: pgbench,
        host: database.host,
        port: database.port,
        user: database.user,
        database: database.database,
        password: database.password,
        clients: CONFIG.connections,
        threads: CONFIG.pgbenchThreads,
        durationSec: sliceSec,
        scripts,
      };
    }
    say(
      `GET /v1/orders/:id${floorOptions ? ` and the pgbench floor (${database.pooled ? 'through PgBouncer' : 'direct'})` : ''}: ` +
        `warmup ${CONFIG.warmupSec} s each, then ${slices} x ${sliceSec} s${slices > 1 ? ', alternating' : ''} ...`,
    );
    await drive({ url: api.baseUrl, connections: CONFIG.connections, durationSec: CONFIG.warmupSec, next: nextGet });
    if (floorOptions) await runPgBench({ ...floorOptions, durationSec: CONFIG.warmupSec });
    const getParts: Array<Awaited<ReturnType<typeof measure<LoadResult>>>> = [];
    const floorParts: Array<Awaited<ReturnType<typeof measure<PgBenchResult>>>> = [];
    for (let slice = 0; slice < slices; slice += 1) {
      getParts.push(await measure(() => drive({ url: api.baseUrl, connections: CONFIG.connections, durationSec: sliceSec, next: nextGet })));
      if (floorOptions) {
        const options = floorOptions;
        rmSync(logDirectory, { recursive: true, force: true });
        mkdirSync(logDirectory, { recursive: true });
        floorParts.push(await measure(() => runPgBench({ ...options, logDirectory })));
      }
    }
    const get = combineLoads(getParts.map((part) => part.result));
    const getCpu = getParts.every((part) => part.cpuMs !== null) ? getParts.reduce((total, part) => total + (part.cpuMs ?? 0), 0) : null;
    rows.push(row('API GET /v1/orders/:id', get, combinePools(getParts.map((part) => part.pools)), CONFIG.connections, getCpu));
    printRow(rows[rows.length - 1]);

    let pgbenchCommand: string | undefined;
    if (floorParts.length > 0) {
      const floor = combinePgBench(floorParts.map((part) => part.result));
      const pools = combinePools(floorParts.map((part) => part.pools));
      pgbenchCommand = floor.command;
      rows.push({
        target: name,
        targetLabel: label,
        workload: `pgbench floor: GET /v1/orders/:id SQL${database.pooled ? '' : ' (direct, for context)'}`,
        driver: 'pgbench',
        clients: CONFIG.connections,
        durationSec: sliceSec * slices,
        requests: floor.transactions,
        rps: floor.tps,
        p50: floor.latencyMs.p50,
        p95: floor.latencyMs.p95,
        p99: floor.latencyMs.p99,
        errors: floor.errors,
        errorDetail: floor.errors === 0 ? '' : `failed ${floor.failed}, aborted clients ${floor.abortedClients}`,
        rssMb: null,
        peakRssMb: null,
        apiCpuMsPerRequest: null,
        serverConnections: pools ? pools.serverConnectionsMax : null,
        roundTripsPerRequest: pools && floor.transactions > 0 ? pools.queries / floor.transactions : null,
      });
      printRow(rows[rows.length - 1]);
    }

    if (withStorm) {
      say(`Connection storm: ${CONFIG.stormConnections} connections for ${CONFIG.stormDurationSec} s on GET /v1/orders/:id ...`);
      const storm = await measure(() =>
        drive({
          url: api.baseUrl,
          connections: CONFIG.stormConnections,
          durationSec: CONFIG.stormDurationSec,
          next: nextGet,
          timeoutSec: STORM_CLIENT_TIMEOUT_SEC,
        }),
      );
      rows.push(row(`Storm: ${CONFIG.stormConnections} clients, GET /v1/orders/:id`, storm.result, storm.pools, CONFIG.stormConnections, storm.cpuMs));
      printRow(rows[rows.length - 1]);
    }

    // The same storm on a second API process that may wait longer for a pooled connection: with
    // 20 server connections, 1,000 clients queue for about 1,000 / throughput seconds, and the
    // default DB_CONNECT_TIMEOUT_MS (2 s) answers 503 past that. The cluster only (the embedded
    // database belongs to the first process).
    if (withStorm && name === 'citus' && CONFIG.patientTimeoutMs > 0) {
      const patientPort = await freePort();
      const patient = await startApi({
        name: `${name}-patient`,
        mainJs: MAIN_JS,
        probe: PROBE,
        port: patientPort,
        env: { ...env, PORT: String(patientPort), MIGRATE_ON_BOOT: 'false', DB_CONNECT_TIMEOUT_MS: String(CONFIG.patientTimeoutMs) },
        logFile: join(work, `api-${name}-patient.log`),
        cwd: ROOT,
      });
      try {
        say(`Connection storm again with DB_CONNECT_TIMEOUT_MS=${CONFIG.patientTimeoutMs} (fresh API process) ...`);
        await drive({ url: patient.baseUrl, connections: CONFIG.connections, durationSec: 1, next: nextGet });
        const storm = await measure(
          () =>
            drive({
              url: patient.baseUrl,
              connections: CONFIG.stormConnections,
              durationSec: CONFIG.stormDurationSec,
              next: nextGet,
              timeoutSec: STORM_CLIENT_TIMEOUT_SEC,
            }),
          patient,
        );
        rows.push(
          row(
            `Storm: ${CONFIG.stormConnections} clients, GET /v1/orders/:id, DB_CONNECT_TIMEOUT_MS=${CONFIG.patientTimeoutMs}`,
            storm.result,
            storm.pools,
            CONFIG.stormConnections,
            storm.cpuMs,
            patient,
          ),
        );
        printRow(rows[rows.length - 1]);
      } finally {
        await patient.stop();
      }
    }

    if (name === 'citus' && process.env.BENCH_KEEP_DATA !== '1') {
      say('Deleting the bench tenants from the cluster ...');
      await inParallel(tenants, 4, (tenant) => call(api, 'DELETE', `/admin/tenants/${tenant.id}`, CONFIG.adminToken));
    }

    return {
      name,
      label,
      rows,
      roundTrips,
      capturedGetSql: getTransaction.map((query) => query.text),
      pgbenchCommand,
      apiLog: logFile,
      mixByRoute: mix.result.byRoute,
    };
  } finally {
    await monitor?.close().catch(() => undefined);
    await api.stop();
  }
}

function errorDetail(load: LoadResult): string {
  const statuses = Object.entries(load.statuses)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${code} x${count}${sampleMessage(load.errorSamples[code])}`);
  const parts = [...statuses];
  if (load.socketErrors > 0) parts.push(`socket errors ${load.socketErrors} (timeouts ${load.timeouts})`);
  return parts.join(', ');
}

/** ': "message"' from a JSON error body of the API, or nothing. */
function sampleMessage(body: string | undefined): string {
  if (!body) return '';
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    return typeof message === 'string' ? `: "${message.slice(0, 120)}"` : '';
  } catch {
    return '';
  }
}

function printRow(row: ResultRow): void {
  say(
    `  ${row.workload}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50.toFixed(2)} / p95 ${row.p95.toFixed(2)} / p99 ${row.p99.toFixed(2)} ms, ` +
      `errors ${row.errors}${row.rssMb === null ? '' : `, RSS ${row.rssMb.toFixed(0)} MB (peak ${row.peakRssMb?.toFixed(0)})`}` +
      `${row.serverConnections === null ? '' : `, server conns max ${row.serverConnections}`}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Seeding and requests

async function call(api: ApiProcess, method: string, path: string, token: string, body?: string): Promise<any> {
  const response = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function inParallel<T, R>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
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

async function seed(api: ApiProcess): Promise<SeededTenant[]> {
  const runId = Date.now().toString(36);
  return inParallel(
    Array.from({ length: CONFIG.tenants }, (_, index) => index),
    8,
    async (index) => {
      const created = await call(api, 'POST', '/admin/tenants', CONFIG.adminToken, JSON.stringify({ name: `bench ${runId} #${index}`, plan: 'enterprise' }));
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

function request(route: string, tenant: SeededTenant): BenchRequest {
  const headers: Record<string, string> = { authorization: `Bearer ${tenant.apiKey}` };
  switch (route) {
    case 'GET /v1/orders/:id':
      return { route, method: 'GET', path: `/v1/orders/${pick(tenant.readOrderIds)}`, headers };
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

function mixGenerator(tenants: SeededTenant[]): () => BenchRequest {
  const total = MIX.reduce((sum, entry) => sum + entry.weight, 0);
  return () => {
    let roll = Math.random() * total;
    const entry = MIX.find((candidate) => (roll -= candidate.weight) < 0) ?? MIX[0];
    return request(entry.route, pick(tenants));
  };
}

function getGenerator(tenants: SeededTenant[]): () => BenchRequest {
  return () => request('GET /v1/orders/:id', pick(tenants));
}

// ---------------------------------------------------------------------------------------------
// Round trips

const ROUND_TRIP_ROUTES: Array<{ route: string; tenantRead: boolean; note: string; build: (tenant: SeededTenant) => BenchRequest }> = [
  { route: 'GET /v1/orders/:id', tenantRead: true, note: '', build: (tenant) => request('GET /v1/orders/:id', tenant) },
  { route: 'GET /v1/orders', tenantRead: true, note: '', build: (tenant) => request('GET /v1/orders', tenant) },
  {
    route: 'GET /v1/orders/:id/payments',
    tenantRead: true,
    note: '',
    build: (tenant) => ({
      route: 'payments',
      method: 'GET',
      path: `/v1/orders/${tenant.readOrderIds[0]}/payments`,
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    }),
  },
  {
    route: 'GET /v1/stats',
    tenantRead: true,
    note: '',
    build: (tenant) => ({ route: 'stats', method: 'GET', path: '/v1/stats', headers: { authorization: `Bearer ${tenant.apiKey}` } }),
  },
  {
    route: 'GET /v1/tenant',
    tenantRead: true,
    note: '',
    build: (tenant) => ({ route: 'tenant', method: 'GET', path: '/v1/tenant', headers: { authorization: `Bearer ${tenant.apiKey}` } }),
  },
  {
    route: 'GET /v1/countries',
    tenantRead: true,
    note: '',
    build: (tenant) => ({ route: 'countries', method: 'GET', path: '/v1/countries', headers: { authorization: `Bearer ${tenant.apiKey}` } }),
  },
  {
    route: 'POST /v1/orders',
    tenantRead: false,
    note: 'write: BEGIN line, INSERT order, INSERT items, COMMIT',
    build: (tenant) => request('POST /v1/orders', tenant),
  },
  {
    route: 'POST /v1/orders/:id/payments',
    tenantRead: false,
    note: 'write: BEGIN line, INSERT payment, UPDATE order, COMMIT',
    build: (tenant) => request('POST /v1/orders/:id/payments', tenant),
  },
];

/**
 * Sends each route a few times, one request at a time, and reads the probe's counters in the
 * API process between them. The api key was used just before (the authenticator caches keys
 * for API_KEY_CACHE_TTL_MS), so these are the steady-state counts; a key seen for the first
 * time in that window costs one more round trip on the control pool.
 */
async function countRoundTrips(
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
      total: Object.values(counts).reduce((sum, count) => sum + count, 0) / repetitions,
      tenantRead: route.tenantRead,
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

// ---------------------------------------------------------------------------------------------
// Report

async function report(targets: TargetSummary[], skipped: string[], elapsedSec: number, load: [number, number]): Promise<void> {
  const rows = targets.flatMap((target) => target.rows);
  const citus = targets.find((target) => target.name === 'citus');
  const find = (target: TargetSummary | undefined, predicate: (row: ResultRow) => boolean) => target?.rows.find(predicate);
  const citusGet = find(citus, (row) => row.workload === 'API GET /v1/orders/:id');
  const citusFloor = find(citus, (row) => row.driver === 'pgbench');
  const storm = rows.find((row) => row.workload.startsWith('Storm') && !row.workload.includes('DB_CONNECT_TIMEOUT_MS'));
  const patientStorm = rows.find((row) => row.workload.startsWith('Storm') && row.workload.includes('DB_CONNECT_TIMEOUT_MS'));
  const peakRss = Math.max(...rows.map((row) => row.peakRssMb ?? 0));
  const tenantReadMax = Math.max(...targets.flatMap((target) => target.roundTrips.filter((row) => row.tenantRead).map((row) => row.total)));

  const goals: Goal[] = [
    citusGet && citusFloor
      ? {
          name: 'API GET /v1/orders/:id on Citus / pgbench floor',
          value: citusGet.rps / citusFloor.rps,
          goal: '>= 0.5',
          pass: citusGet.rps / citusFloor.rps >= 0.5,
          detail: `${citusGet.rps.toFixed(0)} / ${citusFloor.rps.toFixed(0)} req/s`,
        }
      : { name: 'API GET /v1/orders/:id on Citus / pgbench floor', value: null, goal: '>= 0.5', pass: null, detail: citus ? 'pgbench missing' : 'no Citus' },
    { name: 'API resident memory, peak (VmHWM) over all runs, MB', value: peakRss, goal: '< 250', pass: peakRss < 250, detail: '' },
    storm
      ? {
          name: `Storm: ${CONFIG.stormConnections} clients (${storm.targetLabel}) errors`,
          value: storm.errors,
          goal: '0',
          pass: storm.errors === 0,
          detail: `${storm.requests} requests, server conns max ${storm.serverConnections ?? 'n/a'}`,
        }
      : { name: 'Storm errors', value: null, goal: '0', pass: null, detail: 'not run' },
    ...(patientStorm
      ? [
          {
            name: `Storm: ${CONFIG.stormConnections} clients, DB_CONNECT_TIMEOUT_MS=${CONFIG.patientTimeoutMs}, errors`,
            value: patientStorm.errors,
            goal: '0',
            pass: patientStorm.errors === 0,
            detail: `${patientStorm.requests} requests, p99 ${patientStorm.p99.toFixed(0)} ms`,
          },
        ]
      : []),
    { name: 'Round trips of a tenant read (max over routes)', value: tenantReadMax, goal: '<= 3', pass: tenantReadMax <= 3, detail: '' },
  ];

  const mixLine = MIX.map((entry) => `${entry.route} ${entry.weight}%`).join(', ');
  const settings = [
    `Command: \`npm run bench\` (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; whole run ${elapsedSec} s; load average ${load[0].toFixed(1)} at the start, ${load[1].toFixed(1)} at the end)`,
    `Load: autocannon, ${CONFIG.connections} connections, pipelining 1, ${CONFIG.durationSec} s per run after a ${CONFIG.warmupSec} s warmup; ${CONFIG.tenants} tenants, requests spread at random over tenants and their seeded orders.`,
    `Tenant mix: ${mixLine}.`,
    `API: one Node process (NODE_OPTIONS=${JSON.stringify(process.env.BENCH_NODE_OPTIONS ?? PRODUCTION_NODE_OPTIONS)}), LOG_LEVEL=warn, RATE_LIMIT_ENABLED=false, DB_POOL_SIZE=${CONFIG.dbPoolSize}; Citus 3 nodes (coordinator + 2 workers) behind PgBouncer (transaction mode, default_pool_size 20).`,
    `GET /v1/orders/:id and the floor alternate in ${CONFIG.slices} slices of ${Math.round(CONFIG.durationSec / CONFIG.slices)} s each (same total time), so both see the same machine.`,
    `Floor: pgbench -M simple, ${CONFIG.connections} clients, ${CONFIG.pgbenchThreads} threads, the transaction captured from the API for GET /v1/orders/:id (BEGIN + SET LOCAL line, details SELECT, COMMIT) with tenant and order id drawn at random from the seeded data, as app_tenant.`,
    'Errors = non-2xx responses + socket errors (timeouts included); pgbench: failed transactions + aborted clients. RSS = VmRSS of the API process at the end of the run / VmHWM (peak). API CPU = user + system CPU time of the API process during the run / requests. PgBouncer server conns = max of sv_active+sv_idle+sv_used (app_tenant + app_control) sampled every 250 ms; round trips / req = PgBouncer total_query_count delta / requests (both count every client of the database, so they are only clean when nothing else uses the cluster).',
  ];
  const markdown = [
    '## Benchmark',
    '',
    ...settings.map((line) => `- ${line}`),
    ...(skipped.length ? ['', ...skipped.map((line) => `- **SKIPPED:** ${line}`)] : []),
    '',
    resultsTable(rows),
    '',
    '### Goals (ratios from this one run)',
    '',
    goalsTable(goals),
    '',
    '### Database round trips per request',
    '',
    'Counted in the API process (every pg `Client#query` is one round trip), steady state with the api key cached; a key not seen within API_KEY_CACHE_TTL_MS (5 s) adds one round trip on the control pool.',
    '',
    ...targets.flatMap((target) => [roundTripTable(target.label, target.roundTrips), '']),
  ].join('\n');

  mkdirSync(RESULTS, { recursive: true });
  const title = 'Orders API: requests per second, side by side from one run';
  const subtitle = goals.map(
    (goal) =>
      `${goal.name}: ${goal.value === null ? 'n/a' : Number.isInteger(goal.value) ? goal.value : goal.value.toFixed(goal.value < 10 ? 2 : 0)} (goal ${goal.goal}) ${goal.pass === null ? 'SKIPPED' : goal.pass ? 'PASS' : 'FAIL'}`,
  );
  const svg = chartSvg(rows, title, [...subtitle, `${CONFIG.connections} connections, ${CONFIG.durationSec} s per run, ${CONFIG.tenants} tenants; ${mixLine}`]);
  writeFileSync(join(RESULTS, 'bench.svg'), svg);
  const png = await svgToPng(svg);
  if (typeof png === 'string') {
    loud(`SKIPPED: bench.png -- ${png}`);
    skipped.push(`bench.png: ${png}`);
  } else {
    writeFileSync(join(RESULTS, 'bench.png'), png);
  }
  writeFileSync(join(RESULTS, 'README-table.md'), `${markdown}\n`);
  writeFileSync(
    join(RESULTS, 'bench.json'),
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        command: 'npm run bench',
        machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
        config: { ...CONFIG, adminToken: undefined, mix: MIX },
        skipped,
        rows,
        goals,
        roundTrips: Object.fromEntries(targets.map((target) => [target.name, target.roundTrips])),
        mixByRoute: Object.fromEntries(targets.map((target) => [target.name, target.mixByRoute])),
        floor: Object.fromEntries(targets.map((target) => [target.name, { pgbench: target.pgbenchCommand, transaction: target.capturedGetSql }])),
        elapsedSec,
        loadAverage: { start: load[0], end: load[1] },
      },
      null,
      2,
    )}\n`,
  );

  say(`\n${markdown}`);
  say(`Written: bench/results/bench.json, bench/results/README-table.md, bench/results/bench.svg${typeof png === 'string' ? '' : ', bench/results/bench.png'}`);
  if (skipped.length) loud(`SKIPPED: ${skipped.join('; ')}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
