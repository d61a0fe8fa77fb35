import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { assertCanonicalTenantId, requireTenant, TenantContext } from '@app/tenancy';
import { Connection } from './connections';
import { isShardMovedMidCall } from './database-errors';
import { inTransaction } from './transaction';

export interface TenantTransactionOptions {
  isolation?: 'read committed' | 'repeatable read';
  readOnly?: boolean;
}

export class TenantTransaction {
  constructor(
    private readonly runner: QueryRunner,
    readonly tenantId: string,
  ) {}

  async query<Row>(sql: string, parameters: unknown[]): Promise<Row[]> {
    // Structured results: TypeORM otherwise returns [rows, count] for UPDATE and DELETE.
    const result = await this.runner.query(sql, parameters, true);
    return result.records as Row[];
  }
}

/** The SET LOCAL travels alone: Citus forwards the whole string that carried it (docs/guide.md). SET takes no bind parameters, hence the UUID check. */
export function openingStatements(context: TenantContext, options: TenantTransactionOptions = {}): [string, string] {
  const tenantId = assertCanonicalTenantId(context.tenantId);
  const timeoutMs = Math.trunc(context.statementTimeoutMs);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError('statementTimeoutMs must be a positive number');
  }
  const mode = [`ISOLATION LEVEL ${(options.isolation ?? 'read committed').toUpperCase()}`];
  if (options.readOnly) mode.push('READ ONLY');
  return [`BEGIN ${mode.join(' ')}; SELECT set_config('statement_timeout', '${timeoutMs}', true)`, `SET LOCAL app.tenant_id = '${tenantId}'`];
}

@Injectable()
export class TenantDatabase {
  constructor(@InjectDataSource(Connection.Tenant) private readonly dataSource: DataSource) {}

  async call<Row>(sql: string, parameters: unknown[]): Promise<Row[]> {
    const { tenantId } = requireTenant();
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const run = () => pool.query<Row & QueryResultRow>(sql, [tenantId, ...parameters]);
    try {
      return (await run()).rows;
    } catch (error) {
      if (!isShardMovedMidCall(error)) throw error;
      return (await run()).rows;
    }
  }

  async transaction<T>(work: (tx: TenantTransaction) => Promise<T>, options: TenantTransactionOptions = {}): Promise<T> {
    const context = requireTenant();
    return inTransaction(this.dataSource, openingStatements(context, options), (runner) => work(new TenantTransaction(runner, context.tenantId)));
  }
}
