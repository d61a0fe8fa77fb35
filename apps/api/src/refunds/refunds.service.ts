import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { TenantDatabase } from '@app/persistence';
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

  async refund(orderId: number, paymentId: number, input: CreateRefundDto): Promise<RefundView> {
    return this.database.transaction(async (tx) => {
      const refund = await this.refunds.refund(tx, orderId, paymentId, input.amountCents, input.reason ?? null);
      if (refund) return present(refund);
      // Only a refused refund pays for the second round trip that says why.
      const left = await this.refunds.refundable(tx, orderId, paymentId);
      if (left === null) throw paymentNotFound();
      throw new ConflictException(`Refund of ${input.amountCents} exceeds the ${left} left to refund of this payment`);
    });
  }

  async list(orderId: number, paymentId: number): Promise<RefundView[]> {
    const refunds = await this.database.transaction((tx) => this.refunds.list(tx, orderId, paymentId), { readOnly: true });
    if (!refunds) throw paymentNotFound();
    return refunds.map(present);
  }
}
