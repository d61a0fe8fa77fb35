import { Client } from 'pg';
import { analyticsQueries, lastDays, SqlQuery } from '../../src/analytics/analytics-queries';
import { testEndpoints, withOwner } from '@app/testing';

const DAY_MS = 86_400_000;

/**
 * What only a real cluster can show: the rollup lives with the orders, and every analytics
 * statement goes down to all 32 shards in one step (join with `country` on the workers, partial
 * sums merged on the coordinator), with no repartition and no intermediate result.
 */
describe('analytics on a Citus cluster', () => {
  it('distributes daily_order_stats on tenant_id, colocated with orders', async () => {
    const rows = await withOwner(
      testEndpoints().owner,
      async (client) =>
        (
          await client.query(
            `SELECT table_name::text AS name, citus_table_type AS type, distribution_column AS column, colocation_id AS colocation, shard_count::int AS shards
             FROM citus_tables WHERE table_name::text IN ('orders', 'daily_order_stats') ORDER BY 1`,
          )
        ).rows,
    );
    expect(rows).toEqual([
      { name: 'daily_order_stats', type: 'distributed', column: 'tenant_id', colocation: rows[1].colocation, shards: 32 },
      { name: 'orders', type: 'distributed', column: 'tenant_id', colocation: expect.any(Number), shards: 32 },
    ]);
  });

  const now = new Date();
  const window = { from: new Date(now.getTime() - 30 * DAY_MS), to: now };
  const watermark = new Date(now.getTime() - 60_000).toISOString();
  const statements: Array<[string, SqlQuery]> = [
    ['revenue by country from the rollup', analyticsQueries.revenueByCountry.rollup(window, watermark)],
    ['revenue by country from the orders', analyticsQueries.revenueByCountry.raw(window)],
    ['top tenants from the rollup', analyticsQueries.topTenants.rollup(window, 10, watermark)],
    ['top tenants from the orders', analyticsQueries.topTenants.raw(window, 10)],
    ['daily from the rollup', analyticsQueries.daily.rollup(lastDays(30, now), watermark)],
    ['daily from the orders', analyticsQueries.daily.raw(lastDays(30, now))],
  ];

  it.each(statements)('runs %s as one parallel step over the 32 shards', async (_name, query) => {
    const client = new Client({ connectionString: testEndpoints().analytics });
    await client.connect();
    try {
      const plan = (await client.query(`EXPLAIN ${query.text}`, query.values)).rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toContain('Custom Scan (Citus Adaptive)');
      expect(plan.match(/Task Count: (\d+)/g)).toEqual(['Task Count: 32']);
      expect(plan).not.toMatch(/repartition|MapMergeJob|intermediate result|subplan/i);
    } finally {
      await client.end();
    }
  });
});
