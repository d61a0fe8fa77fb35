import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { ValidationFailedException } from '@app/http-edge';

const DAY_OR_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
export const MAX_USAGE_DAYS = 366;
const DEFAULT_USAGE_DAYS = 30;
const DAY_MS = 86_400_000;

export class UsageQueryDto {
  @ApiPropertyOptional({
    example: '2026-12-01',
    description: 'First UTC day, inclusive (a date, or an instant whose UTC day counts). Default: 29 days before `to`.',
  })
  @IsOptional()
  @Matches(DAY_OR_INSTANT, { message: 'from must be an ISO-8601 date or instant' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-07', description: `Last UTC day, inclusive; at most ${MAX_USAGE_DAYS} days after \`from\`. Default: today.` })
  @IsOptional()
  @Matches(DAY_OR_INSTANT, { message: 'to must be an ISO-8601 date or instant' })
  to?: string;
}

export interface DayRange {
  from: string;
  to: string;
}

export const utcDay = (instant: Date): string => instant.toISOString().slice(0, 10);

/** Whole UTC days, validated as one rule: each a real date, from not after to, at most MAX_USAGE_DAYS of them. */
export function resolveDays(query: UsageQueryDto, now = new Date()): DayRange {
  const parse = (value: string, field: string): Date => {
    const parsed = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(parsed.getTime()) || (value.length === 10 && utcDay(parsed) !== value)) {
      throw new ValidationFailedException([{ field, message: `${field} is not a real date` }]);
    }
    return parsed;
  };
  const to = query.to ? parse(query.to, 'to') : now;
  const from = query.from ? parse(query.from, 'from') : new Date(to.getTime() - (DEFAULT_USAGE_DAYS - 1) * DAY_MS);
  const range = { from: utcDay(from), to: utcDay(to) };
  if (range.from > range.to) throw new ValidationFailedException([{ field: 'from', message: 'from must not be after to' }]);
  const days = (Date.parse(range.to) - Date.parse(range.from)) / DAY_MS + 1;
  if (days > MAX_USAGE_DAYS) throw new ValidationFailedException([{ field: 'from', message: `at most ${MAX_USAGE_DAYS} days at once` }]);
  return range;
}

export class UsageRequestsView {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Requests by route class, e.g. {"orders.read": 12, "payments.write": 3}',
  })
  byRouteClass: Record<string, number>;

  @ApiProperty({ type: 'integer' }) total: number;
}

export class UsageDayView {
  @ApiProperty({ format: 'date', example: '2026-12-07' }) day: string;
  @ApiProperty({ type: UsageRequestsView }) requests: UsageRequestsView;
  @ApiProperty({ type: 'integer' }) ordersWritten: number;
  @ApiProperty({ type: 'integer' }) paymentsWritten: number;
  @ApiProperty({ type: 'integer' }) refundsWritten: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Rows stored in the tenant tables, as last measured that day (null: not measured)' })
  rows: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: "Bytes of the tenant's rows (pg_column_size), as last measured that day" })
  bytes: number | null;
}

export class UsageListView {
  @ApiProperty({ type: [UsageDayView], description: 'One entry per UTC day of the range, oldest first' }) data: UsageDayView[];
}
