import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '@app/persistence';
import { runWithTenant, TenantContext } from '@app/tenancy';
import { resolveDays, UsageDayView, UsageQueryDto, utcDay } from './usage.dto';
import { REQUESTS_PREFIX, STORAGE_COUNTERS, WRITTEN_COUNTERS } from './usage-counters';
import { UsageRepository } from './usage.repository';

const DAY_MS = 86_400_000;

/** A tenant's usage per UTC day, from the counters the API processes flushed; today's storage is measured when asked. */
@Injectable()
export class UsageService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly tenantDatabase: TenantDatabase,
  ) {}

  async daily(tenant: TenantContext, query: UsageQueryDto, now = new Date()): Promise<UsageDayView[]> {
    const range = resolveDays(query, now);
    const today = utcDay(now);
    if (range.from <= today && today <= range.to) {
      const storage = await runWithTenant(tenant, () => this.tenantDatabase.transaction((tx) => this.usage.measureStorage(tx), { readOnly: true }));
      await this.usage.setStorage(tenant.tenantId, today, storage.rows, storage.bytes);
    }
    const byDay = new Map<string, Map<string, number>>();
    for (const row of await this.usage.read(tenant.tenantId, range)) {
      const counters = byDay.get(row.day) ?? new Map<string, number>();
      counters.set(row.counter, row.value);
      byDay.set(row.day, counters);
    }
    const days: UsageDayView[] = [];
    for (let day = Date.parse(range.from); day <= Date.parse(range.to); day += DAY_MS) {
      const name = utcDay(new Date(day));
      const counters = byDay.get(name) ?? new Map<string, number>();
      const byRouteClass = Object.fromEntries(
        [...counters].filter(([counter]) => counter.startsWith(REQUESTS_PREFIX)).map(([counter, value]) => [counter.slice(REQUESTS_PREFIX.length), value]),
      );
      days.push({
        day: name,
        requests: { byRouteClass, total: Object.values(byRouteClass).reduce((sum, value) => sum + value, 0) },
        ordersWritten: counters.get(WRITTEN_COUNTERS.orders) ?? 0,
        paymentsWritten: counters.get(WRITTEN_COUNTERS.payments) ?? 0,
        refundsWritten: counters.get(WRITTEN_COUNTERS.refunds) ?? 0,
        rows: counters.get(STORAGE_COUNTERS.rows) ?? null,
        bytes: counters.get(STORAGE_COUNTERS.bytes) ?? null,
      });
    }
    return days;
  }
}
