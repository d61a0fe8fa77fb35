/** The analytics routes as the benches call them: through the repository from the rollup, from the orders alone, or over HTTP. */
import { lastDays } from '../../apps/analytics/src/analytics/analytics-queries';
import { AnalyticsReadOptions, AnalyticsRepository } from '../../apps/analytics/src/analytics/analytics.repository';

const DAY_MS = 86_400_000;

type Answer = { rows: unknown[]; source: string };

export interface Case {
  route: string;
  query: string;
  /** Both paths of one iteration read the window ending at the same `now`, as one request would. */
  read: (repository: AnalyticsRepository, options: AnalyticsReadOptions, now: Date) => Promise<Answer>;
}

const window = (days: number, now: Date) => ({ from: new Date(now.getTime() - days * DAY_MS), to: now });

export const ANALYTICS_CASES: Case[] = [
  { route: '/analytics/revenue-by-country', query: '', read: (r, o, now) => r.revenueByCountry(window(30, now), o) },
  { route: '/analytics/revenue-by-country', query: 'from=<365 days ago>', read: (r, o, now) => r.revenueByCountry(window(365, now), o) },
  { route: '/analytics/top-tenants', query: 'limit=10', read: (r, o, now) => r.topTenants(window(30, now), 10, o) },
  { route: '/analytics/top-tenants', query: 'limit=100&from=<365 days ago>', read: (r, o, now) => r.topTenants(window(365, now), 100, o) },
  { route: '/analytics/daily', query: 'days=30', read: (r, o, now) => r.daily(lastDays(30, now), o) },
  { route: '/analytics/daily', query: 'days=366', read: (r, o, now) => r.daily(lastDays(366, now), o) },
];

export function httpPath(item: Case): string {
  const query = item.query.replace('<365 days ago>', new Date(Date.now() - 365 * DAY_MS).toISOString());
  return `${item.route}${query ? `?${query}` : ''}`;
}
