import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '@app/http-edge';
import { ORDER_STATUSES, OrderStatus, PAYMENT_METHODS, PaymentMethod } from './order.records';

export const MAX_ITEMS_PER_ORDER = 100;
/** ISO 4217 as the runtime's ICU data knows it: the one list every currency code is checked against. */
const ISO_4217_CODES = Intl.supportedValuesOf('currency');

export class OrderItemDto {
  @ApiProperty({ minLength: 1, maxLength: 64, example: 'SKU-123' })
  @IsString()
  @Length(1, 64)
  sku: string;

  @ApiProperty({ minimum: 1, maximum: 10000, example: 2 })
  @IsInt()
  @Min(1)
  @Max(10000)
  quantity: number;

  @ApiProperty({ minimum: 0, maximum: 100000000, example: 1999 })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  unitPriceCents: number;
}

export class CreateOrderDto {
  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2 code of a country in GET /v1/countries' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be two upper-case letters' })
  countryCode: string;

  @ApiPropertyOptional({ example: 'USD', pattern: '^[A-Z]{3}$', description: "ISO 4217 code; defaults to the country's currency" })
  @IsOptional()
  @IsString()
  @IsIn(ISO_4217_CODES, { message: 'currency must be an ISO 4217 currency code' })
  currency?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;

  @ApiProperty({ type: [OrderItemDto], minItems: 1, maxItems: MAX_ITEMS_PER_ORDER })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEMS_PER_ORDER)
  @IsObject({ each: true, message: 'each item must be an object' })
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items: OrderItemDto[];
}

export class ListOrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}

export class CreatePaymentDto {
  @ApiProperty({ minimum: 1, example: 1000, description: 'At most what is still owed on the order' })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  amountCents: number;

  @ApiProperty({ enum: PAYMENT_METHODS })
  @IsIn(PAYMENT_METHODS)
  method: PaymentMethod;
}

export class OrderItemView {
  @ApiProperty({ type: 'integer' }) id: number;
  @ApiProperty() sku: string;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer' }) unitPriceCents: number;
  @ApiProperty({ type: 'integer' }) lineTotalCents: number;
}

export class PaymentView {
  @ApiProperty({ type: 'integer' }) id: number;
  @ApiProperty({ type: 'integer' }) orderId: number;
  @ApiProperty({ type: 'integer' }) amountCents: number;
  @ApiProperty({ enum: PAYMENT_METHODS }) method: PaymentMethod;
  @ApiProperty({ enum: ['captured'] }) status: 'captured';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class OrderView {
  @ApiProperty({ type: 'integer' }) id: number;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiProperty() countryCode: string;
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty({ type: 'integer' }) totalCents: number;
  @ApiProperty({ type: 'integer' }) paidCents: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiPropertyOptional({ type: [OrderItemView] }) items?: OrderItemView[];
  @ApiPropertyOptional({ type: [PaymentView] }) payments?: PaymentView[];
}

export class OrderPageView {
  @ApiProperty({ type: [OrderView] }) data: OrderView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class PaymentListView {
  @ApiProperty({ type: [PaymentView] }) data: PaymentView[];
}

export class OrderCountsView {
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: 'integer' }) pending: number;
  @ApiProperty({ type: 'integer' }) paid: number;
  @ApiProperty({ type: 'integer' }) cancelled: number;
}

// Sums are summed in PostgreSQL as numeric and returned as JSON numbers: exact while below 2^53.
const SUM_LIMIT = 'Exact up to 2^53 - 1 (9,007,199,254,740,991) cents';

export class OrderStatsView {
  @ApiProperty({ type: OrderCountsView }) orders: OrderCountsView;
  @ApiProperty({ type: 'integer', description: `Sum of totalCents over orders that are not cancelled. ${SUM_LIMIT}` }) revenueCents: number;
  @ApiProperty({ type: 'integer', description: `Sum of captured payments. ${SUM_LIMIT}` }) paidCents: number;
}
