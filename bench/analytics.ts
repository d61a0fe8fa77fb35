/**
 * npm run bench:analytics: every analytics route answered from the rollup (the service's
 * path) and the same answer computed from the orders alone, side by side, on the local Citus
 * cluster (database `bench`) and on an embedded single node, with the same generated data:
 * 1,000,000 orders over 1,000 tenants and a year. Prints a markdown table and writes
 * bench/results/analytics.json. BENCH_ORDERS, BENCH_TENANTS, BENCH_LIVE_CHANGES, BENCH_ITERATIONS size the run,
 * BENCH_ANALYTICS_TARGETS=citus skips the single node and BENCH_ANALYTICS_RESULT names the results file.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { validateEnvironment } from '@app/config';
import { AnalyticsRepository } from '../apps/analytics/src/analytics/analytics.repository';
import { RollupRefresh, RollupRepository } from '../apps/analytics/src/rollup/rollup.repository';
import { freePort } from '@app/testing';
import { createAnalyticsApp } from '../apps/analytics/src/bootstrap/create-analytics-app';
import { ANALYTICS_CASES, httpPath } from './analytics/cases';
import { addLiveChanges, DatasetConfig, generateOrders } from './analytics/dataset';
import { BenchTarget, citusBenchTarget, citusUnavailableReason, singleNodeBenchTarget } from './analytics/targets';
import { summarize } from './lib/load';

const RESULTS = join(resolve(__dirname, '..'), 'bench', 'results');
const TOKEN = 'bench-analytics-token-0123456789';
const GOAL_MS = 200;

const int = (name: string, fallback: number) => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const DATASET: DatasetConfig = {
  tenants: int('BENCH_TENANTS', 1000),
  orders: int('BENCH_ORDERS', 1_000_000),
  days: 365,
  /** Orders added and cancelled after the rollup, before the incremental refresh that is timed. */
  liveChanges: int('BENCH_LIVE_CHANGES', 2000),
};
/** BENCH_ANALYTICS_TARGETS=citus measures the cluster alone (a large dataset on the single node as well would take hours). */
const TARGETS = (process.env.BENCH_ANALYTICS_TARGETS ?? 'citus,single-node').split(',');
const RESULT_FILE = process.env.BENCH_ANALYTICS_RESULT ?? 'analytics.json';
const ITERATIONS = int('BENCH_ITERATIONS', 20);
const WARMUP = 3;

const say = (message: string) => process.stdout.write(`${message}\n`);

interface Latency {
  p50: number;
  p95: number;
  max: number;
}

interface CaseResult {
  route: string;
  query: string;
  rows: number;
  rollup: Latency;
  raw: Latency;
  http: Latency;
  /** Rollup and raw answers identical on every compared call. */
  equal: boolean;
}

interface TargetResult {
  target: BenchTarget['name'];
  label: string;
  dataset: { orders: number; tenants: number; rollupRows: number; generateSeconds: number };
  refresh: { rebuild: RollupRefresh & { ms: number }; incremental: RollupRefresh & { ms: number }; tailOrders: number };
  cases: CaseResult[];
}

const latency = (values: number[]): Latency => {
  const summary = summarize(values);
  return { p50: round(summary.p50), p95: round(summary.p95), max: round(summary.max) };
};
const round = (ms: number) => Math.round(ms * 10) / 10;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { value, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

async function measureTarget(target: BenchTarget): Promise<TargetResult> {
  say(`\n## ${target.label}`);
  const owner = new Client({ connectionString: target.endpoints.owner });
  await owner.connect();
  let app: INestApplication | undefined;
  try {
    say(`generating ${DATASET.orders.toLocaleString('en')} orders over ${DATASET.tenants} tenants...`);
    const generated = await timed(() => generateOrders(owner, DATASET));
    say(`  ${(generated.ms / 1000).toFixed(1)} s`);

    const environment = validateEnvironment({ ANALYTICS_TOKEN: TOKEN, ROLLUP_INTERVAL_SECONDS: '0', LOG_LEVEL: 'silent' });
    app = await createAnalyticsApp(environment, target.endpoints);
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    const rollups = app.get(RollupRepository);
    const analytics = app.get(AnalyticsRepository);

    // The generated orders carry past timestamps: only a rebuild can take them in.
    const rebuild = await timed(() => rollups.refresh({ wait: true, rebuild: true }));
    say(`rollup rebuilt in ${(rebuild.ms / 1000).toFixed(1)} s: ${rebuild.value.changedRows} rows`);
    await addLiveChanges(owner, DATASET);
    await new Promise((done) => setTimeout(done, 1100));
    const incremental = await timed(() => rollups.refresh({ wait: true }));
    say(`incremental refresh after ${DATASET.liveChanges} changed orders: ${incremental.ms.toFixed(0)} ms, ${incremental.value.changedRows} rows`);
    // A second batch stays in the tail: every rollup answer below reads and corrects it.
    await addLiveChanges(owner, DATASET);
    const [{ rollupRows, orders, tail }] = (
      await owner.query(
        `SELECT (SELECT count(*) FROM daily_order_stats)::int AS "rollupRows", (SELECT count(*) FROM orders)::int AS orders,
                (SELECT count(*) FROM orders WHERE updated_at >= (SELECT rolled_up_to FROM daily_order_stats_watermark))::int AS tail`,
      )
    ).rows;

    const cases: CaseResult[] = [];
    for (const item of ANALYTICS_CASES) {
      const samples = { rollup: [] as number[], raw: [] as number[], http: [] as number[] };
      let equal = true;
      let rows = 0;
      for (let iteration = 0; iteration < WARMUP + ITERATIONS; iteration += 1) {
        const now = new Date();
        const fromRollup = await timed(() => item.read(analytics, {}, now));
        const fromOrders = await timed(() => item.read(analytics, { rawOnly: true }, now));
        const overHttp = await timed(async () => {
          const response = await fetch(`http://127.0.0.1:${port}${httpPath(item)}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
          if (response.status !== 200) throw new Error(`${httpPath(item)} answered ${response.status}: ${await response.text()}`);
          return response.json();
        });
        if (fromRollup.value.source !== 'rollup') throw new Error(`${item.route} was answered from ${fromRollup.value.source}, not the rollup`);
        equal &&= isDeepStrictEqual(fromRollup.value.rows, fromOrders.value.rows);
        rows = fromRollup.value.rows.length;
        if (iteration < WARMUP) continue;
        samples.rollup.push(fromRollup.ms);
        samples.raw.push(fromOrders.ms);
        samples.http.push(overHttp.ms);
      }
      const result = {
        route: item.route,
        query: item.query,
        rows,
        rollup: latency(samples.rollup),
        raw: latency(samples.raw),
        http: latency(samples.http),
        equal,
      };
      say(`  ${item.route}${item.query ? `?${item.query}` : ''}: rollup p50 ${result.rollup.p50} ms, raw p50 ${result.raw.p50} ms, equal: ${equal}`);
      cases.push(result);
    }
    return {
      target: target.name,
      label: target.label,
      dataset: { orders, tenants: DATASET.tenants, rollupRows, generateSeconds: round(generated.ms / 1000) },
      refresh: {
        rebuild: { ...rebuild.value, ms: Math.round(rebuild.ms) },
        incremental: { ...incremental.value, ms: Math.round(incremental.ms) },
        tailOrders: tail,
      },
      cases,
    };
  } finally {
    await app?.close();
    await owner.end();
  }
}

function markdown(results: TargetResult[]): string {
  const lines = [
    `| route | target | from rollup p50 / p95 (ms) | from orders p50 / p95 (ms) | orders / rollup (p50) | HTTP p50 (ms) | under ${GOAL_MS} ms | same answer |`,
    '| --- | --- | ---: | ---: | ---: | ---: | :---: | :---: |',
  ];
  for (const item of ANALYTICS_CASES) {
    for (const result of results) {
      const found = result.cases.find((entry) => entry.route === item.route && entry.query === item.query);
      if (!found) continue;
      lines.push(
        `| \`GET ${item.route}${item.query ? `?${item.query}` : ''}\` | ${result.target} | ${found.rollup.p50} / ${found.rollup.p95} | ` +
          `${found.raw.p50} / ${found.raw.p95} | ${(found.raw.p50 / found.rollup.p50).toFixed(1)}x | ${found.http.p50} | ` +
          `${found.http.p95 < GOAL_MS ? 'yes' : 'NO'} | ${found.equal ? 'yes' : 'NO'} |`,
      );
    }
  }
  lines.push('');
  for (const result of results) {
    lines.push(
      `- ${result.label}: ${result.dataset.orders.toLocaleString('en')} orders, ${result.dataset.rollupRows.toLocaleString('en')} rollup rows; ` +
        `full rebuild ${(result.refresh.rebuild.ms / 1000).toFixed(1)} s, incremental refresh of ${DATASET.liveChanges} changed orders ${result.refresh.incremental.ms} ms; ` +
        `${result.refresh.tailOrders} orders in the tail during the measurements`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  say(
    `npm run bench:analytics: ${DATASET.orders.toLocaleString('en')} orders, ${DATASET.tenants} tenants, ${DATASET.days} days; ${ITERATIONS} measured calls per route and path after ${WARMUP} warm-up calls`,
  );
  const loadAtStart = loadavg();
  const results: TargetResult[] = [];
  const skipped: string[] = [];
  const unavailable = await citusUnavailableReason();
  if (unavailable) {
    skipped.push(`Citus: ${unavailable}`);
    say(`\n!!! SKIPPED: Citus -- ${unavailable}. Only the single node is measured.\n`);
  } else {
    const citus = await citusBenchTarget();
    results.push(await measureTarget(citus));
    await citus.stop();
  }
  if (TARGETS.includes('single-node')) {
    const single = await singleNodeBenchTarget();
    try {
      results.push(await measureTarget(single));
    } finally {
      await single.stop();
    }
  }

  const table = markdown(results);
  say(`\n${table}\n`);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    join(RESULTS, RESULT_FILE),
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        command: 'npm run bench:analytics',
        // Other work on the machine shows in the figures: the 1, 5 and 15 minute load averages.
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          memoryGiB: Math.round(totalmem() / 2 ** 30),
          loadAverage: { start: loadAtStart, end: loadavg() },
        },
        dataset: DATASET,
        iterations: ITERATIONS,
        warmup: WARMUP,
        goalMs: GOAL_MS,
        skipped,
        results,
        table,
      },
      null,
      2,
    )}\n`,
  );
  say(`Wrote ${join('bench', 'results', RESULT_FILE)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:analytics failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
