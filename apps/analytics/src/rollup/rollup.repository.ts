import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { Connection, DAILY_ORDER_STATS_LOCK, databaseCode, inTransaction } from '@app/persistence';

/** A transaction appears in pg_stat_activity a few instructions after taking its timestamp. */
const VISIBILITY_MARGIN = '1 second';

const REFRESH_STATEMENT_TIMEOUT = '10min';
const REFRESH_LOCK_TIMEOUT = '2min';

const CHECK_VIOLATION = '23514';

/** Orders were written with timestamps before the watermark (a bulk import): only a rebuild accounts for them. */
export class RollupInconsistentError extends Error {
  constructor(cause: unknown) {
    super('daily_order_stats no longer matches the orders (were orders written with past timestamps?): rebuild it with `npm run rollup -- --rebuild`', {
      cause,
    });
  }
}

export type RefreshStatus = 'refreshed' | 'current' | 'busy';

export interface RefreshOptions {
  wait: boolean;
  rebuild?: boolean;
}

export interface RollupRefresh {
  status: RefreshStatus;
  previous?: string;
  rolledUpTo?: string;
  changedRows: number;
  lagSeconds?: number;
}

interface Plan {
  previous: string;
  next: string;
  advances: boolean;
  settled: boolean;
  lagSeconds: number;
}

@Injectable()
export class RollupRepository {
  constructor(@InjectDataSource(Connection.Owner) private readonly dataSource: DataSource) {}

  async refresh(options: RefreshOptions): Promise<RollupRefresh> {
    const opening = `BEGIN; SET LOCAL statement_timeout = '${REFRESH_STATEMENT_TIMEOUT}'; SET LOCAL lock_timeout = '${REFRESH_LOCK_TIMEOUT}'`;
    const { refresh, generation } = await inTransaction(this.dataSource, [opening], async (runner) => {
      if (!(await lock(runner, options.wait))) return { refresh: { status: 'busy', changedRows: 0 } satisfies RollupRefresh };
      await assertSeesEveryTransaction(runner);
      const plan = await planRefresh(runner, options.rebuild === true);
      if (!plan.advances) {
        if (!plan.settled) await runner.query(`UPDATE daily_order_stats_watermark SET settled = true`);
        return {
          refresh: {
            status: 'current',
            previous: plan.previous,
            rolledUpTo: plan.previous,
            changedRows: 0,
            lagSeconds: plan.lagSeconds,
          } satisfies RollupRefresh,
        };
      }
      const moved = await runner.query(
        `UPDATE daily_order_stats_watermark
            SET rolled_up_to = $1::timestamptz, generation = generation + 1, settled = false, refreshed_at = now()
          RETURNING generation`,
        [plan.next],
        true,
      );
      const [{ generation: next }] = moved.records as Array<{ generation: number }>;
      // DELETE rather than TRUNCATE: readers keep reading (from the orders) while it runs.
      if (options.rebuild) await runner.query(`DELETE FROM daily_order_stats`);
      const changed = await runner.query(ROLLUP_REFRESH_STATEMENT, [plan.previous, plan.next], true).catch((error: unknown) => {
        throw databaseCode(error) === CHECK_VIOLATION ? new RollupInconsistentError(error) : error;
      });
      const refreshed: RollupRefresh = {
        status: 'refreshed',
        previous: plan.previous,
        rolledUpTo: plan.next,
        changedRows: changed.affected ?? 0,
        lagSeconds: plan.lagSeconds,
      };
      return { refresh: refreshed, generation: next };
    });
    // Settled after COMMIT has returned, in a transaction of its own (docs/analytics-rollup.md).
    if (generation !== undefined) await this.dataSource.query(`UPDATE daily_order_stats_watermark SET settled = true WHERE generation = $1`, [generation]);
    return refresh;
  }
}

async function lock(runner: QueryRunner, wait: boolean): Promise<boolean> {
  if (wait) {
    await runner.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [DAILY_ORDER_STATS_LOCK]);
    return true;
  }
  const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`, [DAILY_ORDER_STATS_LOCK])) as Array<{ locked: boolean }>;
  return locked;
}

/** Without it pg_stat_activity hides other roles' transactions and W' could pass an open one. */
async function assertSeesEveryTransaction(runner: QueryRunner): Promise<void> {
  const [{ sees }] = (await runner.query(
    `SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS sees FROM pg_roles WHERE rolname = current_user`,
  )) as Array<{ sees: boolean }>;
  if (!sees) {
    throw new Error('The rollup refresh must see every open transaction: run it as a superuser or a member of pg_read_all_stats');
  }
}

async function planRefresh(runner: QueryRunner, rebuild: boolean): Promise<Plan> {
  const [plan] = (await runner.query(
    `SELECT p.previous::text AS previous, n.next::text AS next, n.next > p.previous AS advances, w.settled,
            extract(epoch FROM now() - n.next)::float8 AS "lagSeconds"
       FROM daily_order_stats_watermark w,
            LATERAL (SELECT CASE WHEN $1 THEN '-infinity'::timestamptz ELSE w.rolled_up_to END AS previous) p,
            LATERAL (SELECT least(now() - interval '${VISIBILITY_MARGIN}',
                                  (SELECT min(a.xact_start) FROM pg_stat_activity a
                                    WHERE a.datname = current_database() AND a.backend_type = 'client backend'
                                      AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL)) AS next) n`,
    [rebuild],
  )) as Plan[];
  return plan;
}

/** Totals computed in the SELECT: PostgreSQL checks the proposed row's CHECK constraints before it finds the conflict. */
export const ROLLUP_REFRESH_STATEMENT = `
  INSERT INTO daily_order_stats AS s (tenant_id, day, country_code, orders, revenue_cents)
  SELECT d.tenant_id, d.day, d.country_code, coalesce(c.orders, 0) + d.orders, coalesce(c.revenue_cents, 0) + d.revenue_cents
    FROM (SELECT tenant_id, day, country_code, sum(difference) AS orders, sum(difference * total_cents) AS revenue_cents
            FROM (SELECT o.tenant_id, (o.created_at AT TIME ZONE 'UTC')::date AS day, o.country_code, o.total_cents,
                         (o.created_at < $2::timestamptz AND (o.status <> 'cancelled' OR o.updated_at >= $2::timestamptz))::int
                       - (o.created_at < $1::timestamptz AND (o.status <> 'cancelled' OR o.updated_at >= $1::timestamptz))::int AS difference
                    FROM orders o
                   WHERE o.updated_at >= $1::timestamptz AND o.created_at < $2::timestamptz) touched
           GROUP BY tenant_id, day, country_code
          HAVING sum(difference) <> 0 OR sum(difference * total_cents) <> 0) d
    LEFT JOIN daily_order_stats c ON c.tenant_id = d.tenant_id AND c.day = d.day AND c.country_code = d.country_code
  ON CONFLICT (tenant_id, day, country_code) DO UPDATE SET orders = EXCLUDED.orders, revenue_cents = EXCLUDED.revenue_cents`;
