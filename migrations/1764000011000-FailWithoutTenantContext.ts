import { MigrationInterface, QueryRunner } from 'typeorm';

const TENANT_TABLES = ['orders', 'order_items', 'payments', 'refunds', 'daily_order_stats'];

const SILENT = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;
/** A missing app.tenant_id fails the statement: filtering to nothing hid the tenant function forwarded without it after a shard move. */
const LOUD = `coalesce(NULLIF(current_setting('app.tenant_id', true), ''), 'no tenant context')::uuid`;

export class FailWithoutTenantContext1764000011000 implements MigrationInterface {
  name = 'FailWithoutTenantContext1764000011000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TENANT_TABLES) {
      await queryRunner.query(`ALTER POLICY ${table}_tenant_isolation ON ${table} USING (tenant_id = ${LOUD}) WITH CHECK (tenant_id = ${LOUD})`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of TENANT_TABLES) {
      await queryRunner.query(`ALTER POLICY ${table}_tenant_isolation ON ${table} USING (tenant_id = ${SILENT}) WITH CHECK (tenant_id = ${SILENT})`);
    }
  }
}
