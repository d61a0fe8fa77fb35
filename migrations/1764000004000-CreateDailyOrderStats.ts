import { MigrationInterface, QueryRunner } from 'typeorm';
import { useSequentialShardModifications, whenCitus } from './support/citus';

/** The analytics rollup and its watermark: docs/analytics-rollup.md says why answers from them are exact. */
export class CreateDailyOrderStats1764000004000 implements MigrationInterface {
  name = 'CreateDailyOrderStats1764000004000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await useSequentialShardModifications(queryRunner);

    await queryRunner.query(`
      CREATE TABLE daily_order_stats (
        tenant_id uuid NOT NULL,
        day date NOT NULL,
        country_code char(2) NOT NULL,
        orders bigint NOT NULL CHECK (orders >= 0),
        revenue_cents bigint NOT NULL CHECK (revenue_cents >= 0),
        PRIMARY KEY (tenant_id, day, country_code)
      )`);
    await whenCitus(queryRunner, [`SELECT create_distributed_table('daily_order_stats', 'tenant_id', colocate_with => 'orders')`]);
    await queryRunner.query(`CREATE INDEX daily_order_stats_by_day ON daily_order_stats (day)`);

    await queryRunner.query(`
      CREATE TABLE daily_order_stats_watermark (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        rolled_up_to timestamptz NOT NULL DEFAULT '-infinity',
        generation bigint NOT NULL DEFAULT 0,
        settled boolean NOT NULL DEFAULT true,
        refreshed_at timestamptz
      )`);
    await queryRunner.query(`INSERT INTO daily_order_stats_watermark DEFAULT VALUES`);

    // The tail and the partial days are read across tenants: without these, every analytics request would scan all orders.
    await queryRunner.query(`CREATE INDEX orders_by_updated_at ON orders (updated_at)`);
    await queryRunner.query(`CREATE INDEX orders_by_created_at ON orders (created_at)`);

    await queryRunner.query(`ALTER TABLE daily_order_stats ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`
      CREATE POLICY daily_order_stats_tenant_isolation ON daily_order_stats TO app_tenant
        USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
        WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`);
    await queryRunner.query(`CREATE POLICY daily_order_stats_analytics_read ON daily_order_stats FOR SELECT TO app_analytics USING (true)`);
    await queryRunner.query(`GRANT SELECT, DELETE ON daily_order_stats TO app_tenant`);
    await queryRunner.query(`GRANT SELECT ON daily_order_stats, daily_order_stats_watermark TO app_analytics`);

    await whenCitus(queryRunner, [
      // Analytics queries fan out to all 32 shards: with one cached connection per worker each opened up to 16 more per worker (100+ ms).
      `ALTER ROLE app_analytics SET citus.max_cached_conns_per_worker = 4`,
      `ALTER ROLE app_analytics SET citus.max_adaptive_executor_pool_size = 4`,
    ]);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await whenCitus(queryRunner, [
      `ALTER ROLE app_analytics RESET citus.max_cached_conns_per_worker`,
      `ALTER ROLE app_analytics RESET citus.max_adaptive_executor_pool_size`,
    ]);
    await queryRunner.query(`DROP INDEX orders_by_created_at`);
    await queryRunner.query(`DROP INDEX orders_by_updated_at`);
    await queryRunner.query(`DROP TABLE daily_order_stats_watermark`);
    await queryRunner.query(`DROP TABLE daily_order_stats`);
  }
}
