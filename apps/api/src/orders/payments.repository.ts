import { Injectable } from '@nestjs/common';
import type { IdempotentOutcome } from '../idempotency/idempotency';
import { TenantDatabase } from '@app/persistence';
import { OrderStatus, PaymentMethod, PaymentRecord } from './order.records';

export interface NewPayment {
  orderId: number;
  amountCents: number;
  method: PaymentMethod;
  idempotencyKey: string | null;
  requestFingerprint: string | null;
}

/** Why a payment was not taken: the order's state when it was refused (no status: no such order for this tenant). */
export interface PaymentRefusal {
  orderStatus: OrderStatus | null;
  owedCents: number | null;
}

export type CaptureResult = { outcome: IdempotentOutcome; record: PaymentRecord } | { outcome: 'refused'; refusal: PaymentRefusal };

type CaptureRow = PaymentRecord & PaymentRefusal & { outcome: IdempotentOutcome | 'refused' };

@Injectable()
export class PaymentsRepository {
  constructor(private readonly database: TenantDatabase) {}

  async capture(payment: NewPayment): Promise<CaptureResult | null> {
    const rows = await this.database.call<CaptureRow>(`SELECT * FROM tenant_capture_payment($1, $2, $3, $4, $5, $6)`, [
      payment.orderId,
      payment.amountCents,
      payment.method,
      payment.idempotencyKey,
      payment.requestFingerprint,
    ]);
    if (rows.length === 0) return null;
    const { outcome, orderStatus, owedCents, ...record } = rows[0];
    return outcome === 'refused' ? { outcome, refusal: { orderStatus, owedCents } } : { outcome, record };
  }
}
