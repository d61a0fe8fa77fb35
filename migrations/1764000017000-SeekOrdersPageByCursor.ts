import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PL/pgSQL caches a generic plan, in which `p_before_id IS NULL OR (created_at, id) < (...)` cannot bound the index scan: a page
 * after a cursor read the tenant's newest orders first and filtered them out, so its cost grew with its depth (docs/guide.md,
 * bench:scale). The first page and a page after a cursor are now two statements, each a seek on orders_newest_first.
 */
const ORDERS_PAGE = `
  CREATE OR REPLACE FUNCTION tenant_orders_page(p_tenant_id uuid, p_limit integer, p_status text, p_before_at timestamptz, p_before_id bigint)
  RETURNS TABLE (id bigint, status text, "countryCode" text, currency text, note text, "totalCents" bigint, "paidCents" bigint,
                 "createdAt" timestamptz, "updatedAt" timestamptz, "cursorAt" text)
  LANGUAGE plpgsql SET search_path = public, pg_catalog AS $$
  BEGIN
    PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
    IF p_before_id IS NULL THEN
      RETURN QUERY
      SELECT o.id, o.status, o.country_code::text, o.currency::text, o.note, o.total_cents, o.paid_cents, o.created_at, o.updated_at,
             to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        FROM orders o
       WHERE o.tenant_id = p_tenant_id AND (p_status IS NULL OR o.status = p_status)
       ORDER BY o.created_at DESC, o.id DESC LIMIT p_limit;
    ELSE
      RETURN QUERY
      SELECT o.id, o.status, o.country_code::text, o.currency::text, o.note, o.total_cents, o.paid_cents, o.created_at, o.updated_at,
             to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        FROM orders o
       WHERE o.tenant_id = p_tenant_id AND (p_status IS NULL OR o.status = p_status) AND (o.created_at, o.id) < (p_before_at, p_before_id)
       ORDER BY o.created_at DESC, o.id DESC LIMIT p_limit;
    END IF;
  END $$`;

export class SeekOrdersPageByCursor1764000017000 implements MigrationInterface {
  name = 'SeekOrdersPageByCursor1764000017000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(ORDERS_PAGE);
  }

  /** The earlier body answered the same rows, only slower: nothing to restore. */
  public async down(): Promise<void> {
    return Promise.resolve();
  }
}
