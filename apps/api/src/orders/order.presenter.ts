import type { OrderDetailsRecord, OrderItemRecord, OrderRecord, PaymentRecord } from './order.records';
import type { OrderView, PaymentView } from './orders.dto';

export function presentPayment(payment: PaymentRecord): PaymentView {
  return {
    id: payment.id,
    orderId: payment.orderId,
    amountCents: payment.amountCents,
    method: payment.method,
    status: payment.status,
    createdAt: payment.createdAt.toISOString(),
  };
}

export function presentOrder(order: OrderRecord): OrderView {
  return {
    id: order.id,
    status: order.status,
    countryCode: order.countryCode,
    currency: order.currency,
    note: order.note,
    totalCents: order.totalCents,
    paidCents: order.paidCents,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export function presentOrderDetails(order: OrderRecord & { items: OrderItemRecord[]; payments: PaymentRecord[] }): OrderView {
  return {
    ...presentOrder(order),
    items: order.items.map(({ id, sku, quantity, unitPriceCents, lineTotalCents }) => ({ id, sku, quantity, unitPriceCents, lineTotalCents })),
    payments: order.payments.map(presentPayment),
  };
}

export type { OrderDetailsRecord };
