import { types } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { migrations } from '@migrations';

/** Names of the TypeORM data sources, one per database role. */
export const Connection = {
  /** app_tenant: every /v1 statement, a tenant function call or a tenant transaction. */
  Tenant: 'tenant',
  /** app_control: tenants and api keys. */
  Control: 'control',
  /** Schema owner: migrations and Citus cluster operations, direct to the coordinator. */
  Owner: 'owner',
  /** app_analytics: cross-tenant reads, in the analytics process only. */
  Analytics: 'analytics',
} as const;
export type ConnectionName = (typeof Connection)[keyof typeof Connection];

export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * bigint columns (ids, cents) stay far below 2^53 by the constraints of the schema, so they are
 * returned as numbers rather than strings; count(*) is bigint too. Set when the first pool is
 * configured, not when this file is imported.
 */
function readBigintsAsNumbers(): void {
  types.setTypeParser(types.builtins.INT8, (value) => Number.parseInt(value, 10));
}

export interface PoolSettings {
  url: string;
  poolSize: number;
  connectTimeoutMs: number;
  /**
   * Client-side bound on any query, just above the server's statement_timeout: a statement waiting
   * in PgBouncer's queue for a coordinator that is gone fails instead of hanging the request.
   */
  queryTimeoutMs: number;
  applicationName: string;
}

/**
 * Options for one pool. Nothing is sent as a startup parameter except application_name:
 * PgBouncer refuses unknown ones, so per-role settings live on the roles (see the
 * CreateRoles migration) and per-transaction ones are set with SET LOCAL.
 */
export function dataSourceOptions(settings: PoolSettings): DataSourceOptions {
  readBigintsAsNumbers();
  return {
    type: 'postgres',
    url: settings.url,
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Extensions are the migrations' business; the app roles may not create them anyway.
    installExtensions: false,
    logging: false,
    applicationName: settings.applicationName,
    extra: {
      max: settings.poolSize,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      query_timeout: settings.queryTimeoutMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    },
  };
}
