import { Injectable } from '@nestjs/common';
import { databaseCode, databaseConstraint } from '../database-errors';
import { TenantTransaction } from '../tenant-database';
import { IdempotentMatch, PaymentMethod, PaymentRecord } from './records';

const PAYMENT_COLUMNS = `id, order_id AS "orderId", amount_cents AS "amountCents", method, status, created_at AS "createdAt"`;

export interface NewPayment {
  orderId: number;
  amountCents: number;
  method: PaymentMethod;
  idempotencyKey: string | null;
  requestFingerprint: string | null;
}

/** A foreign key violation here means the order does not exist for this tenant. */
const ORDER_FOREIGN_KEY = 'payments_order_fkey';
const FOREIGN_KEY_VIOLATION = '23503';

/** The order of a new payment is not the tenant's (missing, or another tenant's: the same to the tenant). */
export class OrderMissingError extends Error {
  constructor() {
    super('order missing');
  }
}

@Injectable()
export class PaymentsRepository {
  /** Inserts the payment, or returns null when the idempotency key is already taken; OrderMissingError without the order. */
  async insert(tx: TenantTransaction, payment: NewPayment): Promise<PaymentRecord | null> {
    const rows = await tx
      .query<PaymentRecord>(
        `INSERT INTO payments (tenant_id, order_id, amount_cents, method, idempotency_key, request_fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${PAYMENT_COLUMNS}`,
        [tx.tenantId, payment.orderId, payment.amountCents, payment.method, payment.idempotencyKey, payment.requestFingerprint],
      )
      .catch((error: unknown) => {
        // The composite foreign key fails alike for a missing order and another tenant's.
        throw databaseCode(error) === FOREIGN_KEY_VIOLATION && databaseConstraint(error) === ORDER_FOREIGN_KEY ? new OrderMissingError() : error;
      });
    return rows[0] ?? null;
  }

  async findByIdempotencyKey(tx: TenantTransaction, key: string): Promise<IdempotentMatch<PaymentRecord> | null> {
    const rows = await tx.query<PaymentRecord & { requestFingerprint: string }>(
      `SELECT ${PAYMENT_COLUMNS}, request_fingerprint AS "requestFingerprint"
         FROM payments WHERE tenant_id = $1 AND idempotency_key = $2`,
      [tx.tenantId, key],
    );
    if (rows.length === 0) return null;
    const { requestFingerprint, ...record } = rows[0];
    return { record, requestFingerprint };
  }
}
