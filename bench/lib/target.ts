/** One target of the bench (the embedded node or the Citus cluster): start the API, seed, load, measure. */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { citusClusterEndpoints, freePort } from '@app/testing';
import { ApiProcess, startApi } from './api-process';
import { startControlPlane } from './control-plane';
import { combineLoads, drive, LoadResult } from './load';
import { combinePgBench, PgBenchResult, runPgBench, writeFloorScripts } from './pgbench';
import { combinePools, PgBouncerMonitor, PoolSample } from './pgbouncer-monitor';
import { ResultRow, RoundTripRow } from './report';
import { countRoundTrips } from './round-trips';
import { measureShapes, ShapeResult } from './transaction-shapes';
import { measureSideBySide, SideBySide } from './side-by-side';
import { apiEnvironment, call, CONFIG, getGenerator, inParallel, mixGenerator, seed } from './workload';
import { MAIN_JS, PROBE, PRODUCTION_NODE_OPTIONS, ROOT, say, STORM_CLIENT_TIMEOUT_SEC } from './setup';

/** The issue's own comparison of transaction shapes used 8 clients through PgBouncer. */
const SHAPE_CLIENTS = 8;

export interface TargetSummary {
  name: 'embedded' | 'citus';
  label: string;
  rows: ResultRow[];
  roundTrips: RoundTripRow[];
  capturedGetSql: string[];
  pgbenchCommand?: string;
  floorProtocol?: string;
  apiLog: string;
  mixByRoute?: LoadResult['byRoute'];
  /** Leak checks over every run of this target. */
  leakChecks: LoadResult['checks'];
  shapes?: ShapeResult[];
  sideBySide?: SideBySide;
  /** Citus only: the workers in the cluster the run measured. */
  workers?: number;
}

export async function runTarget(name: 'embedded' | 'citus', work: string, pgbench: string | undefined, withStorm: boolean): Promise<TargetSummary> {
  const label = name === 'embedded' ? 'Embedded PG (single node)' : 'Citus via PgBouncer';
  say(`\n=== ${label} ===`);
  const port = await freePort();
  const env = apiEnvironment(port, PRODUCTION_NODE_OPTIONS);

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
  // The control plane first: on the embedded node it starts the database that the API then attaches to.
  const controlPlane = await startControlPlane(env, work, `control-plane-${name}`);
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
    const tenants = await seed(api, controlPlane);

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
      const { scripts, protocol } = writeFloorScripts(
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
        protocol,
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

    let sideBySide: SideBySide | undefined;
    if (process.env.BENCH_SIDE_BY_SIDE !== '0') {
      let roleUrls = { tenant: cluster.tenant, control: cluster.control };
      if (name === 'embedded') {
        const { roles } = JSON.parse(readFileSync(join(env.EMBEDDED_PG_DIR as string, 'credentials.json'), 'utf8')) as { roles: Record<string, string> };
        const url = (role: string) => `postgres://${role}:${encodeURIComponent(roles[role])}@127.0.0.1:${database.port}/${database.database}`;
        roleUrls = { tenant: url('app_tenant'), control: url('app_control') };
      }
      sideBySide = await measureSideBySide({ name, work, env, tenantUrl: roleUrls.tenant, controlUrl: roleUrls.control, api, next: nextGet, slices, sliceSec });
      for (const server of sideBySide.servers) {
        rows.push(row(`Side by side: ${server.label}`, server.load, null, CONFIG.connections, null));
        rows[rows.length - 1].apiCpuMsPerRequest = server.cpuMsPerRequest;
        rows[rows.length - 1].rssMb = null;
        rows[rows.length - 1].peakRssMb = null;
        say(
          `  ${server.label}: ${server.load.rps.toFixed(0)} req/s, p99 ${server.load.latencyMs.p99.toFixed(2)} ms, CPU ${server.cpuMsPerRequest?.toFixed(3) ?? '?'} ms/request, errors ${server.load.errors}`,
        );
      }
      const verdict = (value: number | null, limit: number) => (value === null ? 'n/a' : value <= limit ? 'PASS' : 'FAIL');
      say(
        `  API CPU per request / express peer: ${sideBySide.apiCpuToExpress?.toFixed(2) ?? '?'} (goal <= 1.15: ${verdict(sideBySide.apiCpuToExpress, 1.15)}); ` +
          `/ bare node:http peer: ${sideBySide.apiCpuToBare?.toFixed(2) ?? '?'}; NestJS peer / express peer: ${sideBySide.nestCpuToExpress?.toFixed(2) ?? '?'} (on fastify: ${sideBySide.nestFastifyCpuToExpress?.toFixed(2) ?? '?'}); API / NestJS-on-fastify peer: ${sideBySide.apiCpuToNestFastify?.toFixed(2) ?? '?'}; access log at info / at warn: ${sideBySide.accessLogCpuRatio?.toFixed(2) ?? '?'}; tracing on / off: ${sideBySide.tracingCpuRatio?.toFixed(2) ?? '?'} ` +
          `(${sideBySide.otlpExports} OTLP exports, ${(sideBySide.otlpBytes / 1e6).toFixed(1)} MB)`,
      );
    }

    const workers =
      name === 'citus'
        ? ((await call(controlPlane, 'GET', '/admin/cluster', CONFIG.adminToken)) as { nodes: Array<{ role: string }> }).nodes.filter(
            (node) => node.role === 'worker',
          ).length
        : undefined;

    let shapes: ShapeResult[] | undefined;
    if (floorOptions && name === 'citus') {
      say(`Tenant read shapes on Citus (pgbench, ${SHAPE_CLIENTS} clients through PgBouncer): ${slices} x ${sliceSec} s each, alternating ...`);
      shapes = await measureShapes(
        join(work, 'shapes'),
        tenants,
        { ...floorOptions, clients: SHAPE_CLIENTS },
        decodeURIComponent(new URL(cluster.owner).username),
        slices,
        sliceSec,
      );
      for (const shape of shapes)
        say(`  ${shape.shape}: ${shape.result.tps.toFixed(0)} tps (${shape.ratio.toFixed(2)} of the plain select), errors ${shape.result.errors}`);
    }

    let stormResult: LoadResult | undefined;
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
      stormResult = storm.result;
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
      await inParallel(tenants, 4, (tenant) => call(controlPlane, 'DELETE', `/admin/tenants/${tenant.id}`, CONFIG.adminToken));
    }

    return {
      name,
      label,
      rows,
      roundTrips,
      capturedGetSql: getTransaction.map((query) => query.text),
      pgbenchCommand,
      floorProtocol: floorOptions?.protocol,
      apiLog: logFile,
      mixByRoute: mix.result.byRoute,
      leakChecks: combineLoads([mix.result, get, ...(stormResult ? [stormResult] : [])]).checks,
      shapes,
      sideBySide,
      workers,
    };
  } finally {
    await monitor?.close().catch(() => undefined);
    await api.stop();
    await controlPlane.stop();
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

export function printRow(row: ResultRow): void {
  say(
    `  ${row.workload}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50.toFixed(2)} / p95 ${row.p95.toFixed(2)} / p99 ${row.p99.toFixed(2)} ms, ` +
      `errors ${row.errors}${row.rssMb === null ? '' : `, RSS ${row.rssMb.toFixed(0)} MB (peak ${row.peakRssMb?.toFixed(0)})`}` +
      (row.serverConnections === null ? '' : `, server conns max ${row.serverConnections}`),
  );
}
