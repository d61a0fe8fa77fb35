import { Injectable } from '@nestjs/common';
import type { IdempotentOutcome } from '../idempotency/idempotency';
import { TenantDatabase, TenantTransaction } from '@app/persistence';
import { OrderDetailsRecord, OrderRecord, OrderStatus, PaymentRecord } from './order.records';

const ORDER_COLUMNS = `
  id, status, country_code AS "countryCode", currency, note,
  total_cents AS "totalCents", paid_cents AS "paidCents",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface NewOrder {
  countryCode: string;
  currency: string;
  note: string | null;
  items: { sku: string; quantity: number; unitPriceCents: number }[];
  idempotencyKey: string | null;
  requestFingerprint: string | null;
}

export interface OrderListQuery {
  status?: OrderStatus;
  limit: number;
  before?: OrderPosition;
}

/** Where an order stands in "newest first": created_at at microsecond precision, then id. */
export interface OrderPosition {
  createdAt: string;
  id: number;
}

export interface OrderStatsRecord {
  total: number;
  pending: number;
  paid: number;
  cancelled: number;
  revenueCents: number;
  paidCents: number;
}

/** Hot statements are delegated tenant function calls, the rest tenant transactions; tenant_id = $1 in every one makes it a router query. */
@Injectable()
export class OrdersRepository {
  constructor(private readonly database: TenantDatabase) {}

  async create(order: NewOrder): Promise<{ outcome: IdempotentOutcome; record: OrderDetailsRecord } | null> {
    const rows = await this.database.call<OrderDetailsRecord & { outcome: IdempotentOutcome }>(
      `SELECT * FROM tenant_create_order($1, $2, $3, $4, $5, $6, $7)`,
      [order.countryCode, order.currency, order.note, JSON.stringify(order.items), order.idempotencyKey, order.requestFingerprint],
    );
    if (rows.length === 0) return null;
    const { outcome, ...record } = rows[0];
    return { outcome, record: normalizeDetails(record) };
  }

  async findDetails(id: number): Promise<OrderDetailsRecord | null> {
    const rows = await this.database.call<OrderDetailsRecord>(`SELECT * FROM tenant_order_details($1, $2)`, [id]);
    return rows.length === 0 ? null : normalizeDetails(rows[0]);
  }

  async list(query: OrderListQuery): Promise<Array<OrderRecord & { cursorAt: string }>> {
    return this.database.call(`SELECT * FROM tenant_orders_page($1, $2, $3, $4, $5)`, [
      query.limit,
      query.status ?? null,
      query.before?.createdAt ?? null,
      query.before?.id ?? null,
    ]);
  }

  async find(tx: TenantTransaction, id: number): Promise<OrderRecord | null> {
    const rows = await tx.query<OrderRecord>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
    return rows[0] ?? null;
  }

  async cancelPending(tx: TenantTransaction, id: number): Promise<OrderRecord | null> {
    const rows = await tx.query<OrderRecord>(
      `UPDATE orders SET status = 'cancelled', updated_at = now()
       WHERE tenant_id = $1 AND id = $2 AND status = 'pending'
       RETURNING ${ORDER_COLUMNS}`,
      [tx.tenantId, id],
    );
    return rows[0] ?? null;
  }

  async stats(tx: TenantTransaction): Promise<OrderStatsRecord> {
    const rows = await tx.query<OrderStatsRecord>(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE status = 'pending') AS pending,
              count(*) FILTER (WHERE status = 'paid') AS paid,
              count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
              coalesce(sum(total_cents) FILTER (WHERE status <> 'cancelled'), 0)::bigint AS "revenueCents",
              (SELECT coalesce(sum(amount_cents), 0)::bigint FROM payments
                WHERE tenant_id = $1 AND status = 'captured') AS "paidCents"
         FROM orders WHERE tenant_id = $1`,
      [tx.tenantId],
    );
    return rows[0];
  }
}

/** json_agg yields timestamps as strings: bring them back to Date like the flat columns. */
export function normalizeDetails(row: OrderDetailsRecord): OrderDetailsRecord {
  return {
    ...row,
    payments: row.payments.map((payment: PaymentRecord) => ({ ...payment, createdAt: new Date(payment.createdAt) })),
  };
}
