import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAdminAudit1764000007000 implements MigrationInterface {
  name = 'CreateAdminAudit1764000007000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE admin_audit (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        tenant_id uuid,
        request_id text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query(`CREATE INDEX admin_audit_newest ON admin_audit (id DESC)`);
    await queryRunner.query(`GRANT SELECT, INSERT ON admin_audit TO app_control`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE admin_audit`);
  }
}
