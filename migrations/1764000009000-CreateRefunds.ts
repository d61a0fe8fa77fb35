import { MigrationInterface, QueryRunner } from 'typeorm';
import { useSequentialShardModifications, whenCitus } from './support/citus';

/** A tenant table added as docs/adding-a-tenant-table.md walks through. */
export class CreateRefunds1764000009000 implements MigrationInterface {
  name = 'CreateRefunds1764000009000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await useSequentialShardModifications(queryRunner);

    // What has been refunded of a payment, updated under the payment's row lock: the check is
    // what keeps concurrent refunds from returning more than was paid.
    await queryRunner.query(`ALTER TABLE payments ADD COLUMN refunded_cents bigint NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE payments ADD CONSTRAINT payments_not_over_refunded CHECK (refunded_cents BETWEEN 0 AND amount_cents)`);

    await queryRunner.query(`
      CREATE TABLE refunds (
        tenant_id uuid NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY,
        payment_id bigint NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents >= 1),
        reason text CHECK (char_length(reason) <= 500),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`);
    await whenCitus(queryRunner, [`SELECT create_distributed_table('refunds', 'tenant_id', colocate_with => 'orders')`]);
    await queryRunner.query(`
      ALTER TABLE refunds ADD CONSTRAINT refunds_payment_fkey
        FOREIGN KEY (tenant_id, payment_id) REFERENCES payments (tenant_id, id) ON DELETE CASCADE`);
    await queryRunner.query(`CREATE INDEX refunds_by_payment ON refunds (tenant_id, payment_id, id)`);

    await queryRunner.query(`ALTER TABLE refunds ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`
      CREATE POLICY refunds_tenant_isolation ON refunds TO app_tenant
        USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
        WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`);
    await queryRunner.query(`CREATE POLICY refunds_analytics_read ON refunds FOR SELECT TO app_analytics USING (true)`);
    await queryRunner.query(`GRANT SELECT, INSERT ON refunds TO app_tenant`);
    await queryRunner.query(`GRANT SELECT ON refunds TO app_analytics`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE refunds`);
    await queryRunner.query(`ALTER TABLE payments DROP COLUMN refunded_cents`);
  }
}
