import { Injectable } from '@nestjs/common';
import { TenantTransaction } from '../tenant-database';
import { DAILY_ORDER_STATS_LOCK } from './rollup.repository';
import { IdempotentMatch, OrderDetailsRecord, OrderItemRecord, OrderRecord, OrderStatus, PaymentRecord } from './records';

const ORDER_COLUMNS = `
  id, status, country_code AS "countryCode", currency, note,
  total_cents AS "totalCents", paid_cents AS "paidCents",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

const ITEM_COLUMNS = `id, sku, quantity, unit_price_cents AS "unitPriceCents", line_total_cents AS "lineTotalCents"`;

export interface NewOrder {
  status: OrderStatus;
  countryCode: string;
  currency: string;
  note: string | null;
  totalCents: number;
  idempotencyKey: string | null;
  requestFingerprint: string | null;
}

export interface NewOrderItem {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface OrderListQuery {
  status?: OrderStatus;
  limit: number;
  /** Only orders older than this id (keyset pagination, newest first). */
  beforeId?: number;
}

export interface OrderStatsRecord {
  total: number;
  pending: number;
  paid: number;
  cancelled: number;
  revenueCents: number;
  paidCents: number;
}

/**
 * Every statement names `tenant_id = $1` explicitly: on Citus that predicate is what makes it
 * a router query on one shard. Row-level security would filter without it, but the query
 * would then fan out to all 32 shards (and fail under the role's multi-shard guard).
 */
@Injectable()
export class OrdersRepository {
  /** Inserts the order, or returns null when the idempotency key is already taken. */
  async insert(tx: TenantTransaction, order: NewOrder): Promise<OrderRecord | null> {
    const rows = await tx.query<OrderRecord>(
      `INSERT INTO orders (tenant_id, status, country_code, currency, note, total_cents, paid_cents, idempotency_key, request_fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${ORDER_COLUMNS}`,
      [
        tx.tenantId,
        order.status,
        order.countryCode,
        order.currency,
        order.note,
        order.totalCents,
        order.status === 'paid' ? order.totalCents : 0,
        order.idempotencyKey,
        order.requestFingerprint,
      ],
    );
    return rows[0] ?? null;
  }

  async insertItems(tx: TenantTransaction, orderId: number, items: NewOrderItem[]): Promise<OrderItemRecord[]> {
    const parameters: unknown[] = [tx.tenantId, orderId];
    const values = items.map((item) => {
      parameters.push(item.sku, item.quantity, item.unitPriceCents);
      const base = parameters.length - 3;
      return `($1, $2, $${base + 1}, $${base + 2}, $${base + 3})`;
    });
    const rows = await tx.query<OrderItemRecord>(
      `INSERT INTO order_items (tenant_id, order_id, sku, quantity, unit_price_cents)
       VALUES ${values.join(', ')}
       RETURNING ${ITEM_COLUMNS}`,
      parameters,
    );
    // Multi-row RETURNING carries no ordering guarantee on Citus: restore insertion order.
    return rows.sort((left, right) => left.id - right.id);
  }

  async findByIdempotencyKey(tx: TenantTransaction, key: string): Promise<IdempotentMatch<OrderDetailsRecord> | null> {
    const rows = await tx.query<OrderDetailsRecord & { requestFingerprint: string }>(
      `${DETAILS_SELECT}, o.request_fingerprint AS "requestFingerprint"
       FROM orders o WHERE o.tenant_id = $1 AND o.idempotency_key = $2`,
      [tx.tenantId, key],
    );
    if (rows.length === 0) return null;
    const { requestFingerprint, ...record } = rows[0];
    return { record: normalizeDetails(record), requestFingerprint };
  }

  /** The order with its items and payments in one statement (one shard, one round trip). */
  async findDetails(tx: TenantTransaction, id: number): Promise<OrderDetailsRecord | null> {
    const rows = await tx.query<OrderDetailsRecord>(`${DETAILS_SELECT} FROM orders o WHERE o.tenant_id = $1 AND o.id = $2`, [tx.tenantId, id]);
    return rows.length === 0 ? null : normalizeDetails(rows[0]);
  }

  async find(tx: TenantTransaction, id: number): Promise<OrderRecord | null> {
    const rows = await tx.query<OrderRecord>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
    return rows[0] ?? null;
  }

  async list(tx: TenantTransaction, query: OrderListQuery): Promise<OrderRecord[]> {
    // Static SQL (the tenant predicate check reads it); absent filters are NULL and drop out of the custom plan.
    return tx.query<OrderRecord>(
      `SELECT ${ORDER_COLUMNS} FROM orders
        WHERE tenant_id = $1 AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR id < $4)
        ORDER BY id DESC LIMIT $2`,
      [tx.tenantId, query.limit, query.status ?? null, query.beforeId ?? null],
    );
  }

  /** Cancels a pending order; null when the order is missing or no longer pending. */
  async cancelPending(tx: TenantTransaction, id: number): Promise<OrderRecord | null> {
    const rows = await tx.query<OrderRecord>(
      `UPDATE orders SET status = 'cancelled', updated_at = now()
       WHERE tenant_id = $1 AND id = $2 AND status = 'pending'
       RETURNING ${ORDER_COLUMNS}`,
      [tx.tenantId, id],
    );
    return rows[0] ?? null;
  }

  /**
   * Adds a payment to a pending order unless it would overpay it. The UPDATE locks the order
   * row, and under READ COMMITTED a concurrent payment re-checks the WHERE clause against the
   * committed row: two payments can never both fit into what was owed once.
   */
  async applyPayment(tx: TenantTransaction, id: number, amountCents: number): Promise<OrderRecord | null> {
    const rows = await tx.query<OrderRecord>(
      `UPDATE orders
          SET paid_cents = paid_cents + $3,
              status = CASE WHEN paid_cents + $3 = total_cents THEN 'paid' ELSE status END,
              updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND paid_cents + $3 <= total_cents
        RETURNING ${ORDER_COLUMNS}`,
      [tx.tenantId, id, amountCents],
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

  /**
   * Deletes every order of the tenant (items and payments go with them, ON DELETE CASCADE), in
   * batches so that no single statement outlives the statement timeout; the caller's
   * transaction keeps it all-or-nothing. The tenant's analytics rollup rows go in the same
   * transaction, after any running rollup refresh (which could write rows for the tenant
   * after they are gone) has finished.
   */
  async deleteAll(tx: TenantTransaction, batchSize = 1000): Promise<number> {
    await tx.query(`SELECT pg_advisory_xact_lock_shared($1::bigint)`, [DAILY_ORDER_STATS_LOCK]);
    await tx.query(`DELETE FROM daily_order_stats WHERE tenant_id = $1`, [tx.tenantId]);
    let total = 0;
    for (;;) {
      const rows = await tx.query<{ deleted: number }>(
        `WITH deleted AS (
           DELETE FROM orders WHERE tenant_id = $1
              AND id IN (SELECT id FROM orders WHERE tenant_id = $1 ORDER BY id LIMIT $2)
           RETURNING 1)
         SELECT count(*) AS deleted FROM deleted`,
        [tx.tenantId, batchSize],
      );
      total += rows[0].deleted;
      if (rows[0].deleted < batchSize) return total;
    }
  }
}

const DETAILS_SELECT = `
  SELECT o.id, o.status, o.country_code AS "countryCode", o.currency, o.note,
         o.total_cents AS "totalCents", o.paid_cents AS "paidCents",
         o.created_at AS "createdAt", o.updated_at AS "updatedAt",
         coalesce((SELECT json_agg(json_build_object(
                     'id', i.id, 'sku', i.sku, 'quantity', i.quantity,
                     'unitPriceCents', i.unit_price_cents, 'lineTotalCents', i.line_total_cents) ORDER BY i.id)
                     FROM order_items i WHERE i.tenant_id = $1 AND i.order_id = o.id), '[]') AS items,
         coalesce((SELECT json_agg(json_build_object(
                     'id', p.id, 'orderId', p.order_id, 'amountCents', p.amount_cents, 'method', p.method,
                     'status', p.status, 'createdAt', p.created_at) ORDER BY p.id)
                     FROM payments p WHERE p.tenant_id = $1 AND p.order_id = o.id), '[]') AS payments`;

/** json_agg yields timestamps as strings: bring them back to Date like the flat columns. */
function normalizeDetails(row: OrderDetailsRecord): OrderDetailsRecord {
  return {
    ...row,
    payments: row.payments.map((payment: PaymentRecord) => ({ ...payment, createdAt: new Date(payment.createdAt) })),
  };
}
