import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exact usage per tenant and UTC day, one row per counter: requests by route class and rows written, added in batches by every
 * tenant API process, and the storage measured on that day (set, not added). Local to the coordinator, as the rate limit counters;
 * kept when the tenant is deleted: it is what the tenant is billed for.
 */
export class CreateTenantUsage1764000014000 implements MigrationInterface {
  name = 'CreateTenantUsage1764000014000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenant_usage (
        tenant_id uuid NOT NULL,
        day date NOT NULL,
        counter text NOT NULL CHECK (counter ~ '^[a-z_]+(\\.[a-z_]+)*$'),
        value bigint NOT NULL CHECK (value >= 0),
        PRIMARY KEY (tenant_id, day, counter)
      )`);
    await queryRunner.query(`COMMENT ON TABLE tenant_usage IS 'control plane: exact per-tenant usage per UTC day, flushed in batches by the API processes'`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON tenant_usage TO app_control`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tenant_usage`);
  }
}
