import { MigrationInterface, QueryRunner } from 'typeorm';
import { useSequentialShardModifications, whenCitus } from './support/citus';

/** The hot tenant statements, one delegated call each: docs/guide.md ("The tenant statement"). */
const ORDER_DETAILS = `
  CREATE FUNCTION tenant_order_details(p_tenant_id uuid, p_order_id bigint)
  RETURNS TABLE (id bigint, status text, "countryCode" text, currency text, note text, "totalCents" bigint, "paidCents" bigint,
                 "createdAt" timestamptz, "updatedAt" timestamptz, items json, payments json)
  LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
    RETURN QUERY
    SELECT o.id, o.status, o.country_code::text, o.currency::text, o.note, o.total_cents, o.paid_cents, o.created_at, o.updated_at,
           coalesce((SELECT json_agg(json_build_object(
                       'id', i.id, 'sku', i.sku, 'quantity', i.quantity,
                       'unitPriceCents', i.unit_price_cents, 'lineTotalCents', i.line_total_cents) ORDER BY i.id)
                       FROM order_items i WHERE i.tenant_id = p_tenant_id AND i.order_id = o.id), '[]'),
           coalesce((SELECT json_agg(json_build_object(
                       'id', p.id, 'orderId', p.order_id, 'amountCents', p.amount_cents, 'method', p.method,
                       'status', p.status, 'createdAt', p.created_at) ORDER BY p.created_at, p.id)
                       FROM payments p WHERE p.tenant_id = p_tenant_id AND p.order_id = o.id), '[]')
      FROM orders o WHERE o.tenant_id = p_tenant_id AND o.id = p_order_id;
  END $$`;

const ORDERS_PAGE = `
  CREATE FUNCTION tenant_orders_page(p_tenant_id uuid, p_limit integer, p_status text, p_before_at timestamptz, p_before_id bigint)
  RETURNS TABLE (id bigint, status text, "countryCode" text, currency text, note text, "totalCents" bigint, "paidCents" bigint,
                 "createdAt" timestamptz, "updatedAt" timestamptz, "cursorAt" text)
  LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
    RETURN QUERY
    SELECT o.id, o.status, o.country_code::text, o.currency::text, o.note, o.total_cents, o.paid_cents, o.created_at, o.updated_at,
           to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
      FROM orders o
     WHERE o.tenant_id = p_tenant_id AND (p_status IS NULL OR o.status = p_status)
       AND (p_before_id IS NULL OR (o.created_at, o.id) < (p_before_at, p_before_id))
     ORDER BY o.created_at DESC, o.id DESC LIMIT p_limit;
  END $$`;

/** The unique index on (tenant_id, idempotency_key) decides the race; a concurrent retry waits on it, then reads the stored row. */
const CREATE_ORDER = `
  CREATE FUNCTION tenant_create_order(p_tenant_id uuid, p_country_code text, p_currency text, p_note text, p_items jsonb,
                                      p_idempotency_key text, p_request_fingerprint text)
  RETURNS TABLE (outcome text, id bigint, status text, "countryCode" text, currency text, note text, "totalCents" bigint,
                 "paidCents" bigint, "createdAt" timestamptz, "updatedAt" timestamptz, items json, payments json)
  LANGUAGE plpgsql AS $$
  DECLARE
    v_order_id bigint;
    v_total bigint;
    v_fingerprint text;
    v_item record;
  BEGIN
    PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
    SELECT coalesce(sum((item->>'quantity')::bigint * (item->>'unitPriceCents')::bigint), 0) INTO v_total
      FROM jsonb_array_elements(p_items) AS item;
    -- Nothing to pay: the order is paid from the start.
    INSERT INTO orders AS o (tenant_id, status, country_code, currency, note, total_cents, paid_cents, idempotency_key, request_fingerprint)
    VALUES (p_tenant_id, CASE WHEN v_total = 0 THEN 'paid' ELSE 'pending' END, p_country_code, p_currency, p_note, v_total, 0,
            p_idempotency_key, p_request_fingerprint)
    ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING o.id INTO v_order_id;
    IF v_order_id IS NULL THEN
      SELECT o.id, o.request_fingerprint INTO v_order_id, v_fingerprint
        FROM orders o WHERE o.tenant_id = p_tenant_id AND o.idempotency_key = p_idempotency_key;
      RETURN QUERY SELECT CASE WHEN v_fingerprint = p_request_fingerprint THEN 'replayed' ELSE 'key_reused' END, d.*
        FROM tenant_order_details(p_tenant_id, v_order_id) AS d;
      RETURN;
    END IF;
    -- One row at a time: on Citus an INSERT ... SELECT would be planned through an intermediate result.
    FOR v_item IN SELECT * FROM jsonb_to_recordset(p_items) AS x(sku text, quantity integer, "unitPriceCents" bigint) LOOP
      INSERT INTO order_items (tenant_id, order_id, sku, quantity, unit_price_cents)
      VALUES (p_tenant_id, v_order_id, v_item.sku, v_item.quantity, v_item."unitPriceCents");
    END LOOP;
    RETURN QUERY SELECT 'created'::text, d.* FROM tenant_order_details(p_tenant_id, v_order_id) AS d;
  END $$`;

/** The order row is locked first, so that two payments never both fit into what was owed once. */
const CAPTURE_PAYMENT = `
  CREATE FUNCTION tenant_capture_payment(p_tenant_id uuid, p_order_id bigint, p_amount_cents bigint, p_method text,
                                         p_idempotency_key text, p_request_fingerprint text)
  RETURNS TABLE (outcome text, id bigint, "orderId" bigint, "amountCents" bigint, method text, status text, "createdAt" timestamptz,
                 "orderStatus" text, "owedCents" bigint)
  LANGUAGE plpgsql AS $$
  DECLARE
    v_order_status text;
    v_owed bigint;
    v_payment_id bigint;
  BEGIN
    PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
    IF p_idempotency_key IS NOT NULL THEN
      RETURN QUERY SELECT CASE WHEN p.request_fingerprint = p_request_fingerprint THEN 'replayed' ELSE 'key_reused' END,
                          p.id, p.order_id, p.amount_cents, p.method, p.status, p.created_at, NULL::text, NULL::bigint
                     FROM payments p WHERE p.tenant_id = p_tenant_id AND p.idempotency_key = p_idempotency_key;
      IF FOUND THEN RETURN; END IF;
    END IF;
    SELECT o.status, o.total_cents - o.paid_cents INTO v_order_status, v_owed
      FROM orders o WHERE o.tenant_id = p_tenant_id AND o.id = p_order_id FOR UPDATE;
    IF v_order_status IS DISTINCT FROM 'pending' OR p_amount_cents > v_owed THEN
      RETURN QUERY SELECT 'refused'::text, NULL::bigint, p_order_id, p_amount_cents, p_method, NULL::text, NULL::timestamptz, v_order_status, v_owed;
      RETURN;
    END IF;
    INSERT INTO payments AS p (tenant_id, order_id, amount_cents, method, idempotency_key, request_fingerprint)
    VALUES (p_tenant_id, p_order_id, p_amount_cents, p_method, p_idempotency_key, p_request_fingerprint)
    ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING p.id INTO v_payment_id;
    IF v_payment_id IS NULL THEN
      -- A retry with the same key committed while this call waited for the order's lock.
      RETURN QUERY SELECT CASE WHEN p.request_fingerprint = p_request_fingerprint THEN 'replayed' ELSE 'key_reused' END,
                          p.id, p.order_id, p.amount_cents, p.method, p.status, p.created_at, NULL::text, NULL::bigint
                     FROM payments p WHERE p.tenant_id = p_tenant_id AND p.idempotency_key = p_idempotency_key;
      RETURN;
    END IF;
    UPDATE orders o
       SET paid_cents = o.paid_cents + p_amount_cents,
           status = CASE WHEN o.paid_cents + p_amount_cents = o.total_cents THEN 'paid' ELSE o.status END,
           updated_at = now()
     WHERE o.tenant_id = p_tenant_id AND o.id = p_order_id;
    RETURN QUERY SELECT 'created'::text, p.id, p.order_id, p.amount_cents, p.method, p.status, p.created_at, NULL::text, NULL::bigint
                   FROM payments p WHERE p.tenant_id = p_tenant_id AND p.id = v_payment_id;
  END $$`;

const FUNCTIONS = [
  { signature: 'tenant_order_details(uuid, bigint)', definition: ORDER_DETAILS },
  { signature: 'tenant_orders_page(uuid, integer, text, timestamptz, bigint)', definition: ORDERS_PAGE },
  { signature: 'tenant_create_order(uuid, text, text, text, jsonb, text, text)', definition: CREATE_ORDER },
  { signature: 'tenant_capture_payment(uuid, bigint, bigint, text, text, text)', definition: CAPTURE_PAYMENT },
];

export class CreateTenantFunctions1764000010000 implements MigrationInterface {
  name = 'CreateTenantFunctions1764000010000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await useSequentialShardModifications(queryRunner);
    await queryRunner.query(`CREATE INDEX orders_newest_first ON orders (tenant_id, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX orders_newest_first_by_status ON orders (tenant_id, status, created_at DESC, id DESC)`);
    for (const { signature, definition } of FUNCTIONS) {
      await queryRunner.query(definition);
      await queryRunner.query(`REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC`);
      await queryRunner.query(`GRANT EXECUTE ON FUNCTION ${signature} TO app_tenant`);
      await whenCitus(queryRunner, [`SELECT create_distributed_function('${signature}', 'p_tenant_id', colocate_with => 'orders')`]);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const { signature } of [...FUNCTIONS].reverse()) {
      await queryRunner.query(`DROP FUNCTION ${signature}`);
    }
    await queryRunner.query(`DROP INDEX orders_newest_first_by_status`);
    await queryRunner.query(`DROP INDEX orders_newest_first`);
  }
}
