import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { decodeCursor, encodeCursor, Page, toPage, ValidationFailedException } from '@app/http-edge';
import { OrderDetailsRecord, OrderRecord, OrdersRepository, OrderStatsRecord, TenantDatabase } from '@app/persistence';
import { requireTenant } from '@app/tenancy';
import { CatalogService } from '../catalog/catalog.service';
import { IdempotentResult, requestFingerprint } from './idempotency';
import { CreateOrderDto, ListOrdersQueryDto } from './orders.dto';

const ORDER_CURSOR = 'order';
const isOrderPosition = (value: Record<string, unknown>): value is { id: number } =>
  Object.keys(value).length === 1 && Number.isSafeInteger(value.id) && (value.id as number) > 0;

@Injectable()
export class OrdersService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly orders: OrdersRepository,
    private readonly catalog: CatalogService,
  ) {}

  /**
   * Creates an order with its items in one transaction. With an idempotency key, the unique
   * index on (tenant_id, idempotency_key) decides the race: a concurrent retry waits for the
   * first insert to commit, finds the key taken and replays the stored order.
   */
  async create(input: CreateOrderDto, idempotencyKey: string | null): Promise<IdempotentResult<OrderDetailsRecord>> {
    const country = await this.catalog.country(input.countryCode);
    if (!country) {
      throw new ValidationFailedException([{ field: 'countryCode', message: `unknown country code ${input.countryCode}` }]);
    }
    const plan = await this.catalog.plan(requireTenant().planId);
    if (plan && input.items.length > plan.maxItemsPerOrder) {
      throw new ValidationFailedException([{ field: 'items', message: `the ${plan.name} plan allows at most ${plan.maxItemsPerOrder} items per order` }]);
    }
    const totalCents = input.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
    const fingerprint = idempotencyKey ? requestFingerprint('create-order', input) : null;

    return this.database.transaction(async (tx) => {
      const order = await this.orders.insert(tx, {
        // Nothing to pay: the order is paid from the start.
        status: totalCents === 0 ? 'paid' : 'pending',
        countryCode: country.code,
        currency: input.currency ?? country.currency,
        note: input.note ?? null,
        totalCents,
        idempotencyKey,
        requestFingerprint: fingerprint,
      });
      if (!order) {
        const existing = await this.orders.findByIdempotencyKey(tx, idempotencyKey as string);
        if (!existing) throw new ConflictException('Idempotency key is being used by a request in progress; retry');
        if (existing.requestFingerprint !== fingerprint) {
          throw new ConflictException('Idempotency key was already used with a different request');
        }
        return { value: existing.record, replayed: true };
      }
      const items = await this.orders.insertItems(tx, order.id, input.items);
      return { value: { ...order, items, payments: [] }, replayed: false };
    });
  }

  async get(id: number): Promise<OrderDetailsRecord> {
    const order = await this.database.transaction((tx) => this.orders.findDetails(tx, id), { readOnly: true });
    if (!order) throw orderNotFound();
    return order;
  }

  async list(query: ListOrdersQueryDto): Promise<Page<OrderRecord>> {
    const beforeId = query.cursor ? decodeCursor(ORDER_CURSOR, query.cursor, isOrderPosition).id : undefined;
    const rows = await this.database.transaction((tx) => this.orders.list(tx, { status: query.status, limit: query.limit + 1, beforeId }), { readOnly: true });
    return toPage(
      rows,
      query.limit,
      (row) => row,
      (row) => encodeCursor(ORDER_CURSOR, { id: row.id }),
    );
  }

  async cancel(id: number): Promise<OrderDetailsRecord> {
    return this.database.transaction(async (tx) => {
      const cancelled = await this.orders.cancelPending(tx, id);
      if (cancelled) return (await this.orders.findDetails(tx, id)) as OrderDetailsRecord;
      const order = await this.orders.find(tx, id);
      if (!order) throw orderNotFound();
      throw new ConflictException(`Only pending orders can be cancelled; this order is ${order.status}`);
    });
  }

  async stats(): Promise<OrderStatsRecord> {
    return this.database.transaction((tx) => this.orders.stats(tx), { readOnly: true });
  }
}

export function orderNotFound(): NotFoundException {
  return new NotFoundException('Order not found');
}
