import { Injectable } from '@nestjs/common';
import { TenantDatabase, TenantTransaction } from '@app/persistence';
import type { IdempotentOutcome } from '../idempotency/idempotency';

export interface RefundRecord {
  id: number;
  paymentId: number;
  amountCents: number;
  reason: string | null;
  createdAt: Date;
}

export interface NewRefund {
  orderId: number;
  paymentId: number;
  amountCents: number;
  reason: string | null;
  idempotencyKey: string | null;
  requestFingerprint: string | null;
}

export type RefundResult = { outcome: IdempotentOutcome; record: RefundRecord } | { outcome: 'refused'; refundableCents: number } | { outcome: 'not_found' };

type RefundRow = RefundRecord & { outcome: IdempotentOutcome | 'refused' | 'not_found'; refundableCents: number };

@Injectable()
export class RefundsRepository {
  constructor(private readonly database: TenantDatabase) {}

  async refund(refund: NewRefund): Promise<RefundResult | null> {
    const rows = await this.database.call<RefundRow>(`SELECT * FROM tenant_refund_payment($1, $2, $3, $4, $5, $6, $7)`, [
      refund.orderId,
      refund.paymentId,
      refund.amountCents,
      refund.reason,
      refund.idempotencyKey,
      refund.requestFingerprint,
    ]);
    if (rows.length === 0) return null;
    const { outcome, refundableCents, ...record } = rows[0];
    if (outcome === 'not_found') return { outcome };
    if (outcome === 'refused') return { outcome, refundableCents };
    return { outcome, record };
  }

  async list(tx: TenantTransaction, orderId: number, paymentId: number): Promise<RefundRecord[] | null> {
    // A payment without refunds comes back as one row of nulls (the LEFT JOIN); no payment, no row.
    const rows = await tx.query<RefundRecord | { id: null }>(
      `SELECT r.id, r.payment_id AS "paymentId", r.amount_cents AS "amountCents", r.reason, r.created_at AS "createdAt"
         FROM payments p LEFT JOIN refunds r ON r.tenant_id = p.tenant_id AND r.payment_id = p.id
        WHERE p.tenant_id = $1 AND p.order_id = $2 AND p.id = $3
        ORDER BY r.id`,
      [tx.tenantId, orderId, paymentId],
    );
    if (rows.length === 0) return null;
    return rows.filter((row): row is RefundRecord => row.id !== null);
  }
}
