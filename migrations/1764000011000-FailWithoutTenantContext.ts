import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantContextExpression } from './support/tenant-policy';

const TENANT_TABLES = ['orders', 'order_items', 'payments', 'refunds', 'daily_order_stats'];

/** What the tables had before: a missing app.tenant_id filtered to nothing, which hid a tenant function forwarded without it. */
const SILENT = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;
const LOUD = tenantContextExpression();

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
