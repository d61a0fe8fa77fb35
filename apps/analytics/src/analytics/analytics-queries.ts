/** Pure functions, so the service, the bench and the EXPLAIN script run the same statements (docs/analytics-rollup.md). */

export const MAX_TOP_TENANTS = 100;
export const MAX_DAYS = 366;

export interface SqlQuery {
  text: string;
  values: unknown[];
}

export interface TimeWindow {
  from: Date;
  to: Date;
}

export interface WindowSplit {
  from: string;
  to: string;
  wholeFrom: string;
  firstDay: string;
  wholeTo: string;
  endDay: string;
}

const DAY_MS = 86_400_000;

export function splitWindow({ from, to }: TimeWindow): WindowSplit {
  let wholeFrom = Math.ceil(from.getTime() / DAY_MS) * DAY_MS;
  let wholeTo = Math.floor(to.getTime() / DAY_MS) * DAY_MS;
  if (wholeFrom >= wholeTo) {
    wholeFrom = to.getTime();
    wholeTo = to.getTime();
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    wholeFrom: new Date(wholeFrom).toISOString(),
    firstDay: utcDay(new Date(wholeFrom)),
    wholeTo: new Date(wholeTo).toISOString(),
    endDay: utcDay(new Date(wholeTo)),
  };
}

export function lastDays(days: number, now: Date): string[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, index) => utcDay(new Date(today - (days - 1 - index) * DAY_MS)));
}

export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

interface Dimension {
  fromRollup: string[];
  fromOrders: string[];
  joinsCountry: boolean;
  select: string;
  groupBy: string;
  orderBy: string;
}

const BY_COUNTRY: Dimension = {
  fromRollup: ['c.code', 'c.name', 'c.region'],
  fromOrders: ['c.code', 'c.name', 'c.region'],
  joinsCountry: true,
  select: 'rtrim(x.code) AS "countryCode", x.name AS "countryName", x.region',
  groupBy: 'x.code, x.name, x.region',
  orderBy: '"revenueCents" DESC, x.code',
};

const BY_TENANT: Dimension = {
  fromRollup: [],
  fromOrders: [],
  joinsCountry: false,
  select: 'x.tenant_id AS "tenantId"',
  groupBy: 'x.tenant_id',
  orderBy: '"revenueCents" DESC, x.tenant_id',
};

const BY_DAY: Dimension = {
  fromRollup: ['s.day'],
  fromOrders: [`(o.created_at AT TIME ZONE 'UTC')::date AS day`],
  joinsCountry: false,
  select: 'x.day::text AS day',
  groupBy: 'x.day',
  orderBy: 'x.day',
};

const TOTALS = 'sum(x.orders)::bigint AS orders, sum(x.revenue_cents)::bigint AS "revenueCents"';

/** tenant_id first in every leg: on Citus that is what lets the UNION ALL go down to the shards. */
function columns(alias: 's' | 'o', dimension: string[], orders: string, revenue: string): string {
  const named = (expression: string, name: string) => (expression === `${alias}.${name}` ? expression : `${expression} AS ${name}`);
  return [`${alias}.tenant_id`, ...dimension, named(orders, 'orders'), named(revenue, 'revenue_cents')].join(', ');
}

function source(dimension: Dimension, table: 'daily_order_stats s' | 'orders o'): string {
  const alias = table.endsWith(' s') ? 's' : 'o';
  return dimension.joinsCountry ? `${table} JOIN country c ON c.code = ${alias}.country_code` : table;
}

/** By country, summed per tenant and country before the join: one join per sum, not per day. */
function rollupLeg(dimension: Dimension, firstDay: string, endDay: string): string {
  const days = (alias: string) => `${alias}.day >= ${firstDay}::date AND ${alias}.day < ${endDay}::date`;
  if (!dimension.joinsCountry) {
    return `SELECT ${columns('s', dimension.fromRollup, 's.orders', 's.revenue_cents')}
          FROM daily_order_stats s
         WHERE ${days('s')}`;
  }
  return `SELECT s.tenant_id, ${dimension.fromRollup.join(', ')}, s.orders, s.revenue_cents
          FROM (SELECT d.tenant_id, d.country_code, sum(d.orders)::bigint AS orders, sum(d.revenue_cents)::bigint AS revenue_cents
                  FROM daily_order_stats d
                 WHERE ${days('d')}
                 GROUP BY d.tenant_id, d.country_code) s
          JOIN country c ON c.code = s.country_code`;
}

function tailLeg(dimension: Dimension, watermark: string, wholeFrom: string, wholeTo: string): string {
  const correction = `((o.status <> 'cancelled')::int - (o.created_at < ${watermark}::timestamptz)::int)`;
  return `SELECT ${columns('o', dimension.fromOrders, `${correction}::bigint`, `${correction} * o.total_cents`)}
          FROM ${source(dimension, 'orders o')}
         WHERE o.updated_at >= ${watermark}::timestamptz
           AND o.created_at >= ${wholeFrom}::timestamptz AND o.created_at < ${wholeTo}::timestamptz`;
}

function edgesLeg(dimension: Dimension, from: string, wholeFrom: string, wholeTo: string, to: string): string {
  return `SELECT ${columns('o', dimension.fromOrders, '1::bigint', 'o.total_cents')}
          FROM ${source(dimension, 'orders o')}
         WHERE o.status <> 'cancelled'
           AND ((o.created_at >= ${from}::timestamptz AND o.created_at < ${wholeFrom}::timestamptz)
             OR (o.created_at >= ${wholeTo}::timestamptz AND o.created_at < ${to}::timestamptz))`;
}

function rawLeg(dimension: Dimension, from: string, to: string): string {
  return `SELECT ${columns('o', dimension.fromOrders, '1::bigint', 'o.total_cents')}
          FROM ${source(dimension, 'orders o')}
         WHERE o.status <> 'cancelled' AND o.created_at >= ${from}::timestamptz AND o.created_at < ${to}::timestamptz`;
}

function outer(dimension: Dimension, legs: string[], limit?: string): string {
  return `SELECT ${dimension.select}, ${TOTALS}
  FROM (
        ${legs.join('\n        UNION ALL\n        ')}
       ) x
 GROUP BY ${dimension.groupBy}
HAVING sum(x.orders) > 0
 ORDER BY ${dimension.orderBy}${limit ? `\n LIMIT ${limit}` : ''}`;
}

function windowedRollupQuery(dimension: Dimension, window: TimeWindow, watermark: string, limit?: number): SqlQuery {
  const split = splitWindow(window);
  // $1 from, $2 to, $3 wholeFrom, $4 wholeTo, $5 firstDay, $6 endDay, $7 watermark[, $8 limit]
  const values: unknown[] = [split.from, split.to, split.wholeFrom, split.wholeTo, split.firstDay, split.endDay, watermark];
  if (limit !== undefined) values.push(limit);
  const text = outer(
    dimension,
    [rollupLeg(dimension, '$5', '$6'), tailLeg(dimension, '$7', '$3', '$4'), edgesLeg(dimension, '$1', '$3', '$4', '$2')],
    limit === undefined ? undefined : '$8',
  );
  return { text, values };
}

function windowedRawQuery(dimension: Dimension, window: TimeWindow, limit?: number): SqlQuery {
  const values: unknown[] = [window.from.toISOString(), window.to.toISOString()];
  if (limit !== undefined) values.push(limit);
  return { text: outer(dimension, [rawLeg(dimension, '$1', '$2')], limit === undefined ? undefined : '$3'), values };
}

function daysWindow(days: string[]): { firstDay: string; endDay: string; wholeFrom: string; wholeTo: string } {
  const first = new Date(`${days[0]}T00:00:00.000Z`);
  const end = new Date(new Date(`${days[days.length - 1]}T00:00:00.000Z`).getTime() + DAY_MS);
  return { firstDay: utcDay(first), endDay: utcDay(end), wholeFrom: first.toISOString(), wholeTo: end.toISOString() };
}

export const analyticsQueries = {
  revenueByCountry: {
    rollup: (window: TimeWindow, watermark: string): SqlQuery => windowedRollupQuery(BY_COUNTRY, window, watermark),
    raw: (window: TimeWindow): SqlQuery => windowedRawQuery(BY_COUNTRY, window),
  },
  topTenants: {
    rollup: (window: TimeWindow, limit: number, watermark: string): SqlQuery => windowedRollupQuery(BY_TENANT, window, watermark, limit),
    raw: (window: TimeWindow, limit: number): SqlQuery => windowedRawQuery(BY_TENANT, window, limit),
  },
  daily: {
    rollup: (days: string[], watermark: string): SqlQuery => {
      const range = daysWindow(days);
      // $1 firstDay, $2 endDay, $3 wholeFrom, $4 wholeTo, $5 watermark
      return {
        text: outer(BY_DAY, [rollupLeg(BY_DAY, '$1', '$2'), tailLeg(BY_DAY, '$5', '$3', '$4')]),
        values: [range.firstDay, range.endDay, range.wholeFrom, range.wholeTo, watermark],
      };
    },
    raw: (days: string[]): SqlQuery => {
      const range = daysWindow(days);
      return { text: outer(BY_DAY, [rawLeg(BY_DAY, '$1', '$2')]), values: [range.wholeFrom, range.wholeTo] };
    },
  },
};
