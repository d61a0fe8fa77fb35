import { ConflictException, Injectable } from '@nestjs/common';
import { OrderMissingError, OrdersRepository, PaymentRecord, PaymentsRepository, TenantDatabase, TenantTransaction } from '@app/persistence';
import { IdempotentResult, requestFingerprint } from './idempotency';
import { CreatePaymentDto } from './orders.dto';
import { orderNotFound } from './orders.service';

/** Thrown inside the transaction to roll it back and answer with the stored payment instead. */
class ReplayPayment extends Error {
  constructor(readonly payment: PaymentRecord) {
    super('idempotent replay');
  }
}

@Injectable()
export class PaymentsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly orders: OrdersRepository,
    private readonly payments: PaymentsRepository,
  ) {}

  /**
   * Captures a payment. The payment row is inserted first, so a concurrent retry with the same
   * idempotency key blocks on the unique index until this transaction ends; then the order row
   * is updated under its row lock, which is what keeps concurrent payments from overpaying.
   */
  async capture(orderId: number, input: CreatePaymentDto, idempotencyKey: string | null): Promise<IdempotentResult<PaymentRecord>> {
    const fingerprint = idempotencyKey ? requestFingerprint(`capture-payment:${orderId}`, input) : null;
    try {
      const payment = await this.database.transaction(async (tx) => {
        const inserted = await this.insertPayment(tx, { orderId, ...input, idempotencyKey, requestFingerprint: fingerprint });
        if (!inserted) {
          const existing = await this.payments.findByIdempotencyKey(tx, idempotencyKey as string);
          if (!existing) throw new ConflictException('Idempotency key is being used by a request in progress; retry');
          if (existing.requestFingerprint !== fingerprint) {
            throw new ConflictException('Idempotency key was already used with a different request');
          }
          throw new ReplayPayment(existing.record);
        }
        const updated = await this.orders.applyPayment(tx, orderId, input.amountCents);
        if (!updated) await this.explainRefusal(tx, orderId, input.amountCents);
        return inserted;
      });
      return { value: payment, replayed: false };
    } catch (error) {
      if (error instanceof ReplayPayment) return { value: error.payment, replayed: true };
      throw error;
    }
  }

  async list(orderId: number): Promise<PaymentRecord[]> {
    const order = await this.database.transaction((tx) => this.orders.findDetails(tx, orderId), { readOnly: true });
    if (!order) throw orderNotFound();
    return order.payments;
  }

  private async insertPayment(tx: TenantTransaction, payment: Parameters<PaymentsRepository['insert']>[1]): Promise<PaymentRecord | null> {
    try {
      return await this.payments.insert(tx, payment);
    } catch (error) {
      if (error instanceof OrderMissingError) throw orderNotFound();
      throw error;
    }
  }

  private async explainRefusal(tx: TenantTransaction, orderId: number, amountCents: number): Promise<never> {
    const order = await this.orders.find(tx, orderId);
    if (!order) throw orderNotFound();
    if (order.status !== 'pending') throw new ConflictException(`Order is ${order.status}; it takes no more payments`);
    const owed = order.totalCents - order.paidCents;
    throw new ConflictException(`Payment of ${amountCents} exceeds the ${owed} still owed on this order`);
  }
}
