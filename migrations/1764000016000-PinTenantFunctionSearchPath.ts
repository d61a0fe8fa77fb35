import { MigrationInterface, QueryRunner } from 'typeorm';

const TENANT_FUNCTIONS = [
  'tenant_order_details(uuid, bigint)',
  'tenant_orders_page(uuid, integer, text, timestamptz, bigint)',
  'tenant_create_order(uuid, text, text, text, jsonb, text, text)',
  'tenant_capture_payment(uuid, bigint, bigint, text, text, text)',
  'tenant_refund_payment(uuid, bigint, bigint, bigint, text, text, text)',
];

/** A tenant function resolves its tables in the schema it was written for, whatever search_path the caller's session has. */
export class PinTenantFunctionSearchPath1764000016000 implements MigrationInterface {
  name = 'PinTenantFunctionSearchPath1764000016000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const signature of TENANT_FUNCTIONS) await queryRunner.query(`ALTER FUNCTION ${signature} SET search_path = public, pg_catalog`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const signature of TENANT_FUNCTIONS) await queryRunner.query(`ALTER FUNCTION ${signature} RESET search_path`);
  }
}
