import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '@app/common';
import type { OrderStatus, PaymentMethod } from '@app/persistence';

export const ORDER_STATUSES: OrderStatus[] = ['pending', 'paid', 'cancelled'];
export const PAYMENT_METHODS: PaymentMethod[] = ['card', 'bank_transfer', 'wallet'];
export const MAX_ITEMS_PER_ORDER = 100;

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

  @ApiPropertyOptional({ example: 'USD', description: "ISO 4217 code; defaults to the country's currency" })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be three upper-case letters' })
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
  @ApiProperty() id: number;
  @ApiProperty() sku: string;
  @ApiProperty() quantity: number;
  @ApiProperty() unitPriceCents: number;
  @ApiProperty() lineTotalCents: number;
}

export class PaymentView {
  @ApiProperty() id: number;
  @ApiProperty() orderId: number;
  @ApiProperty() amountCents: number;
  @ApiProperty({ enum: PAYMENT_METHODS }) method: PaymentMethod;
  @ApiProperty({ enum: ['captured'] }) status: 'captured';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class OrderView {
  @ApiProperty() id: number;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiProperty() countryCode: string;
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty() totalCents: number;
  @ApiProperty() paidCents: number;
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

export class OrderStatsView {
  @ApiProperty({ example: { total: 3, pending: 1, paid: 1, cancelled: 1 } })
  orders: { total: number; pending: number; paid: number; cancelled: number };
  @ApiProperty({ description: 'Sum of totalCents over orders that are not cancelled' }) revenueCents: number;
  @ApiProperty({ description: 'Sum of captured payments' }) paidCents: number;
}
