import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-tenant request counters shared by every API process: one row per tenant and minute.
 * A plain table on the coordinator (never joined with anything, so Citus leaves it alone);
 * old windows are deleted by the API as it goes.
 */
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
