/**
 * npm run chaos: crashes at random under load, then a check of what the clients were told against what the database holds.
 * A Citus cluster of its own (.cluster-chaos, ports 9920-9922, PgBouncer 6462), two tenant API processes, clients writing orders,
 * payments and refunds with idempotent retries and reading them back, and a seeded nemesis that every few seconds SIGKILLs a
 * worker's or the coordinator's postmaster, PgBouncer or one API process, or pauses a worker past the statement timeout, then
 * brings it back. CHAOS_SECONDS (300), CHAOS_SEED (printed; the same seed replays the same schedule). Writes
 * bench/results/chaos.json and a timeline chart as it goes; exits 1 on a lost, duplicated or foreign answer, or a status outside
 * the contract.
 */
import 'reflect-metadata';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DatabaseEndpoints, validateEnvironment } from '@app/config';
import { runMigrations } from '@app/persistence';
import { assertDurableCluster, citusClusterEndpoints, freePort } from '@app/testing';
import { ApiProcess, startApi } from './lib/api-process';
import { startControlPlane } from './lib/control-plane';
import { MAIN_JS, PROBE, RESULTS, ROOT, say } from './lib/setup';
import { seededRandom } from './scale/dataset';
import { ANALYTICS_CASES } from './analytics/cases';
import { AnalyticsRepository } from '../apps/analytics/src/analytics/analytics.repository';
import { RollupRepository } from '../apps/analytics/src/rollup/rollup.repository';
import { createAnalyticsApp } from '../apps/analytics/src/bootstrap/create-analytics-app';

const CLUSTER = {
  CLUSTER_DIR: join(ROOT, '.cluster-chaos'),
  CLUSTER_COORDINATOR_PORT: process.env.CHAOS_COORDINATOR_PORT ?? '9920',
  CLUSTER_WORKER1_PORT: process.env.CHAOS_WORKER1_PORT ?? '9921',
  CLUSTER_WORKER2_PORT: process.env.CHAOS_WORKER2_PORT ?? '9922',
  CLUSTER_PGBOUNCER_PORT: process.env.CHAOS_PGBOUNCER_PORT ?? '6462',
};
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 300);
const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 1_000_000));
const CLIENTS = Number(process.env.CHAOS_CLIENTS ?? 6);
const TENANTS = 8;
const ADMIN_TOKEN = 'chaos-admin-token-0123456789abcdef';
const API_KEY_SECRET = 'chaos-api-key-secret-0123456789abcdef-0123';
const ALLOWED = new Set([200, 201, 204, 404, 409, 429, 503]);
const RESULT_FILE = join(RESULTS, process.env.CHAOS_RESULT_NAME ?? 'chaos.json');
/** Longer than the tenant role's statement timeout (5 s): a paused worker must make statements time out, not just wait. */
const PAUSE_MS = 7000;

type FaultKind = 'kill-worker' | 'kill-coordinator' | 'kill-pgbouncer' | 'kill-api' | 'pause-worker';
const FAULTS: FaultKind[] = ['kill-worker', 'kill-coordinator', 'kill-pgbouncer', 'kill-api', 'pause-worker'];

interface Fault {
  kind: FaultKind;
  target: string;
  at: number;
  /** When the process was back (epoch ms); the recovery is read from the clients' history afterwards. */
  backAt: number;
  /** From the process back to the first request sent after it that succeeded. */
  recoveredMs: number | null;
}

interface Tenant {
  id: string;
  apiKey: string;
}

const history = {
  orders: [] as Array<{ tenant: string; id: number; key: string; totalCents: number }>,
  payments: [] as Array<{ tenant: string; orderId: number; id: number; key: string; amountCents: number }>,
  refunds: [] as Array<{ tenant: string; paymentId: number; id: number; key: string; amountCents: number }>,
  unexpected: [] as Array<{ status: number; route: string; detail: string }>,
  foreignReads: 0,
  reads: 0,
  perSecond: new Map<number, { ok: number; errors: number }>(),
  /** When each request that succeeded was sent, in order: the recovery after a fault is the first one sent after it. */
  successesSentAt: [] as number[],
};
const faults: Fault[] = [];
const startedAt = Date.now();
const env = { ...process.env, ...CLUSTER };

async function main(): Promise<void> {
  say(`chaos: seed ${SEED}, ${SECONDS} s, ${CLIENTS} clients, cluster in ${CLUSTER.CLUSTER_DIR}`);
  const up = spawnSync('bash', [join(ROOT, 'scripts/cluster-up.sh')], { env, encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`cluster-up failed (${up.status}): ${up.stderr}`);
  const endpoints = citusClusterEndpoints(env);
  await assertDurableCluster(endpoints.owner);
  await runMigrations(endpoints.owner);
  for (const project of ['api', 'control-plane']) execFileSync('npx', ['nest', 'build', project], { cwd: ROOT, stdio: 'ignore' });
  const work = mkdtempSync(join(tmpdir(), 'chaos-'));
  const appEnv = {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    DATABASE_URL: endpoints.owner,
    TENANT_DATABASE_URL: endpoints.tenant,
    CONTROL_DATABASE_URL: endpoints.control,
    CONTROL_LISTEN_URL: endpoints.controlListen,
    ADMIN_TOKEN,
    API_KEY_SECRET,
    LOG_LEVEL: 'error',
    RATE_LIMIT_ENABLED: 'false',
    MIGRATE_ON_BOOT: 'false',
  };
  const controlPlane = await startControlPlane(appEnv, work, 'chaos-control-plane');
  const tenants: Tenant[] = [];
  for (let index = 0; index < TENANTS; index += 1) {
    const response = await fetch(`${controlPlane.baseUrl}/admin/tenants`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `chaos ${SEED} #${index}`, plan: 'enterprise' }),
    });
    const body = (await response.json()) as { tenant: { id: string }; apiKey: string };
    tenants.push({ id: body.tenant.id, apiKey: body.apiKey });
  }
  const apis: Array<ApiProcess | undefined> = [];
  const startOne = async (slot: number) => {
    const port = await freePort();
    const { DATABASE_URL: _owner, ...withoutOwner } = appEnv;
    apis[slot] = await startApi({
      name: `chaos-api-${slot}`,
      mainJs: MAIN_JS,
      probe: PROBE,
      port,
      cwd: ROOT,
      logFile: join(work, `api-${slot}-${Date.now()}.log`),
      env: { ...withoutOwner, PORT: String(port) },
    });
  };
  await startOne(0);
  await startOne(1);

  const deadline = Date.now() + SECONDS * 1000;
  const random = seededRandom(SEED);
  const clients = Array.from({ length: CLIENTS }, (_, index) => client(index, tenants, apis, deadline, seededRandom(SEED + 1 + index)));
  const nemesis = (async () => {
    await sleep(3000);
    while (Date.now() < deadline - 8000) {
      const kind = FAULTS[Math.floor(random() * FAULTS.length)];
      const fault = await inject(kind, random, apis, startOne);
      faults.push(fault);
      save();
      await sleep(3000 + random() * 4000);
    }
  })();
  await Promise.all([...clients, nemesis]);
  for (const api of apis) await api?.stop();
  await controlPlane.stop();
  const verdict = await check(endpoints, tenants);
  save(verdict);
  say(JSON.stringify(verdict, null, 2));
  if (
    verdict.lost > 0 ||
    verdict.duplicated > 0 ||
    verdict.overpaid > 0 ||
    verdict.paidMismatch > 0 ||
    verdict.foreignReads > 0 ||
    verdict.unexpectedStatuses > 0 ||
    verdict.analyticsMismatches > 0
  )
    process.exitCode = 1;
  if (process.env.CHAOS_KEEP_CLUSTER !== '1') spawnSync('bash', [join(ROOT, 'scripts/cluster-down.sh'), '--purge'], { env, stdio: 'ignore' });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tick(ok: boolean): void {
  const second = Math.floor((Date.now() - startedAt) / 1000);
  const bucket = history.perSecond.get(second) ?? { ok: 0, errors: 0 };
  if (ok) bucket.ok += 1;
  else bucket.errors += 1;
  history.perSecond.set(second, bucket);
}

/** One call on whichever API process is up, failing over to the other; a status outside the contract is recorded. */
async function call(
  apis: Array<ApiProcess | undefined>,
  tenant: Tenant,
  method: string,
  path: string,
  body?: object,
  key?: string,
): Promise<{ status: number; body: any }> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const api = apis[(attempt + Math.floor(Math.random() * 2)) % 2];
    if (!api) continue;
    const sentAt = Date.now();
    try {
      const response = await fetch(`${api.baseUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${tenant.apiKey}`, 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      if (!ALLOWED.has(response.status) || (response.status === 503 && !response.headers.get('retry-after'))) {
        history.unexpected.push({ status: response.status, route: `${method} ${path.replace(/\d+/g, ':id')}`, detail: text.slice(0, 200) });
      }
      tick(response.status < 400);
      if (response.status < 400) history.successesSentAt.push(sentAt);
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    } catch {
      tick(false);
    }
  }
  await sleep(200);
  return { status: 0, body: undefined };
}

/** Retries with the same key until the outcome is known: 2xx (stored) or a refusal that is final. */
async function untilSettled(apis: Array<ApiProcess | undefined>, tenant: Tenant, path: string, body: object, key: string, deadline: number) {
  while (Date.now() < deadline + 30_000) {
    const result = await call(apis, tenant, 'POST', path, body, key);
    if (result.status === 201 || result.status === 409 || result.status === 404) return result;
    await sleep(250);
  }
  return { status: 0, body: undefined };
}

async function client(index: number, tenants: Tenant[], apis: Array<ApiProcess | undefined>, deadline: number, random: () => number): Promise<void> {
  let sequence = 0;
  while (Date.now() < deadline) {
    const tenant = tenants[Math.floor(random() * tenants.length)];
    const key = `chaos-${SEED}-${index}-${sequence++}`;
    const totalCents = 1000 * (1 + Math.floor(random() * 3));
    const order = await untilSettled(
      apis,
      tenant,
      '/v1/orders',
      { countryCode: 'US', items: [{ sku: 'C', quantity: totalCents / 1000, unitPriceCents: 1000 }] },
      `${key}-o`,
      deadline,
    );
    if (order.status !== 201) continue;
    history.orders.push({ tenant: tenant.id, id: order.body.id, key: `${key}-o`, totalCents });
    const payment = await untilSettled(apis, tenant, `/v1/orders/${order.body.id}/payments`, { amountCents: totalCents, method: 'card' }, `${key}-p`, deadline);
    if (payment.status === 201) {
      history.payments.push({ tenant: tenant.id, orderId: order.body.id, id: payment.body.id, key: `${key}-p`, amountCents: totalCents });
      if (random() < 0.3) {
        const refund = await untilSettled(
          apis,
          tenant,
          `/v1/orders/${order.body.id}/payments/${payment.body.id}/refunds`,
          { amountCents: 500 },
          `${key}-r`,
          deadline,
        );
        if (refund.status === 201)
          history.refunds.push({ tenant: tenant.id, paymentId: payment.body.id, id: refund.body.id, key: `${key}-r`, amountCents: 500 });
      }
    }
    const read = await call(apis, tenant, 'GET', `/v1/orders/${order.body.id}`);
    if (read.status === 200) {
      history.reads += 1;
      if (read.body.id !== order.body.id || read.body.totalCents !== totalCents) history.foreignReads += 1;
    }
  }
}

/** A process the nemesis aims at may be gone already (a node still down from an earlier fault): the fault then finds it down. */
function killQuietly(pid: number, signal: NodeJS.Signals): void {
  // 0 or less would signal a whole process group, this one included.
  if (!(pid > 0)) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function postmasterPid(node: string): number {
  try {
    return Number(readFileSync(join(CLUSTER.CLUSTER_DIR, node, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return 0;
  }
}

function pgbouncerPid(): number {
  try {
    return Number(readFileSync(join(CLUSTER.CLUSTER_DIR, 'pgbouncer', 'pgbouncer.pid'), 'utf8').trim());
  } catch {
    return 0;
  }
}

/** The postmaster and every backend it forked: a pause must stop the node's work, not only its listener. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all = [root];
  for (let index = 0; index < all.length; index += 1) all.push(...(children.get(all[index]) ?? []));
  return all;
}

async function inject(kind: FaultKind, random: () => number, apis: Array<ApiProcess | undefined>, startOne: (slot: number) => Promise<void>): Promise<Fault> {
  const at = Math.round((Date.now() - startedAt) / 100) / 10;
  const worker = random() < 0.5 ? 'worker1' : 'worker2';
  let target = worker;
  // A SIGKILLed postmaster leaves its backends running until they notice; the node restarts once they are gone.
  const bringBack = async () => {
    for (let attempt = 0; attempt < 60; attempt += 1) {
      if (spawnSync('bash', [join(ROOT, 'scripts/cluster-up.sh')], { env, stdio: 'ignore' }).status === 0) return;
      await sleep(500);
    }
  };
  switch (kind) {
    case 'kill-worker':
      killQuietly(postmasterPid(worker), 'SIGKILL');
      await sleep(1000);
      await bringBack();
      break;
    case 'kill-coordinator':
      target = 'coordinator';
      killQuietly(postmasterPid('coordinator'), 'SIGKILL');
      await sleep(1000);
      await bringBack();
      break;
    case 'kill-pgbouncer':
      target = 'pgbouncer';
      killQuietly(pgbouncerPid(), 'SIGKILL');
      await sleep(1000);
      await bringBack();
      break;
    case 'kill-api': {
      const slot = random() < 0.5 ? 0 : 1;
      target = `api-${slot}`;
      const victim = apis[slot];
      apis[slot] = undefined;
      if (victim) killQuietly(victim.pid, 'SIGKILL');
      await sleep(1000);
      await startOne(slot);
      break;
    }
    case 'pause-worker': {
      const postmaster = postmasterPid(worker);
      const tree = postmaster > 0 ? processTree(postmaster) : [];
      for (const pid of tree) killQuietly(pid, 'SIGSTOP');
      await sleep(PAUSE_MS);
      for (const pid of tree) killQuietly(pid, 'SIGCONT');
      break;
    }
  }
  const backAt = Date.now();
  // The next fault waits until an API process is ready again, so that faults do not pile up.
  const probeTenantReady = async () => {
    for (const api of apis) {
      if (!api) continue;
      const response = await fetch(`${api.baseUrl}/health/ready`).catch(() => undefined);
      if (response?.status === 200) return true;
    }
    return false;
  };
  for (let attempt = 0; attempt < 300 && !(await probeTenantReady()); attempt += 1) await sleep(100);
  say(`[${at}s] ${kind} ${target}: back`);
  return { kind, target, at, backAt, recoveredMs: null };
}

interface Verdict {
  acknowledged: { orders: number; payments: number; refunds: number };
  lost: number;
  duplicated: number;
  overpaid: number;
  paidMismatch: number;
  foreignReads: number;
  reads: number;
  unexpectedStatuses: number;
  recovery: { p50Ms: number | null; maxMs: number | null };
  /** After a rollup refresh, every analytics route from the rollup against the same route over the orders alone. */
  analytics: Array<{ route: string; query: string; rows: number; source: string; equal: boolean }>;
  analyticsMismatches: number;
}

/** The first success sent at or after `backAt`, from the sorted send times of the successes. */
function recoveryAfter(backAt: number): number | null {
  const sent = history.successesSentAt;
  let low = 0;
  let high = sent.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sent[middle] < backAt) low = middle + 1;
    else high = middle;
  }
  return low < sent.length ? sent[low] - backAt : null;
}

async function analyticsAgainstOrders(endpoints: DatabaseEndpoints): Promise<Verdict['analytics']> {
  const app = await createAnalyticsApp(validateEnvironment({ ANALYTICS_TOKEN: ADMIN_TOKEN, ROLLUP_INTERVAL_SECONDS: '0', LOG_LEVEL: 'silent' }), endpoints);
  await app.init();
  try {
    await app.get(RollupRepository).refresh({ wait: true, rebuild: true });
    const analytics = app.get(AnalyticsRepository);
    const answers: Verdict['analytics'] = [];
    for (const item of ANALYTICS_CASES) {
      const now = new Date();
      const fromRollup = await item.read(analytics, {}, now);
      const fromOrders = await item.read(analytics, { rawOnly: true }, now);
      answers.push({
        route: item.route,
        query: item.query,
        rows: fromRollup.rows.length,
        source: fromRollup.source,
        equal: isDeepStrictEqual(fromRollup.rows, fromOrders.rows),
      });
    }
    return answers;
  } finally {
    await app.close();
  }
}

async function check(endpoints: DatabaseEndpoints, tenants: Tenant[]): Promise<Verdict> {
  // The cluster comes back from the last fault before the checker reads.
  spawnSync('bash', [join(ROOT, 'scripts/cluster-up.sh')], { env, stdio: 'ignore' });
  const owner = new Client({ connectionString: endpoints.owner });
  await owner.connect();
  try {
    const ids = tenants.map((tenant) => tenant.id);
    const keyed = async (table: string) =>
      (
        await owner.query<{ key: string; id: string; n: number }>(
          `SELECT idempotency_key AS key, min(id) AS id, count(*)::int AS n FROM ${table} WHERE tenant_id = ANY($1) AND idempotency_key IS NOT NULL GROUP BY 1`,
          [ids],
        )
      ).rows;
    const stored = { orders: await keyed('orders'), payments: await keyed('payments'), refunds: await keyed('refunds') };
    let lost = 0;
    let duplicated = 0;
    for (const [table, acknowledged] of [
      ['orders', history.orders],
      ['payments', history.payments],
      ['refunds', history.refunds],
    ] as const) {
      const byKey = new Map(stored[table].map((row) => [row.key, row]));
      for (const entry of acknowledged) {
        const row = byKey.get(entry.key);
        if (!row || Number(row.id) !== entry.id) lost += 1;
        else if (row.n > 1) duplicated += 1;
      }
    }
    const { rows: money } = await owner.query<{ overpaid: number; mismatch: number }>(
      `SELECT count(*) FILTER (WHERE o.paid_cents > o.total_cents)::int AS overpaid,
              count(*) FILTER (WHERE o.paid_cents <> coalesce(p.sum, 0))::int AS mismatch
         FROM orders o LEFT JOIN (SELECT tenant_id, order_id, sum(amount_cents) AS sum FROM payments GROUP BY 1, 2) p
           ON p.tenant_id = o.tenant_id AND p.order_id = o.id
        WHERE o.tenant_id = ANY($1)`,
      [ids],
    );
    history.successesSentAt.sort((a, b) => a - b);
    for (const fault of faults) fault.recoveredMs = recoveryAfter(fault.backAt);
    const recoveries = faults
      .map((fault) => fault.recoveredMs)
      .filter((value): value is number => value !== null)
      .sort((a, b) => a - b);
    const analytics = await analyticsAgainstOrders(endpoints);
    return {
      acknowledged: { orders: history.orders.length, payments: history.payments.length, refunds: history.refunds.length },
      lost,
      duplicated,
      overpaid: money[0].overpaid,
      paidMismatch: money[0].mismatch,
      foreignReads: history.foreignReads,
      reads: history.reads,
      unexpectedStatuses: history.unexpected.length,
      recovery: { p50Ms: recoveries[Math.floor(recoveries.length / 2)] ?? null, maxMs: recoveries.at(-1) ?? null },
      analytics,
      analyticsMismatches: analytics.filter((answer) => !answer.equal || answer.source !== 'rollup').length,
    };
  } finally {
    await owner.end();
  }
}

function save(verdict?: Verdict): void {
  mkdirSync(RESULTS, { recursive: true });
  const seconds = [...history.perSecond.entries()].sort(([a], [b]) => a - b);
  writeFileSync(
    RESULT_FILE,
    `${JSON.stringify(
      {
        seed: SEED,
        seconds: SECONDS,
        clients: CLIENTS,
        durability: 'fsync=on, synchronous_commit=on',
        faults,
        ...(verdict ?? { acknowledged: { orders: history.orders.length, payments: history.payments.length, refunds: history.refunds.length } }),
        unexpected: history.unexpected.slice(0, 20),
        timeline: seconds.map(([second, counts]) => ({ second, ...counts })),
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(RESULT_FILE.replace(/\.json$/, '.svg'), timeline(seconds));
}

/** Answers per second, good and failed, with the faults marked: drawn by the bench (no library, nothing fetched). */
function timeline(seconds: Array<[number, { ok: number; errors: number }]>): string {
  const width = 900;
  const height = 300;
  const left = 50;
  const bottom = 40;
  const span = Math.max(SECONDS, ...seconds.map(([second]) => second + 1));
  const peak = Math.max(1, ...seconds.map(([, counts]) => counts.ok + counts.errors));
  const x = (second: number) => left + (second / span) * (width - left - 20);
  const y = (value: number) => height - bottom - (value / peak) * (height - bottom - 30);
  const bars = seconds
    .map(([second, counts]) => {
      const w = Math.max(1, (width - left - 20) / span - 0.5);
      return (
        `<rect x="${x(second).toFixed(1)}" y="${y(counts.ok).toFixed(1)}" width="${w.toFixed(1)}" height="${(height - bottom - y(counts.ok)).toFixed(1)}" fill="#2b8a3e"/>` +
        (counts.errors > 0
          ? `<rect x="${x(second).toFixed(1)}" y="${y(counts.ok + counts.errors).toFixed(1)}" width="${w.toFixed(1)}" height="${(y(counts.ok) - y(counts.ok + counts.errors)).toFixed(1)}" fill="#c92a2a"/>`
          : '')
      );
    })
    .join('');
  const marks = faults
    .map(
      (fault) =>
        `<line x1="${x(fault.at).toFixed(1)}" x2="${x(fault.at).toFixed(1)}" y1="25" y2="${height - bottom}" stroke="#555" stroke-dasharray="3,3"/><text x="${(x(fault.at) + 2).toFixed(1)}" y="22" font-size="9" transform="rotate(-30 ${x(fault.at).toFixed(1)} 22)">${fault.kind} ${fault.target}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${bars}${marks}
<text x="${left}" y="${height - 12}" font-size="11">answers per second (green: 2xx/3xx, red: errors and failed connections) over ${span} s, seed ${SEED}; dashed: faults</text>
<text x="4" y="${y(peak) + 4}" font-size="10">${peak}/s</text>
</svg>
`;
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
