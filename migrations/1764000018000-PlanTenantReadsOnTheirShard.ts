import { MigrationInterface, QueryRunner } from 'typeorm';
import { whenCitus } from './support/citus';

/**
 * On Citus the two tenant reads format the tenant into their statements as a literal, one table per statement: Citus plans such a
 * statement straight on the local shard, where a tenant bound as a parameter makes it deparse, parse and plan the shard statement
 * again at every call (docs/guide.md, "The tenant reads on Citus"). PostgreSQL alone keeps the bodies with cached plans.
 */
const ORDER_DETAILS = `
  CREATE OR REPLACE FUNCTION tenant_order_details(p_tenant_id uuid, p_order_id bigint)
  RETURNS TABLE (id bigint, status text, "countryCode" text, currency text, note text, "totalCents" bigint, "paidCents" bigint,
                 "createdAt" timestamptz, "updatedAt" timestamptz, items json, payments json)
  LANGUAGE plpgsql SET search_path = public, pg_catalog AS $$
  BEGIN
    PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
    EXECUTE format($q$
      SELECT o.id, o.status, o.country_code::text, o.currency::text, o.note, o.total_cents, o.paid_cents, o.created_at, o.updated_at
        FROM orders o WHERE o.tenant_id = %L AND o.id = $1 $q$, p_tenant_id)
      INTO id, status, "countryCode", currency, note, "totalCents", "paidCents", "createdAt", "updatedAt" USING p_order_id;
    IF id IS NULL THEN
      RETURN;
    END IF;
    EXECUTE format($q$
      SELECT coalesce(json_agg(json_build_object(
               'id', i.id, 'sku', i.sku, 'quantity', i.quantity,
               'unitPriceCents', i.unit_price_cents, 'lineTotalCents', i.line_total_cents) ORDER BY i.id), '[]')
        FROM order_items i WHERE i.tenant_id = %L AND i.order_id = $1 $q$, p_tenant_id)
      INTO items USING p_order_id;
    EXECUTE format($q$
      SELECT coalesce(json_agg(json_build_object(
               'id', p.id, 'orderId', p.order_id, 'amountCents', p.amount_cents, 'method', p.method,
               'status', p.status, 'createdAt', p.created_at) ORDER BY p.created_at, p.id), '[]')
        FROM payments p WHERE p.tenant_id = %L AND p.order_id = $1 $q$, p_tenant_id)
      INTO payments USING p_order_id;
    RETURN NEXT;
  END $$`;

const ORDERS_PAGE = `
  CREATE OR REPLACE FUNCTION tenant_orders_page(p_tenant_id uuid, p_limit integer, p_status text, p_before_at timestamptz, p_before_id bigint)
  RETURNS TABLE (id bigint, status text, "countryCode" text, currency text, note text, "totalCents" bigint, "paidCents" bigint,
                 "createdAt" timestamptz, "updatedAt" timestamptz, "cursorAt" text)
  LANGUAGE plpgsql SET search_path = public, pg_catalog AS $$
  BEGIN
    PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
    IF p_before_id IS NULL THEN
      RETURN QUERY EXECUTE format($q$
        SELECT o.id, o.status, o.country_code::text, o.currency::text, o.note, o.total_cents, o.paid_cents, o.created_at, o.updated_at,
               to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
          FROM orders o
         WHERE o.tenant_id = %L AND ($2 IS NULL OR o.status = $2)
         ORDER BY o.created_at DESC, o.id DESC LIMIT $1 $q$, p_tenant_id)
        USING p_limit, p_status;
    ELSE
      RETURN QUERY EXECUTE format($q$
        SELECT o.id, o.status, o.country_code::text, o.currency::text, o.note, o.total_cents, o.paid_cents, o.created_at, o.updated_at,
               to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
          FROM orders o
         WHERE o.tenant_id = %L AND ($2 IS NULL OR o.status = $2) AND (o.created_at, o.id) < ($3, $4)
         ORDER BY o.created_at DESC, o.id DESC LIMIT $1 $q$, p_tenant_id)
        USING p_limit, p_status, p_before_at, p_before_id;
    END IF;
  END $$`;

export class PlanTenantReadsOnTheirShard1764000018000 implements MigrationInterface {
  name = 'PlanTenantReadsOnTheirShard1764000018000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await whenCitus(queryRunner, [ORDER_DETAILS, ORDERS_PAGE]);
  }

  /** The earlier bodies answered the same rows, only slower: nothing to restore. */
  public async down(): Promise<void> {
    return Promise.resolve();
  }
}
