import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Connection } from '@app/persistence';

export interface WindowIncrement {
  tenantId: string;
  windowStart: Date;
  requests: number;
}

export interface WindowCount {
  tenantId: string;
  windowStart: Date;
  requestCount: number;
}

@Injectable()
export class RateLimitRepository {
  constructor(@InjectDataSource(Connection.Control) private readonly dataSource: DataSource) {}

  async add(increments: WindowIncrement[]): Promise<WindowCount[]> {
    if (increments.length === 0) return [];
    return this.dataSource.query(
      `INSERT INTO rate_limit_windows AS w (tenant_id, window_start, request_count)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int[])
       ON CONFLICT (tenant_id, window_start) DO UPDATE SET request_count = w.request_count + EXCLUDED.request_count
       RETURNING tenant_id AS "tenantId", window_start AS "windowStart", request_count AS "requestCount"`,
      [increments.map((i) => i.tenantId), increments.map((i) => i.windowStart.toISOString()), increments.map((i) => i.requests)],
    );
  }

  async deleteOlderThan(cutoff: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM rate_limit_windows WHERE window_start < $1`, [cutoff.toISOString()]);
  }
}
