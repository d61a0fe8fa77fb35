import { MigrationInterface, QueryRunner } from 'typeorm';

/** request_id is made by the server from now on; what the client sent as X-Request-Id is kept beside it, never instead of it. */
export class AuditClientRequestIds1764000015000 implements MigrationInterface {
  name = 'AuditClientRequestIds1764000015000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE admin_audit ADD COLUMN client_request_id text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE admin_audit DROP COLUMN client_request_id`);
  }
}
