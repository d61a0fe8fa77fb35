import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { assertCanonicalTenantId, requireTenant, TenantContext } from '@app/tenancy';
import { Connection } from './connections';
import { isServerError } from './database-errors';

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
    const opening = openingStatements(context, options);
    const runner = this.dataSource.createQueryRunner();
    let releaseError: unknown;
    try {
      await runner.connect();
      await runner.query(opening);
      const result = await work(new TenantTransaction(runner, context.tenantId));
      await runner.query('COMMIT');
      return result;
    } catch (error) {
      // A server-side error (it has a SQLSTATE) leaves a healthy connection to roll back. A
      // client-side one (socket closed, query timeout) leaves one in an unknown state: it is
      // destroyed, not rolled back, which the server does by itself when the session ends.
      releaseError = isServerError(error) ? await rollbackQuietly(runner) : error;
      throw error;
    } finally {
      await releaseRunner(runner, releaseError);
    }
  }
}

/** Rolls back; returns the rollback's own error (a dead connection) so it is not pooled again. */
async function rollbackQuietly(runner: QueryRunner): Promise<unknown> {
  if (runner.isReleased) return undefined;
  try {
    await runner.query('ROLLBACK');
    return undefined;
  } catch (rollbackError) {
    return rollbackError ?? new Error('rollback failed');
  }
}

async function releaseRunner(runner: QueryRunner, error: unknown): Promise<void> {
  if (runner.isReleased) return;
  if (error) {
    // Hands the error to the pg pool, which then destroys the client instead of reusing it.
    await (runner as QueryRunner & { releasePostgresConnection(error: unknown): Promise<void> }).releasePostgresConnection(error);
    return;
  }
  await runner.release();
}
