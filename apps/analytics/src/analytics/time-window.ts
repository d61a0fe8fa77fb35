import { ValidationFailedException } from '@app/http-edge';
import type { TimeWindow } from './analytics-queries';
import { DEFAULT_WINDOW_DAYS } from './analytics.dto';

const DAY_MS = 86_400_000;
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

export function resolveWindow(query: { from?: string; to?: string }, now: Date): TimeWindow {
  const to = query.to === undefined ? now : instant(query.to, 'to');
  const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS) : instant(query.from, 'from');
  if (from.getTime() >= to.getTime()) {
    throw new ValidationFailedException([
      { field: 'from', message: query.to === undefined ? 'from must be before to, which defaults to now' : 'from must be before to' },
    ]);
  }
  return { from, to };
}

function instant(value: string, field: 'from' | 'to'): Date {
  const parsed = new Date(value);
  if (!(parsed.getTime() >= EARLIEST && parsed.getTime() <= LATEST)) {
    throw new ValidationFailedException([{ field, message: `${field} must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z` }]);
  }
  return parsed;
}
