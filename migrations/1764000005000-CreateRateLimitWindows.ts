import { MigrationInterface, QueryRunner } from 'typeorm';

/** A plain table on the coordinator, one row per tenant and minute; the API deletes old windows as it goes. */
export class CreateRateLimitWindows1764000005000 implements MigrationInterface {
  name = 'CreateRateLimitWindows1764000005000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE rate_limit_windows (
        tenant_id uuid NOT NULL,
        window_start timestamptz NOT NULL,
        request_count integer NOT NULL CHECK (request_count >= 0),
        PRIMARY KEY (tenant_id, window_start)
      )`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_windows TO app_control`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE rate_limit_windows`);
  }
}
