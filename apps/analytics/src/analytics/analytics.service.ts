import { Injectable } from '@nestjs/common';
import { AnalyticsAnswer, AnalyticsRepository, CountryRevenueRecord, DailyRevenueRecord, TenantRevenueRecord } from './analytics.repository';
import { lastDays } from './analytics-queries';
import { analyticsAnswersTotal } from '../metrics';
import { DailyQueryDto, TimeWindowQueryDto, TopTenantsQueryDto } from './analytics.dto';
import { resolveWindow } from './time-window';

/** Cross-tenant answers; revenue counts the orders that are not cancelled, by their creation time. */
@Injectable()
export class AnalyticsService {
  constructor(private readonly analytics: AnalyticsRepository) {}

  async revenueByCountry(query: TimeWindowQueryDto): Promise<CountryRevenueRecord[]> {
    const window = resolveWindow(query, new Date());
    return counted('revenue-by-country', await this.analytics.revenueByCountry(window));
  }

  async topTenants(query: TopTenantsQueryDto): Promise<TenantRevenueRecord[]> {
    const window = resolveWindow(query, new Date());
    return counted('top-tenants', await this.analytics.topTenants(window, query.limit));
  }

  async daily(query: DailyQueryDto): Promise<DailyRevenueRecord[]> {
    const days = lastDays(query.days, new Date());
    const byDay = new Map(counted('daily', await this.analytics.daily(days)).map((row) => [row.day, row]));
    return days.map((day) => byDay.get(day) ?? { day, orders: 0, revenueCents: 0 });
  }
}

function counted<Row>(route: string, answer: AnalyticsAnswer<Row>): Row[] {
  analyticsAnswersTotal.inc({ route, source: answer.source });
  return answer.rows;
}
