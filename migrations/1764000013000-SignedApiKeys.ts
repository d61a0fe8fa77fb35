import { MigrationInterface, QueryRunner } from 'typeorm';

/** Keys issued under API_KEY_SECRET carry a MAC; once no unsigned key is active, the tenant API refuses unsigned ones without a query. */
export class SignedApiKeys1764000013000 implements MigrationInterface {
  name = 'SignedApiKeys1764000013000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN signed boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`CREATE INDEX api_keys_active_unsigned ON api_keys (id) WHERE revoked_at IS NULL AND NOT signed`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN signed`);
  }
}
