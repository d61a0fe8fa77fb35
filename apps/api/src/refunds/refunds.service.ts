import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { TenantDatabase } from '@app/persistence';
import { IdempotentResult, requestFingerprint, settleIdempotentWrite } from '../idempotency/idempotency';
import { CreateRefundDto, RefundView } from './refunds.dto';
import { RefundRecord, RefundsRepository } from './refunds.repository';

const paymentNotFound = () => new NotFoundException('Payment not found');

const present = (refund: RefundRecord): RefundView => ({ ...refund, createdAt: refund.createdAt.toISOString() });

@Injectable()
export class RefundsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly refunds: RefundsRepository,
  ) {}

  async refund(orderId: number, paymentId: number, input: CreateRefundDto, idempotencyKey: string | null): Promise<IdempotentResult<RefundView>> {
    const result = await this.refunds.refund({
      orderId,
      paymentId,
      amountCents: input.amountCents,
      reason: input.reason ?? null,
      idempotencyKey,
      requestFingerprint: idempotencyKey ? requestFingerprint(`refund-payment:${orderId}:${paymentId}`, input) : null,
    });
    if (result?.outcome === 'not_found') throw paymentNotFound();
    if (result?.outcome === 'refused') {
      throw new ConflictException(`Refund of ${input.amountCents} exceeds the ${result.refundableCents} left to refund of this payment`);
    }
    const settled = settleIdempotentWrite(result);
    return { value: present(settled.value), replayed: settled.replayed };
  }

  async list(orderId: number, paymentId: number): Promise<RefundView[]> {
    const refunds = await this.database.transaction((tx) => this.refunds.list(tx, orderId, paymentId), { readOnly: true });
    if (!refunds) throw paymentNotFound();
    return refunds.map(present);
  }
}
