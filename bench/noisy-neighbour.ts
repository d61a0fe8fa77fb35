import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertDurableCluster, freePort } from '@app/testing';
import { startControlPlane } from './lib/control-plane';
import { startApi } from './lib/api-process';
import { arriveAtRate, ArrivalResult, combineArrivals } from './lib/arrivals';
import { BenchRequest } from './lib/load';

/**
 * `npm run bench:noisy`: the noisy neighbour on the local Citus cluster (npm run cluster:up).
 * Quiet tenants (enterprise plan) read at QUIET_RATE requests/s in all, alone and next to one hot
 * tenant (free plan) at ten times a quiet tenant's rate in turn, ROUNDS times, then once more
 * while the hot tenant is isolated onto a worker of its own. Arrivals and the read mix are
 * those of loadtest/noisy-neighbour.js; the hot-tenant ranking is polled in every phase, the
 * baseline included. Figures by class of tenant, never by tenant id.
 * Results: bench/results/noisy-neighbour.json.
 */
const ROOT = join(__dirname, '..');
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const QUIET_TENANTS = 8;
const QUIET_RATE = Number(process.env.BENCH_QUIET_RATE ?? 80);
const HOT_RATE = Math.round((QUIET_RATE / QUIET_TENANTS) * 10);
const PHASE_SECONDS = 25;
const ROUNDS = Number(process.env.BENCH_NOISY_ROUNDS ?? 3);
const coordinator = `postgres://postgres@127.0.0.1:${process.env.CLUSTER_COORDINATOR_PORT ?? 9700}/app`;
const pooled = (role: string) => `postgres://${role}@127.0.0.1:${process.env.CLUSTER_PGBOUNCER_PORT ?? 6432}/app`;

interface Tenant {
  id: string;
  apiKey: string;
  orderIds: number[];
}

async function main(): Promise<void> {
  await assertDurableCluster(coordinator);
  for (const project of ['api', 'control-plane']) execFileSync('npx', ['nest', 'build', project], { cwd: ROOT, stdio: 'ignore' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const work = mkdtempSync(join(tmpdir(), 'bench-noisy-'));
  const environment = {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    DATABASE_URL: coordinator,
    TENANT_DATABASE_URL: pooled('app_tenant'),
    CONTROL_DATABASE_URL: pooled('app_control'),
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    RATE_LIMIT_ENABLED: 'true',
  };
  const controlPlane = await startControlPlane(environment, work);
  const adminBase = controlPlane.baseUrl;
  const api = await startApi({
    name: 'noisy',
    mainJs: join(ROOT, 'dist/apps/api/apps/api/src/main.js'),
    probe: join(__dirname, 'support/round-trip-probe.cjs'),
    port,
    cwd: ROOT,
    logFile: join(work, 'api.log'),
    env: { ...environment, PORT: String(port) },
  });
  try {
    const admin = { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' };
    const createTenant = async (plan: string): Promise<Tenant> => {
      const response = await fetch(`${adminBase}/admin/tenants`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name: `noisy bench ${plan}`, plan }),
      });
      const body = (await response.json()) as { tenant: { id: string }; apiKey: string };
      const tenant: Tenant = { id: body.tenant.id, apiKey: body.apiKey, orderIds: [] };
      for (let index = 0; index < 5; index += 1) {
        const order = await fetch(`${base}/v1/orders`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${tenant.apiKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ countryCode: 'US', items: [{ sku: 'N', quantity: 1, unitPriceCents: 100 }] }),
        });
        tenant.orderIds.push(((await order.json()) as { id: number }).id);
      }
      return tenant;
    };
    const quiet = await Promise.all(Array.from({ length: QUIET_TENANTS }, () => createTenant('enterprise')));
    const hot = await createTenant('free');
    const reads = (tenants: Tenant[]) => (): BenchRequest => {
      const tenant = tenants[Math.floor(Math.random() * tenants.length)];
      const headers = { Authorization: `Bearer ${tenant.apiKey}` };
      if (Math.random() < 0.3) return { route: 'GET /v1/orders', method: 'GET', path: '/v1/orders?limit=20', headers };
      const id = tenant.orderIds[Math.floor(Math.random() * tenant.orderIds.length)];
      return { route: 'GET /v1/orders/:id', method: 'GET', path: `/v1/orders/${id}`, headers };
    };
    const drive = (tenants: Tenant[], rate: number) => arriveAtRate({ url: base, rate, durationSec: PHASE_SECONDS, next: reads(tenants) });

    let sideBySideStarted = Number.POSITIVE_INFINITY;
    let namedHotAfterSeconds: number | null = null;
    const watcher = setInterval(() => {
      void fetch(`${adminBase}/admin/tenants/hot?limit=3`, { headers: admin })
        .then((response) => response.json() as Promise<{ data: Array<{ tenantId: string }> }>)
        .then((ranking) => {
          const now = Date.now();
          if (namedHotAfterSeconds === null && now > sideBySideStarted && ranking.data[0]?.tenantId === hot.id) {
            namedHotAfterSeconds = (now - sideBySideStarted) / 1000;
          }
        })
        .catch(() => undefined);
    }, 1000);
    // Unmeasured: the API's JIT and both pools warm up before the baseline.
    await arriveAtRate({ url: base, rate: QUIET_RATE, durationSec: 10, next: reads(quiet) });

    // Alone and next to the hot tenant in turn, each minute: alone for its first half, side by side
    // for its second, when the hot tenant's 1,200 admitted requests of the minute come first.
    const untilNextMinute = () => 60_000 - (Date.now() % 60_000);
    const alone: ArrivalResult[] = [];
    const nextToHot: ArrivalResult[] = [];
    const hotRuns: ArrivalResult[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      await sleep(untilNextMinute());
      alone.push(await drive(quiet, QUIET_RATE));
      await sleep(Math.max(0, untilNextMinute() - 30_000));
      sideBySideStarted = Math.min(sideBySideStarted, Date.now());
      const [quietRun, hotRun] = await Promise.all([drive(quiet, QUIET_RATE), drive([hot], HOT_RATE)]);
      nextToHot.push(quietRun);
      hotRuns.push(hotRun);
    }

    // Then side by side once more, while the hot tenant moves onto the worker that does not hold it.
    const cluster = (await (await fetch(`${adminBase}/admin/cluster`, { headers: admin })).json()) as {
      nodes: Array<{ role: string; nodeName: string; nodePort: number }>;
    };
    const details = (await (await fetch(`${adminBase}/admin/tenants/${hot.id}`, { headers: admin })).json()) as { placement: { nodePort: number } | null };
    const dedicated = cluster.nodes.find((node) => node.role === 'worker' && node.nodePort !== details.placement?.nodePort);
    if (!dedicated) throw new Error('bench:noisy needs a cluster with two workers');
    await sleep(untilNextMinute());
    const isolation = (async () => {
      await sleep(3_000);
      const started = Date.now();
      const body = JSON.stringify({ nodeName: dedicated.nodeName, nodePort: dedicated.nodePort });
      const response = await fetch(`${adminBase}/admin/tenants/${hot.id}/isolate`, { method: 'POST', headers: admin, body });
      return { status: response.status, seconds: (Date.now() - started) / 1000, node: `${dedicated.nodeName}:${dedicated.nodePort}` };
    })();
    const [isolatingQuiet, isolatingHot] = await Promise.all([drive(quiet, QUIET_RATE), drive([hot], HOT_RATE)]);
    const isolated = await isolation;
    clearInterval(watcher);

    const summary = (result: ArrivalResult) => ({
      requests: result.requests,
      rps: Math.round(result.rps),
      p50: Number(result.latencyMs.p50.toFixed(2)),
      p95: Number(result.latencyMs.p95.toFixed(2)),
      statuses: result.statuses,
      socketErrors: result.socketErrors,
    });
    const [quietAlone, quietNextToHot, hotNextToQuiet] = [alone, nextToHot, hotRuns].map(combineArrivals);
    const quietP95Ratio = Number((quietNextToHot.latencyMs.p95 / quietAlone.latencyMs.p95).toFixed(2));
    const hotOnly200Or429WithRetryAfter = [hotNextToQuiet, isolatingHot].every(
      (run) =>
        Object.keys(run.statuses).every((status) => status === '200' || status === '429') && run.socketErrors === 0 && run.throttledWithoutRetryAfter === 0,
    );
    const quietAllAnswered = [quietAlone, quietNextToHot, isolatingQuiet].every((run) => run.non2xx === 0 && run.socketErrors === 0);
    const result = {
      quietTenants: QUIET_TENANTS,
      quietRate: QUIET_RATE,
      hotRate: HOT_RATE,
      rounds: ROUNDS,
      phaseSeconds: PHASE_SECONDS,
      quietAlone: summary(quietAlone),
      quietNextToHot: summary(quietNextToHot),
      hot: summary(hotNextToQuiet),
      quietP95Ratio,
      quietP95RatioByRound: alone.map((run, round) => Number((nextToHot[round].latencyMs.p95 / run.latencyMs.p95).toFixed(2))),
      hotNamedFirstAfterSeconds: namedHotAfterSeconds,
      quietWhileIsolating: summary(isolatingQuiet),
      hotWhileIsolating: summary(isolatingHot),
      isolation: isolated,
      hotOnly200Or429WithRetryAfter,
      quietAllAnswered,
    };
    writeFileSync(join(__dirname, 'results/noisy-neighbour.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    const goals = [
      [`quiet p95 next to the hot tenant / alone = ${quietP95Ratio} (goal <= 1.25)`, quietP95Ratio <= 1.25],
      ['the hot tenant gets only 200, or 429 with Retry-After', hotOnly200Or429WithRetryAfter],
      ['every quiet request answered 2xx, the isolation included', quietAllAnswered],
      [`the isolation answered ${isolated.status}`, isolated.status === 200],
    ] as const;
    for (const [goal, met] of goals) process.stdout.write(`${met ? 'PASS' : 'FAIL'}  ${goal}\n`);
    if (goals.some(([, met]) => !met)) process.exitCode = 1;
  } finally {
    await api.stop();
    await controlPlane.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
