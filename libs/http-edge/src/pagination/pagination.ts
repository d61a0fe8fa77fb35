import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ValidationFailedException } from '../errors/exceptions';
import { QueryInt } from '../validation/query-int';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's nextCursor" })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

// Exactly what a cursor's instant is made of (to_char with microseconds, UTC) and a date that
// exists: anything looser ('March 7', '2026-02-30', year 0) would reach PostgreSQL as a cast error.
const CURSOR_INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d{6}Z$/;
export function isCursorInstant(value: string): boolean {
  const match = CURSOR_INSTANT.exec(value);
  if (!match || match[1] < '0001') return false;
  const parsed = new Date(`${match[1]}Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(match[1]);
}

export function encodeCursor(kind: string, position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify({ k: kind, ...position })).toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(
  kind: string,
  cursor: string,
  isPosition: (value: Record<string, unknown>) => value is T,
): T {
  let decoded: unknown;
  try {
    decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    decoded = undefined;
  }
  if (typeof decoded !== 'object' || decoded === null || (decoded as { k?: unknown }).k !== kind) {
    throw new ValidationFailedException([{ field: 'cursor', message: 'cursor is not valid' }]);
  }
  const { k: _kind, ...position } = decoded as Record<string, unknown>;
  if (!isPosition(position)) {
    throw new ValidationFailedException([{ field: 'cursor', message: 'cursor is not valid' }]);
  }
  return position;
}

export function toPage<Row, Item>(rows: Row[], limit: number, map: (row: Row) => Item, cursorOf: (row: Row) => string): Page<Item> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: pageRows.map(map),
    nextCursor: hasMore ? cursorOf(pageRows[pageRows.length - 1]) : null,
  };
}
