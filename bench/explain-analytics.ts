/**
 * npm run explain:analytics: the plan of every analytics statement on the local Citus cluster,
 * written to docs/analytics-explain.md. It explains the statements the service runs (built by
 * the same functions), as app_analytics, with EXPLAIN ANALYZE, on the `bench` database when
 * npm run bench:analytics has filled it (1,000,000 orders), else on `app`. The rollup refresh
 * writes, so its plan is EXPLAIN without ANALYZE, as the owner. Each statement runs once before
 * it is explained, as on the service's warm, pooled connections.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { DatabaseRole, withCredentials } from '@app/config';
import { analyticsQueries, lastDays, SqlQuery } from '../apps/analytics/src/analytics/analytics-queries';
import { ROLLUP_REFRESH_STATEMENT } from '../apps/analytics/src/rollup/rollup.repository';
import { BENCH_DATABASE, citusUnavailableReason, clusterCoordinatorUrl } from './analytics/targets';

const OUTPUT = join(resolve(__dirname, '..'), 'docs', 'analytics-explain.md');
const DAY_MS = 86_400_000;

interface Explained {
  title: string;
  route: string;
  query: SqlQuery;
  analyze: boolean;
  plan: string;
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

async function chooseDatabase(): Promise<{ database: string; orders: number }> {
  for (const database of [BENCH_DATABASE, 'app']) {
    try {
      const client = await connect(clusterCoordinatorUrl(database));
      try {
        const [{ orders }] = (await client.query(`SELECT count(*)::int AS orders FROM orders`)).rows;
        if (orders > 0 || database === 'app') return { database, orders };
      } finally {
        await client.end();
      }
    } catch {
      // No bench database yet: fall back to app.
    }
  }
  throw new Error('neither the bench nor the app database can be read');
}

/** What every analytics statement must show on Citus, read off its plan. */
function findings(plan: string): string[] {
  const taskCounts = [...plan.matchAll(/Task Count: (\d+)/g)].map((match) => Number(match[1]));
  const task = plan.slice(plan.indexOf('->  Task'));
  return [
    plan.includes('Custom Scan (Citus Adaptive)') ? 'one Custom Scan (Citus Adaptive)' : 'NOT a Citus Adaptive scan',
    taskCounts.length === 1 ? `Task Count: ${taskCounts[0]} (every shard, in parallel)` : `task counts: ${taskCounts.join(', ') || 'none'}`,
    /repartition|MapMergeJob/i.test(plan) ? 'REPARTITIONS' : 'no repartition',
    /subplan|intermediate result/i.test(plan) ? 'HAS a subplan (intermediate results)' : 'no subplan, no intermediate result',
    /country_\d+/.test(task) ? '`country` joined on the workers (its local shard in the task)' : '',
    /Execution Time: ([\d.]+) ms\s*$/.test(plan) ? `${/Execution Time: ([\d.]+) ms\s*$/.exec(plan)?.[1]} ms` : '',
  ].filter(Boolean);
}

async function main(): Promise<void> {
  const unavailable = await citusUnavailableReason();
  if (unavailable) throw new Error(`explain:analytics needs the local Citus cluster: ${unavailable}`);
  const { database, orders } = await chooseDatabase();
  const ownerUrl = clusterCoordinatorUrl(database);
  const owner = await connect(ownerUrl);
  const analytics = await connect(withCredentials(ownerUrl, DatabaseRole.Analytics));
  try {
    const [{ watermark, next }] = (
      await owner.query(`SELECT rolled_up_to::text AS watermark, (now() - interval '1 second')::text AS next FROM daily_order_stats_watermark`)
    ).rows;
    const [counts] = (
      await owner.query(
        `SELECT (SELECT count(*)::int FROM daily_order_stats) AS "rollupRows",
                (SELECT count(*)::int FROM orders WHERE updated_at >= $1::timestamptz) AS tail`,
        [watermark],
      )
    ).rows;
    const state = { watermark, next, ...counts };
    const now = new Date();
    const window = { from: new Date(now.getTime() - 30 * DAY_MS), to: now };
    const days = lastDays(30, now);
    const statements: Array<Omit<Explained, 'plan'>> = [
      {
        title: 'Revenue by country, from the rollup',
        route: 'GET /analytics/revenue-by-country',
        query: analyticsQueries.revenueByCountry.rollup(window, state.watermark),
        analyze: true,
      },
      {
        title: 'Revenue by country, from the orders alone',
        route: 'baseline and fallback',
        query: analyticsQueries.revenueByCountry.raw(window),
        analyze: true,
      },
      {
        title: 'Top tenants, from the rollup',
        route: 'GET /analytics/top-tenants?limit=10',
        query: analyticsQueries.topTenants.rollup(window, 10, state.watermark),
        analyze: true,
      },
      { title: 'Top tenants, from the orders alone', route: 'baseline and fallback', query: analyticsQueries.topTenants.raw(window, 10), analyze: true },
      {
        title: 'Daily revenue, from the rollup',
        route: 'GET /analytics/daily?days=30',
        query: analyticsQueries.daily.rollup(days, state.watermark),
        analyze: true,
      },
      { title: 'Daily revenue, from the orders alone', route: 'baseline and fallback', query: analyticsQueries.daily.raw(days), analyze: true },
      {
        title: 'Rollup refresh (incremental)',
        route: 'scheduled in the analytics service; npm run rollup',
        query: { text: ROLLUP_REFRESH_STATEMENT, values: [state.watermark, state.next] },
        analyze: false,
      },
    ];
    const explained: Explained[] = [];
    for (const statement of statements) {
      const client = statement.analyze ? analytics : owner;
      const options = statement.analyze ? 'ANALYZE, SUMMARY' : 'SUMMARY';
      // Once before, as the service's pooled connections would have: caches warm, worker connections open.
      if (statement.analyze) await client.query(statement.query.text, statement.query.values);
      const rows = (await client.query(`EXPLAIN (${options}) ${statement.query.text}`, statement.query.values)).rows;
      explained.push({ ...statement, plan: rows.map((row) => row['QUERY PLAN']).join('\n') });
      process.stdout.write(`explained: ${statement.title}\n`);
    }
    const [{ version }] = (await owner.query(`SELECT split_part(citus_version(), ' ', 2) AS version`)).rows;
    const [{ workers }] = (await owner.query(`SELECT count(*)::int AS workers FROM pg_dist_node WHERE groupid <> 0`)).rows;

    const lines = [
      '# Plans of the analytics statements on Citus',
      '',
      `Generated by \`npm run explain:analytics\` on ${now.toISOString()}: the local cluster (Citus ${version}, coordinator and ${workers} workers), ` +
        `database \`${database}\` with ${orders.toLocaleString('en')} orders, ${state.rollupRows.toLocaleString('en')} rows in \`daily_order_stats\` ` +
        `and ${state.tail} orders changed since its watermark. Each statement is the one the service runs, built by ` +
        '`libs/persistence/src/repositories/analytics-queries.ts`, explained with `EXPLAIN (ANALYZE)` as `app_analytics` ' +
        '(the refresh, which writes, without ANALYZE as the owner). Citus shows the plan of one task of the 32; the others run the same plan on their shard.',
      '',
      '## Summary',
      '',
      '| statement | route | what the plan shows |',
      '| --- | --- | --- |',
      ...explained.map((item) => `| ${item.title} | ${item.route} | ${findings(item.plan).join('; ')} |`),
      '',
      'Each statement goes to all 32 shards in one step: every leg of the UNION ALL carries `tenant_id`, the only join between distributed ' +
        'tables is on `tenant_id` (colocated), and `country` is a reference table present on every worker, so each task joins it locally. ' +
        'The workers aggregate their shard (the `HashAggregate` inside the task) and the coordinator only merges 32 small partial results ' +
        '(the `HashAggregate` above the Custom Scan). The rollup leg reads `daily_order_stats` for the whole days; the tail leg reads the orders ' +
        'changed since the watermark through `orders_by_updated_at`; the edges leg reads the partial first and last day through `orders_by_created_at`.',
      '',
    ];
    for (const item of explained) {
      lines.push(
        `## ${item.title}`,
        '',
        `${item.route}. Parameters: \`${JSON.stringify(item.query.values)}\``,
        '',
        '```sql',
        item.query.text.trim(),
        '```',
        '',
        '```',
        item.plan,
        '```',
        '',
      );
    }
    writeFileSync(OUTPUT, `${lines.join('\n')}\n`);
    process.stdout.write(`Wrote docs/analytics-explain.md (database ${database})\n`);
  } finally {
    await analytics.end();
    await owner.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`explain:analytics failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
