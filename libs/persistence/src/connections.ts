import { types } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { migrations } from '@migrations';

export const Connection = {
  Tenant: 'tenant',
  Control: 'control',
  Owner: 'owner',
  Analytics: 'analytics',
} as const;
export type ConnectionName = (typeof Connection)[keyof typeof Connection];

export const MIGRATIONS_TABLE = 'schema_migrations';

/** Ids and cents stay far below 2^53 by the schema's constraints; set with the first pool, not on import. */
export function readBigintsAsNumbers(): void {
  types.setTypeParser(types.builtins.INT8, (value) => Number.parseInt(value, 10));
}

export interface PoolSettings {
  url: string;
  poolSize: number;
  connectTimeoutMs: number;
  /** Just above the server's statement_timeout: a statement queued in PgBouncer for a coordinator that is gone fails instead of hanging. */
  queryTimeoutMs: number;
  applicationName: string;
}

/** Only application_name as a startup parameter: PgBouncer refuses unknown ones, so settings live on the roles (migration CreateRoles) or in SET LOCAL. */
export function dataSourceOptions(settings: PoolSettings): DataSourceOptions {
  readBigintsAsNumbers();
  return {
    type: 'postgres',
    url: settings.url,
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
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
