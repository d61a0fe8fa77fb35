import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { QueryInt } from '@app/http-edge';
import { MAX_DAYS, MAX_TOP_TENANTS } from './analytics-queries';

/** Millisecond precision at most, what the window is computed with. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const INSTANT_EXAMPLE = '2025-01-31T00:00:00Z';

function instantMessage(field: string): string {
  return `${field} must be an ISO-8601 instant with a time zone, at most millisecond precision, such as ${INSTANT_EXAMPLE}`;
}

export const DEFAULT_WINDOW_DAYS = 30;
export const DEFAULT_TOP_TENANTS = 10;

export class TimeWindowQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    example: '2025-01-01T00:00:00Z',
    description: `Start of the window, inclusive. Default: ${DEFAULT_WINDOW_DAYS} days before \`to\`.`,
  })
  @IsOptional()
  @IsString()
  @Matches(ISO_INSTANT, { message: instantMessage('from') })
  @IsISO8601({ strict: true }, { message: instantMessage('from') })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2025-01-31T00:00:00Z',
    description: 'End of the window, exclusive; after `from`. Default: now.',
  })
  @IsOptional()
  @IsString()
  @Matches(ISO_INSTANT, { message: instantMessage('to') })
  @IsISO8601({ strict: true }, { message: instantMessage('to') })
  to?: string;
}

export class TopTenantsQueryDto extends TimeWindowQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TOP_TENANTS, default: DEFAULT_TOP_TENANTS })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_TOP_TENANTS)
  limit: number = DEFAULT_TOP_TENANTS;
}

export class DailyQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DAYS, default: DEFAULT_WINDOW_DAYS, description: 'UTC days ending today, today included' })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_DAYS)
  days: number = DEFAULT_WINDOW_DAYS;
}

const ORDERS_DESCRIPTION = 'Orders created in the window that are not cancelled';
const REVENUE_DESCRIPTION = 'Sum of their totalCents';

export class CountryRevenueView {
  @ApiProperty({ example: 'US' }) countryCode: string;
  @ApiProperty({ example: 'United States' }) countryName: string;
  @ApiProperty({ example: 'Americas' }) region: string;
  @ApiProperty({ type: 'integer', description: ORDERS_DESCRIPTION }) orders: number;
  @ApiProperty({ type: 'integer', description: REVENUE_DESCRIPTION }) revenueCents: number;
}

export class RevenueByCountryView {
  @ApiProperty({ type: [CountryRevenueView], description: 'Countries with at least one order, by revenue, highest first' })
  data: CountryRevenueView[];
}

export class TenantRevenueView {
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ type: 'integer', description: ORDERS_DESCRIPTION }) orders: number;
  @ApiProperty({ type: 'integer', description: REVENUE_DESCRIPTION }) revenueCents: number;
}

export class TopTenantsView {
  @ApiProperty({ type: [TenantRevenueView], description: 'Tenants with at least one order, by revenue, highest first' })
  data: TenantRevenueView[];
}

export class DailyRevenueView {
  @ApiProperty({ example: '2025-01-31', description: 'UTC day of creation' }) day: string;
  @ApiProperty({ type: 'integer', description: 'Orders created that day that are not cancelled' }) orders: number;
  @ApiProperty({ type: 'integer', description: REVENUE_DESCRIPTION }) revenueCents: number;
}

export class DailyView {
  @ApiProperty({ type: [DailyRevenueView], description: 'Every day of the range, oldest first, days without orders included' })
  data: DailyRevenueView[];
}
