import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Connection, TenantTransaction } from '@app/persistence';
import type { DayRange } from './usage.dto';
import { STORAGE_COUNTERS } from './usage-counters';

export interface UsageIncrement {
  tenantId: string;
  day: string;
  counter: string;
  value: number;
}

export interface StoredCounter {
  day: string;
  counter: string;
  value: number;
}

@Injectable()
export class UsageRepository {
  constructor(@InjectDataSource(Connection.Control) private readonly control: DataSource) {}

  /** One statement per flush, however many tenants and counters: the batch is the unit of work. */
  async add(increments: UsageIncrement[]): Promise<void> {
    if (increments.length === 0) return;
    await this.control.query(
      `INSERT INTO tenant_usage AS u (tenant_id, day, counter, value)
       SELECT * FROM unnest($1::uuid[], $2::date[], $3::text[], $4::bigint[])
       ON CONFLICT (tenant_id, day, counter) DO UPDATE SET value = u.value + EXCLUDED.value`,
      [increments.map((i) => i.tenantId), increments.map((i) => i.day), increments.map((i) => i.counter), increments.map((i) => i.value)],
    );
  }

  /** Storage is a measurement, not a count: the day's row keeps the latest. */
  async setStorage(tenantId: string, day: string, rows: number, bytes: number): Promise<void> {
    await this.control.query(
      `INSERT INTO tenant_usage AS u (tenant_id, day, counter, value) VALUES ($1, $2, $5, $3), ($1, $2, $6, $4)
       ON CONFLICT (tenant_id, day, counter) DO UPDATE SET value = EXCLUDED.value`,
      [tenantId, day, rows, bytes, STORAGE_COUNTERS.rows, STORAGE_COUNTERS.bytes],
    );
  }

  read(tenantId: string, range: DayRange): Promise<StoredCounter[]> {
    return this.control.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, counter, value::float8 AS value
         FROM tenant_usage WHERE tenant_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day, counter`,
      [tenantId, range.from, range.to],
    );
  }

  /** Every counter of the tenant, oldest day first: the tenant export carries them. */
  readAll(tenantId: string): Promise<StoredCounter[]> {
    return this.control.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, counter, value::float8 AS value FROM tenant_usage WHERE tenant_id = $1 ORDER BY day, counter`,
      [tenantId],
    );
  }

  /**
   * A restored tenant's counters, in the import's own transaction. A day and counter already stored wins: usage is kept after a
   * tenant is deleted, so restoring it must not count that usage twice.
   */
  async restoreWithin(run: (sql: string, parameters: unknown[]) => Promise<unknown>, tenantId: string, counters: StoredCounter[]): Promise<void> {
    if (counters.length === 0) return;
    await run(
      `INSERT INTO tenant_usage (tenant_id, day, counter, value)
       SELECT $1, * FROM unnest($2::date[], $3::text[], $4::bigint[]) ON CONFLICT (tenant_id, day, counter) DO NOTHING`,
      [tenantId, counters.map((c) => c.day), counters.map((c) => c.counter), counters.map((c) => c.value)],
    );
  }

  /** Every tenant table, one router statement on the tenant's shard group: row count and the bytes of its tuples. */
  async measureStorage(tx: TenantTransaction): Promise<{ rows: number; bytes: number }> {
    const [measured] = await tx.query<{ rows: number; bytes: number }>(
      `SELECT sum(n)::float8 AS rows, sum(b)::float8 AS bytes FROM (
         SELECT count(*) AS n, coalesce(sum(pg_column_size(o.*)), 0) AS b FROM orders o WHERE o.tenant_id = $1
         UNION ALL SELECT count(*), coalesce(sum(pg_column_size(i.*)), 0) FROM order_items i WHERE i.tenant_id = $1
         UNION ALL SELECT count(*), coalesce(sum(pg_column_size(p.*)), 0) FROM payments p WHERE p.tenant_id = $1
         UNION ALL SELECT count(*), coalesce(sum(pg_column_size(r.*)), 0) FROM refunds r WHERE r.tenant_id = $1
       ) AS per_table`,
      [tx.tenantId],
    );
    return measured;
  }
}
