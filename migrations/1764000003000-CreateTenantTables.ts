import { MigrationInterface, QueryRunner } from 'typeorm';
import { useSequentialShardModifications, whenCitus } from './support/citus';

const TENANT_TABLES = ['orders', 'order_items', 'payments'];

/** Tables, then create_distributed_table, then foreign keys: a table with an identity column and a foreign key to a reference table cannot be distributed. */
export class CreateTenantTables1764000003000 implements MigrationInterface {
  name = 'CreateTenantTables1764000003000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await useSequentialShardModifications(queryRunner);

    await queryRunner.query(`
      CREATE TABLE orders (
        tenant_id uuid NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'cancelled')),
        country_code char(2) NOT NULL,
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        note text CHECK (char_length(note) <= 1000),
        total_cents bigint NOT NULL CHECK (total_cents >= 0),
        paid_cents bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
        idempotency_key text CHECK (char_length(idempotency_key) BETWEEN 1 AND 200),
        request_fingerprint text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        CONSTRAINT orders_not_overpaid CHECK (paid_cents <= total_cents),
        CONSTRAINT orders_paid_means_fully_paid CHECK ((status = 'paid') = (paid_cents = total_cents AND status <> 'cancelled')),
        CONSTRAINT orders_idempotency_pair CHECK ((idempotency_key IS NULL) = (request_fingerprint IS NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE order_items (
        tenant_id uuid NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY,
        order_id bigint NOT NULL,
        sku text NOT NULL CHECK (char_length(sku) BETWEEN 1 AND 64),
        quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
        unit_price_cents bigint NOT NULL CHECK (unit_price_cents BETWEEN 0 AND 100000000),
        line_total_cents bigint GENERATED ALWAYS AS (quantity * unit_price_cents) STORED,
        PRIMARY KEY (tenant_id, id)
      )`);
    await queryRunner.query(`
      CREATE TABLE payments (
        tenant_id uuid NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY,
        order_id bigint NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents >= 1),
        method text NOT NULL CHECK (method IN ('card', 'bank_transfer', 'wallet')),
        status text NOT NULL DEFAULT 'captured' CHECK (status IN ('captured')),
        idempotency_key text CHECK (char_length(idempotency_key) BETWEEN 1 AND 200),
        request_fingerprint text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        CONSTRAINT payments_idempotency_pair CHECK ((idempotency_key IS NULL) = (request_fingerprint IS NULL))
      )`);

    await whenCitus(queryRunner, [
      `SELECT create_distributed_table('orders', 'tenant_id', shard_count => 32)`,
      `SELECT create_distributed_table('order_items', 'tenant_id', colocate_with => 'orders')`,
      `SELECT create_distributed_table('payments', 'tenant_id', colocate_with => 'orders')`,
    ]);

    // Foreign keys carry the distribution column first, so they stay inside one shard group.
    await queryRunner.query(`ALTER TABLE orders ADD CONSTRAINT orders_country_fkey FOREIGN KEY (country_code) REFERENCES country (code)`);
    await queryRunner.query(`
      ALTER TABLE order_items ADD CONSTRAINT order_items_order_fkey
        FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE`);
    await queryRunner.query(`
      ALTER TABLE payments ADD CONSTRAINT payments_order_fkey
        FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE`);

    await queryRunner.query(`CREATE INDEX orders_by_status ON orders (tenant_id, status, id DESC)`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX orders_idempotency_key ON orders (tenant_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX order_items_by_order ON order_items (tenant_id, order_id, id)`);
    await queryRunner.query(`CREATE INDEX payments_by_order ON payments (tenant_id, order_id, id)`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX payments_idempotency_key ON payments (tenant_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL`);

    // The backstop behind the explicit tenant_id predicates (migration FailWithoutTenantContext makes a missing tenant an error).
    for (const table of TENANT_TABLES) {
      await queryRunner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(`
        CREATE POLICY ${table}_tenant_isolation ON ${table} TO app_tenant
          USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
          WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`);
      await queryRunner.query(`CREATE POLICY ${table}_analytics_read ON ${table} FOR SELECT TO app_analytics USING (true)`);
      await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO app_tenant`);
      await queryRunner.query(`GRANT SELECT ON ${table} TO app_analytics`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE payments`);
    await queryRunner.query(`DROP TABLE order_items`);
    await queryRunner.query(`DROP TABLE orders`);
  }
}
