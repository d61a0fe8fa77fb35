import { MigrationInterface, QueryRunner } from 'typeorm';
import { useSequentialShardModifications, whenCitus } from './support/citus';

export class CreateControlPlane1764000002000 implements MigrationInterface {
  name = 'CreateControlPlane1764000002000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await useSequentialShardModifications(queryRunner);
    await queryRunner.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        plan text NOT NULL DEFAULT 'free',
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        key_hash bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
        prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    // On Citus, a local table with a foreign key to a reference table must be in the metadata.
    await whenCitus(queryRunner, [`SELECT citus_add_local_table_to_metadata('tenants')`, `SELECT citus_add_local_table_to_metadata('api_keys')`]);
    await queryRunner.query(`ALTER TABLE tenants ADD CONSTRAINT tenants_plan_fkey FOREIGN KEY (plan) REFERENCES plans (id)`);
    await queryRunner.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE`);
    await queryRunner.query(`CREATE INDEX tenants_created ON tenants (created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX api_keys_tenant ON api_keys (tenant_id)`);

    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, api_keys TO app_control`);
    await queryRunner.query(`GRANT SELECT ON plans, country TO app_control, app_tenant, app_analytics`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys`);
    await queryRunner.query(`DROP TABLE tenants`);
  }
}
