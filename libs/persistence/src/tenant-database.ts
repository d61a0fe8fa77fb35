import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { assertCanonicalTenantId, requireTenant, TenantContext } from '@app/tenancy';
import { Connection } from './connections';
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
 * The opening of every tenant transaction, sent as one simple-protocol round trip. SET takes
 * no bind parameters, so the tenant id is inlined after a strict UUID check, and SET LOCAL
 * (unlike set_config) is what Citus forwards to the workers, with
 * citus.propagate_set_commands = 'local' on the role. Being LOCAL, nothing outlives the
 * transaction on a PgBouncer server connection.
 */
export function openingStatements(context: TenantContext, options: TenantTransactionOptions = {}): string {
  const tenantId = assertCanonicalTenantId(context.tenantId);
  const timeoutMs = Math.trunc(context.statementTimeoutMs);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError('statementTimeoutMs must be a positive number');
  }
  const mode = [`ISOLATION LEVEL ${(options.isolation ?? 'read committed').toUpperCase()}`];
  if (options.readOnly) mode.push('READ ONLY');
  return [`BEGIN ${mode.join(' ')}`, `SET LOCAL app.tenant_id = '${tenantId}'`, `SET LOCAL statement_timeout = ${timeoutMs}`].join('; ');
}

@Injectable()
export class TenantDatabase {
  constructor(@InjectDataSource(Connection.Tenant) private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in a transaction of the current tenant. Without a tenant context it throws
   * before a connection is even taken from the pool.
   */
  async transaction<T>(work: (tx: TenantTransaction) => Promise<T>, options: TenantTransactionOptions = {}): Promise<T> {
    const context = requireTenant();
    return inTransaction(this.dataSource, openingStatements(context, options), (runner) => work(new TenantTransaction(runner, context.tenantId)));
  }
}
