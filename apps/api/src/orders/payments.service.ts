import { ConflictException, Injectable } from '@nestjs/common';
import { IdempotentResult, requestFingerprint, settleIdempotentWrite } from '../idempotency/idempotency';
import { PaymentRecord } from './order.records';
import { CreatePaymentDto } from './orders.dto';
import { OrdersRepository } from './orders.repository';
import { orderNotFound } from './orders.service';
import { PaymentRefusal, PaymentsRepository } from './payments.repository';

@Injectable()
export class PaymentsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly payments: PaymentsRepository,
  ) {}

  async capture(orderId: number, input: CreatePaymentDto, idempotencyKey: string | null): Promise<IdempotentResult<PaymentRecord>> {
    const payment = {
      orderId,
      amountCents: input.amountCents,
      method: input.method,
      idempotencyKey,
      requestFingerprint: idempotencyKey ? requestFingerprint(`capture-payment:${orderId}`, input) : null,
    };
    const result = await this.payments.capture(payment);
    if (result?.outcome === 'refused') throw refusal(result.refusal, input.amountCents);
    return settleIdempotentWrite(result);
  }

  async list(orderId: number): Promise<PaymentRecord[]> {
    const order = await this.orders.findDetails(orderId);
    if (!order) throw orderNotFound();
    return order.payments;
  }
}

function refusal({ orderStatus, owedCents }: PaymentRefusal, amountCents: number): Error {
  if (orderStatus === null) return orderNotFound();
  if (orderStatus !== 'pending') return new ConflictException(`Order is ${orderStatus}; it takes no more payments`);
  return new ConflictException(`Payment of ${amountCents} exceeds the ${owedCents} still owed on this order`);
}
