import { MigrationInterface, QueryRunner } from 'typeorm';

const TENANT_TABLES = ['orders', 'order_items', 'payments', 'refunds', 'daily_order_stats'];

const SILENT = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;
/**
 * Without app.tenant_id, the cast of 'no tenant context' to uuid fails the statement. Filtering
 * to nothing hid the one case that reaches a worker without the tenant: a tenant function
 * handed to a worker whose shard has just moved away forwards its statement without it (see
 * TenantDatabase.call, which tries such a call once more).
 */
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
