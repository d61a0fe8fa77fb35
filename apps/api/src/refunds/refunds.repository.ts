import { Injectable } from '@nestjs/common';
import { TenantTransaction } from '@app/persistence';

export interface RefundRecord {
  id: number;
  paymentId: number;
  amountCents: number;
  reason: string | null;
  createdAt: Date;
}

const REFUND_COLUMNS = `id, payment_id AS "paymentId", amount_cents AS "amountCents", reason, created_at AS "createdAt"`;

@Injectable()
export class RefundsRepository {
  /** Two router statements, not one CTE: Citus would plan the CTE as a subplan pulled through the coordinator. */
  async refund(tx: TenantTransaction, orderId: number, paymentId: number, amountCents: number, reason: string | null): Promise<RefundRecord | null> {
    const claimed = await tx.query<{ id: number }>(
      `UPDATE payments SET refunded_cents = refunded_cents + $4
        WHERE tenant_id = $1 AND order_id = $2 AND id = $3 AND refunded_cents + $4 <= amount_cents
        RETURNING id`,
      [tx.tenantId, orderId, paymentId, amountCents],
    );
    if (claimed.length === 0) return null;
    const rows = await tx.query<RefundRecord>(
      `INSERT INTO refunds (tenant_id, payment_id, amount_cents, reason) VALUES ($1, $2, $3, $4) RETURNING ${REFUND_COLUMNS}`,
      [tx.tenantId, paymentId, amountCents, reason],
    );
    return rows[0];
  }

  async refundable(tx: TenantTransaction, orderId: number, paymentId: number): Promise<number | null> {
    const rows = await tx.query<{ left: number }>(
      `SELECT amount_cents - refunded_cents AS left FROM payments WHERE tenant_id = $1 AND order_id = $2 AND id = $3`,
      [tx.tenantId, orderId, paymentId],
    );
    return rows[0]?.left ?? null;
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
