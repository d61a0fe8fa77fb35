import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { Environment } from '@app/config';
import { Connection, inTransaction } from '@app/persistence';
import { analyticsQueries, SqlQuery, TimeWindow } from './analytics-queries';

export interface CountryRevenueRecord {
  countryCode: string;
  countryName: string;
  region: string;
  orders: number;
  revenueCents: number;
}

export interface TenantRevenueRecord {
  tenantId: string;
  orders: number;
  revenueCents: number;
}

export interface DailyRevenueRecord {
  day: string;
  orders: number;
  revenueCents: number;
}

export type AnalyticsSource = 'rollup' | 'raw';

export interface AnalyticsAnswer<Row> {
  rows: Row[];
  source: AnalyticsSource;
}

export interface AnalyticsReadOptions {
  rawOnly?: boolean;
}

interface WatermarkRow {
  rolledUpTo: string;
  generation: number;
  settled: boolean;
}

/** A refresh landing during the query costs one more try; two in a row means refreshes are constant, so read the orders. */
const ROLLUP_ATTEMPTS = 2;

/** A year of rollup rows makes tens of thousands of (tenant, country) groups: at the default 4MB the hash aggregates spilled to disk. */
const WORK_MEM = '32MB';

@Injectable()
export class AnalyticsRepository {
  constructor(
    @InjectDataSource(Connection.Analytics) private readonly dataSource: DataSource,
    @Inject(Environment) private readonly environment: Environment,
  ) {}

  revenueByCountry(window: TimeWindow, options: AnalyticsReadOptions = {}): Promise<AnalyticsAnswer<CountryRevenueRecord>> {
    const queries = analyticsQueries.revenueByCountry;
    return this.answer((watermark) => queries.rollup(window, watermark), queries.raw(window), options);
  }

  topTenants(window: TimeWindow, limit: number, options: AnalyticsReadOptions = {}): Promise<AnalyticsAnswer<TenantRevenueRecord>> {
    const queries = analyticsQueries.topTenants;
    return this.answer((watermark) => queries.rollup(window, limit, watermark), queries.raw(window, limit), options);
  }

  daily(days: string[], options: AnalyticsReadOptions = {}): Promise<AnalyticsAnswer<DailyRevenueRecord>> {
    const queries = analyticsQueries.daily;
    return this.answer((watermark) => queries.rollup(days, watermark), queries.raw(days), options);
  }

  private async answer<Row>(rollup: (watermark: string) => SqlQuery, raw: SqlQuery, options: AnalyticsReadOptions): Promise<AnalyticsAnswer<Row>> {
    return this.readOnly(async (runner) => {
      if (!options.rawOnly) {
        for (let attempt = 0; attempt < ROLLUP_ATTEMPTS; attempt += 1) {
          const before = await watermark(runner);
          if (!before.settled) break;
          const rows = await run<Row>(runner, rollup(before.rolledUpTo));
          const after = await watermark(runner);
          if (after.generation === before.generation) return { rows, source: 'rollup' };
        }
      }
      return { rows: await run<Row>(runner, raw), source: 'raw' };
    });
  }

  private readOnly<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const timeoutMs = Math.trunc(this.environment.ANALYTICS_STATEMENT_TIMEOUT_MS);
    // One round trip; SET LOCAL ends with the transaction, so nothing leaks through PgBouncer.
    return inTransaction(this.dataSource, [`BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL work_mem = '${WORK_MEM}'`], work);
  }
}

async function watermark(runner: QueryRunner): Promise<WatermarkRow> {
  const rows = (await runner.query(`SELECT rolled_up_to::text AS "rolledUpTo", generation, settled FROM daily_order_stats_watermark`)) as WatermarkRow[];
  return rows[0];
}

async function run<Row>(runner: QueryRunner, query: SqlQuery): Promise<Row[]> {
  return (await runner.query(query.text, query.values)) as Row[];
}
