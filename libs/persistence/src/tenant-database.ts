import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { assertCanonicalTenantId, requireTenant, TenantContext } from '@app/tenancy';
import { Connection } from './connections';
import { Counter } from 'prom-client';
import { isShardReplaced, isTenantContextMissing, TenantContextNotReachedError } from './database-errors';
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

export const undelegatedTenantCalls = new Counter({
  name: 'tenant_call_undelegated_total',
  help: 'Tenant function calls that Citus did not hand to the tenant worker with its tenant, run again in a tenant transaction',
});

@Injectable()
export class TenantDatabase {
  constructor(@InjectDataSource(Connection.Tenant) private readonly dataSource: DataSource) {}

  /** One delegated round trip; docs/guide.md ("When Citus does not delegate") says why each fallback exists. */
  async call<Row>(sql: string, parameters: unknown[]): Promise<Row[]> {
    const { tenantId } = requireTenant();
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const run = async () => (await pool.query<Row & QueryResultRow>(sql, [tenantId, ...parameters])).rows;
    try {
      return await run();
    } catch (error) {
      if (isShardReplaced(error)) {
        try {
          return await run();
        } catch (again) {
          if (!isTenantContextMissing(again)) throw again;
        }
      } else if (!isTenantContextMissing(error)) {
        throw error;
      }
    }
    return this.callUndelegated<Row>(sql, [tenantId, ...parameters]);
  }

  /** Inside a transaction Citus does not delegate, and its SET LOCAL carries the tenant to every worker the body reaches. */
  private async callUndelegated<Row>(sql: string, parameters: unknown[]): Promise<Row[]> {
    undelegatedTenantCalls.inc();
    try {
      return await this.transaction((tx) => tx.query<Row>(sql, parameters));
    } catch (error) {
      throw isTenantContextMissing(error) ? new TenantContextNotReachedError(error) : error;
    }
  }

  async transaction<T>(work: (tx: TenantTransaction) => Promise<T>, options: TenantTransactionOptions = {}): Promise<T> {
    const context = requireTenant();
    return inTransaction(this.dataSource, openingStatements(context, options), (runner) => work(new TenantTransaction(runner, context.tenantId)));
  }
}
