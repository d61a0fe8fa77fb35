import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { decodeCursor, encodeCursor, isCursorInstant, Page, toPage, ValidationFailedException } from '@app/http-edge';
import { TenantDatabase } from '@app/persistence';
import { requireTenant } from '@app/tenancy';
import { CatalogService } from '@app/reference-data';
import { IdempotentResult, requestFingerprint, settleIdempotentWrite } from '../idempotency/idempotency';
import { OrderDetailsRecord, OrderRecord } from './order.records';
import { OrdersRepository, OrderStatsRecord } from './orders.repository';
import { CreateOrderDto, ListOrdersQueryDto } from './orders.dto';

const ORDER_CURSOR = 'order';
const isOrderPosition = (value: Record<string, unknown>): value is { createdAt: string; id: number } =>
  Object.keys(value).length === 2 &&
  typeof value.createdAt === 'string' &&
  isCursorInstant(value.createdAt) &&
  Number.isSafeInteger(value.id) &&
  (value.id as number) > 0;

@Injectable()
export class OrdersService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly orders: OrdersRepository,
    private readonly catalog: CatalogService,
  ) {}

  async create(input: CreateOrderDto, idempotencyKey: string | null): Promise<IdempotentResult<OrderDetailsRecord>> {
    const country = await this.catalog.country(input.countryCode);
    if (!country) {
      throw new ValidationFailedException([{ field: 'countryCode', message: `unknown country code ${input.countryCode}` }]);
    }
    const plan = await this.catalog.plan(requireTenant().planId);
    if (plan && input.items.length > plan.maxItemsPerOrder) {
      throw new ValidationFailedException([{ field: 'items', message: `the ${plan.name} plan allows at most ${plan.maxItemsPerOrder} items per order` }]);
    }
    const order = {
      countryCode: country.code,
      currency: input.currency ?? country.currency,
      note: input.note ?? null,
      items: input.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
      idempotencyKey,
      requestFingerprint: idempotencyKey ? requestFingerprint('create-order', input) : null,
    };
    return settleIdempotentWrite(await this.orders.create(order));
  }

  async get(id: number): Promise<OrderDetailsRecord> {
    const order = await this.orders.findDetails(id);
    if (!order) throw orderNotFound();
    return order;
  }

  async list(query: ListOrdersQueryDto): Promise<Page<OrderRecord>> {
    const before = query.cursor ? decodeCursor(ORDER_CURSOR, query.cursor, isOrderPosition) : undefined;
    const rows = await this.orders.list({ status: query.status, limit: query.limit + 1, before });
    return toPage(
      rows,
      query.limit,
      (row) => row,
      (row) => encodeCursor(ORDER_CURSOR, { createdAt: row.cursorAt, id: row.id }),
    );
  }

  async cancel(id: number): Promise<OrderDetailsRecord> {
    await this.database.transaction(async (tx) => {
      if (await this.orders.cancelPending(tx, id)) return;
      const order = await this.orders.find(tx, id);
      if (!order) throw orderNotFound();
      throw new ConflictException(`Only pending orders can be cancelled; this order is ${order.status}`);
    });
    // A cancelled order changes no more, so reading it after the commit is the same answer.
    return this.get(id);
  }

  async stats(): Promise<OrderStatsRecord> {
    return this.database.transaction((tx) => this.orders.stats(tx), { readOnly: true });
  }
}

export function orderNotFound(): NotFoundException {
  return new NotFoundException('Order not found');
}
