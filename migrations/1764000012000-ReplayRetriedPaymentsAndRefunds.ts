import { MigrationInterface, QueryRunner } from 'typeorm';
import { useSequentialShardModifications, whenCitus } from './support/citus';

/**
 * The order row is locked before the key is looked up: a concurrent retry waits for the first call to commit and then
 * finds its payment, instead of finding the order paid and refusing.
 */
const CAPTURE_PAYMENT = `
  CREATE OR REPLACE FUNCTION tenant_capture_payment(p_tenant_id uuid, p_order_id bigint, p_amount_cents bigint, p_method text,
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
    SELECT o.status, o.total_cents - o.paid_cents INTO v_order_status, v_owed
      FROM orders o WHERE o.tenant_id = p_tenant_id AND o.id = p_order_id FOR UPDATE;
    IF p_idempotency_key IS NOT NULL THEN
      RETURN QUERY SELECT CASE WHEN p.request_fingerprint = p_request_fingerprint THEN 'replayed' ELSE 'key_reused' END,
                          p.id, p.order_id, p.amount_cents, p.method, p.status, p.created_at, NULL::text, NULL::bigint
                     FROM payments p WHERE p.tenant_id = p_tenant_id AND p.idempotency_key = p_idempotency_key;
      IF FOUND THEN RETURN; END IF;
    END IF;
    IF v_order_status IS DISTINCT FROM 'pending' OR p_amount_cents > v_owed THEN
      RETURN QUERY SELECT 'refused'::text, NULL::bigint, p_order_id, p_amount_cents, p_method, NULL::text, NULL::timestamptz, v_order_status, v_owed;
      RETURN;
    END IF;
    INSERT INTO payments AS p (tenant_id, order_id, amount_cents, method, idempotency_key, request_fingerprint)
    VALUES (p_tenant_id, p_order_id, p_amount_cents, p_method, p_idempotency_key, p_request_fingerprint)
    ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING p.id INTO v_payment_id;
    IF v_payment_id IS NULL THEN
      -- The same key was just used on another order of the tenant: that payment decides the answer.
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

/** Refunds take keys as payments do: the payment row is locked first, then the key decides, then the amount. */
const REFUND_PAYMENT = `
  CREATE FUNCTION tenant_refund_payment(p_tenant_id uuid, p_order_id bigint, p_payment_id bigint, p_amount_cents bigint, p_reason text,
                                        p_idempotency_key text, p_request_fingerprint text)
  RETURNS TABLE (outcome text, id bigint, "paymentId" bigint, "amountCents" bigint, reason text, "createdAt" timestamptz, "refundableCents" bigint)
  LANGUAGE plpgsql AS $$
  DECLARE
    v_refundable bigint;
    v_refund_id bigint;
  BEGIN
    PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
    SELECT p.amount_cents - p.refunded_cents INTO v_refundable
      FROM payments p WHERE p.tenant_id = p_tenant_id AND p.order_id = p_order_id AND p.id = p_payment_id FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'not_found'::text, NULL::bigint, p_payment_id, p_amount_cents, p_reason, NULL::timestamptz, NULL::bigint;
      RETURN;
    END IF;
    IF p_idempotency_key IS NOT NULL THEN
      RETURN QUERY SELECT CASE WHEN r.request_fingerprint = p_request_fingerprint THEN 'replayed' ELSE 'key_reused' END,
                          r.id, r.payment_id, r.amount_cents, r.reason, r.created_at, NULL::bigint
                     FROM refunds r WHERE r.tenant_id = p_tenant_id AND r.idempotency_key = p_idempotency_key;
      IF FOUND THEN RETURN; END IF;
    END IF;
    IF p_amount_cents > v_refundable THEN
      RETURN QUERY SELECT 'refused'::text, NULL::bigint, p_payment_id, p_amount_cents, p_reason, NULL::timestamptz, v_refundable;
      RETURN;
    END IF;
    INSERT INTO refunds AS r (tenant_id, payment_id, amount_cents, reason, idempotency_key, request_fingerprint)
    VALUES (p_tenant_id, p_payment_id, p_amount_cents, p_reason, p_idempotency_key, p_request_fingerprint)
    ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING r.id INTO v_refund_id;
    IF v_refund_id IS NULL THEN
      RETURN QUERY SELECT CASE WHEN r.request_fingerprint = p_request_fingerprint THEN 'replayed' ELSE 'key_reused' END,
                          r.id, r.payment_id, r.amount_cents, r.reason, r.created_at, NULL::bigint
                     FROM refunds r WHERE r.tenant_id = p_tenant_id AND r.idempotency_key = p_idempotency_key;
      RETURN;
    END IF;
    UPDATE payments p SET refunded_cents = p.refunded_cents + p_amount_cents
     WHERE p.tenant_id = p_tenant_id AND p.order_id = p_order_id AND p.id = p_payment_id;
    RETURN QUERY SELECT 'created'::text, r.id, r.payment_id, r.amount_cents, r.reason, r.created_at, NULL::bigint
                   FROM refunds r WHERE r.tenant_id = p_tenant_id AND r.id = v_refund_id;
  END $$`;

const REFUND_SIGNATURE = 'tenant_refund_payment(uuid, bigint, bigint, bigint, text, text, text)';

export class ReplayRetriedPaymentsAndRefunds1764000012000 implements MigrationInterface {
  name = 'ReplayRetriedPaymentsAndRefunds1764000012000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await useSequentialShardModifications(queryRunner);
    // Citus takes ADD CONSTRAINT only as the one subcommand of its ALTER TABLE.
    await queryRunner.query(`ALTER TABLE refunds ADD COLUMN idempotency_key text, ADD COLUMN request_fingerprint text`);
    await queryRunner.query(`ALTER TABLE refunds ADD CONSTRAINT refunds_idempotency_key_length CHECK (char_length(idempotency_key) BETWEEN 1 AND 200)`);
    await queryRunner.query(`ALTER TABLE refunds ADD CONSTRAINT refunds_idempotency_pair CHECK ((idempotency_key IS NULL) = (request_fingerprint IS NULL))`);
    await queryRunner.query(`CREATE UNIQUE INDEX refunds_idempotency_key ON refunds (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await queryRunner.query(CAPTURE_PAYMENT);
    await queryRunner.query(REFUND_PAYMENT);
    await queryRunner.query(`REVOKE ALL ON FUNCTION ${REFUND_SIGNATURE} FROM PUBLIC`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION ${REFUND_SIGNATURE} TO app_tenant`);
    await whenCitus(queryRunner, [`SELECT create_distributed_function('${REFUND_SIGNATURE}', 'p_tenant_id', colocate_with => 'orders')`]);
  }

  /** The payment function keeps its fixed order of checks: the earlier one answered retries wrongly. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ${REFUND_SIGNATURE}`);
    await queryRunner.query(`DROP INDEX refunds_idempotency_key`);
    await queryRunner.query(`ALTER TABLE refunds DROP COLUMN request_fingerprint, DROP COLUMN idempotency_key`);
  }
}
