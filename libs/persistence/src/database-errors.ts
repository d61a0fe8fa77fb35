import { QueryFailedError } from 'typeorm';
import { NO_TENANT_CONTEXT } from '@migrations/support/tenant-policy';

/** SQLSTATE codes meaning "the database cannot serve this now, try again": answered with 503. */
const UNAVAILABLE_SQLSTATES = new Set([
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '57014', // query_canceled: statement_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '25006', // read_only_sql_transaction: a standby or a database in read-only mode
]);

const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Citus (XX000) when a statement meets a shard that a split or a move has just replaced. */
const SHARD_ENTRY_GONE = /could not find valid entry for shard/i;

/** Messages of pg, PgBouncer and Citus that carry no SQLSTATE (or a generic one) but mean the same. */
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /connection (?:to the remote node|to server).*failed/i,
  /could not establish any connections/i,
  /server closed the connection unexpectedly/i,
  /not queryable/i,
  /no more connections allowed/i,
  /query_wait_timeout|server_login_retry|pgbouncer cannot connect to server/i,
  /database .* is not currently accepting connections/i,
  // A backend whose postmaster was killed ends its statement with this (XX000) before it exits.
  /postmaster was shut down/i,
  /Query read timeout/i,
  SHARD_ENTRY_GONE,
];

export function databaseCode(error: unknown): string | undefined {
  const driverError: unknown = error instanceof QueryFailedError ? error.driverError : error;
  return typeof driverError === 'object' && driverError !== null && 'code' in driverError && typeof driverError.code === 'string'
    ? driverError.code
    : undefined;
}

/** A server error (pg's DatabaseError has a severity) leaves its connection in a known state; socket errors and client timeouts do not. */
export function isServerError(error: unknown): boolean {
  const driverError: unknown = error instanceof QueryFailedError ? error.driverError : error;
  return typeof (driverError as { severity?: unknown } | null)?.severity === 'string';
}

export function isDatabaseUnavailable(error: unknown): boolean {
  // Duck-typed rather than `instanceof Error`: socket errors are created by Node's own realm,
  // which is not the realm of the application code under a test runner's sandbox.
  if (typeof error !== 'object' || error === null) return false;
  const code = databaseCode(error);
  if (code && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NODE_CODES.has(code))) {
    return true;
  }
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}

/** Citus replaced the shard under the statement (a split or a move): asked again, the coordinator routes by the new placement. */
export function isShardReplaced(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && databaseCode(error) === 'XX000' && SHARD_ENTRY_GONE.test(message);
}

/**
 * Row-level security found no app.tenant_id on a worker (migration FailWithoutTenantContext): the call was not delegated
 * (the worker's metadata not synced) or was forwarded mid-move, so the function's set_config stayed on the coordinator.
 */
export function isTenantContextMissing(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && databaseCode(error) === '22P02' && message.includes(`"${NO_TENANT_CONTEXT}"`);
}

/** A tenant call whose tenant never reached the workers, even through the transaction's SET LOCAL: the cluster is mid-change, answered 503. */
export class TenantContextNotReachedError extends Error {
  readonly code = '57P03';

  constructor(cause: unknown) {
    super('the tenant context did not reach the worker', { cause });
  }
}
