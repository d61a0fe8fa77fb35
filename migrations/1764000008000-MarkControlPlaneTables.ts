import { MigrationInterface, QueryRunner } from 'typeorm';

/** Local to the coordinator on purpose, though some carry a tenant_id; the schema doctor reads these comments. */
const CONTROL_PLANE = {
  tenants: 'control plane: one row per tenant',
  api_keys: 'control plane: api key hashes, read on every request through a short cache',
  rate_limit_windows: 'control plane: per-tenant request counters shared by the API processes',
  tenant_placement_pins: 'control plane: tenants pinned to a dedicated node',
  admin_audit: 'control plane: the audit trail of admin actions',
};

export class MarkControlPlaneTables1764000008000 implements MigrationInterface {
  name = 'MarkControlPlaneTables1764000008000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, comment] of Object.entries(CONTROL_PLANE)) {
      await queryRunner.query(`COMMENT ON TABLE ${table} IS '${comment}'`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of Object.keys(CONTROL_PLANE)) {
      await queryRunner.query(`COMMENT ON TABLE ${table} IS NULL`);
    }
  }
}
