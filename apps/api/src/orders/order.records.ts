/** The values the tenant tables' CHECK constraints allow: one list each for the code and the API. */
export const ORDER_STATUSES = ['pending', 'paid', 'cancelled'] as const;
export const PAYMENT_METHODS = ['card', 'bank_transfer', 'wallet'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface OrderRecord {
  id: number;
  status: OrderStatus;
  countryCode: string;
  currency: string;
  note: string | null;
  totalCents: number;
  paidCents: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderItemRecord {
  id: number;
  sku: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface PaymentRecord {
  id: number;
  orderId: number;
  amountCents: number;
  method: PaymentMethod;
  status: 'captured';
  createdAt: Date;
}

export interface OrderDetailsRecord extends OrderRecord {
  items: OrderItemRecord[];
  payments: PaymentRecord[];
}
