import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { assertCanonicalTenantId, requireTenant, TenantContext } from '@app/tenancy';
import { Connection } from './connections';
import { isTenantContextMissing } from './database-errors';
import { inTransaction } from './transaction';

export interface TenantTransactionOptions {
  /** A consistent snapshot across several statements (exports). */
  isolation?: 'read committed' | 'repeatable read';
  readOnly?: boolean;
}

/**
 * A transaction bound to one tenant. Repositories pass `tenantId` as an explicit predicate in
 * every statement (that is what routes it to one shard); row-level security checks the same
 * tenant through `app.tenant_id` (that is the backstop).
 */
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

/**
 * The opening of every tenant transaction, in two round trips: the SET LOCAL of the tenant
 * travels alone because Citus forwards it as the whole string that carried it (docs/guide.md,
 * "The tenant statement"). SET takes no bind parameters: the id is inlined after a UUID check.
 */
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

  /**
   * One statement of the current tenant outside any transaction, in one round trip: a call of a
   * delegated tenant function (migration CreateTenantFunctions), which sets the tenant for its
   * own statement and runs on the tenant's worker. The tenant id is always $1. Without a tenant
   * context it throws before a connection is taken.
   */
  async call<Row>(sql: string, parameters: unknown[]): Promise<Row[]> {
    const { tenantId } = requireTenant();
    // The pg pool under TypeORM: one round trip, without a query runner around it.
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const run = () => pool.query<Row & QueryResultRow>(sql, [tenantId, ...parameters]);
    try {
      return (await run()).rows;
    } catch (error) {
      // Handed to a worker just as the tenant's shard moved off it: the worker forwarded the
      // statement without the tenant, which failed it whole. Asked again, the coordinator hands
      // it to the new worker.
      if (!isTenantContextMissing(error)) throw error;
      return (await run()).rows;
    }
  }

  /**
   * Runs `work` in a transaction of the current tenant. Without a tenant context it throws
   * before a connection is even taken from the pool.
   */
  async transaction<T>(work: (tx: TenantTransaction) => Promise<T>, options: TenantTransactionOptions = {}): Promise<T> {
    const context = requireTenant();
    return inTransaction(this.dataSource, openingStatements(context, options), (runner) => work(new TenantTransaction(runner, context.tenantId)));
  }
}
