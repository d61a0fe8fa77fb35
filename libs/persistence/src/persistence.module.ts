import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppRoleEndpoints, DATABASE_ENDPOINTS, hasOwner, Environment } from '@app/config';
import { Connection, ConnectionName, dataSourceOptions } from './connections';
import { TenantDatabase } from './tenant-database';

export interface PersistenceOptions {
  environment: Environment;
  endpoints: AppRoleEndpoints;
  connections: ConnectionName[];
  applicationName: string;
}

const OWNER_QUERY_TIMEOUT_MS = 30 * 60_000;

function queryTimeoutFor(name: ConnectionName, environment: Environment): number {
  if (name === Connection.Owner) return OWNER_QUERY_TIMEOUT_MS;
  const statementTimeout = name === Connection.Analytics ? environment.ANALYTICS_STATEMENT_TIMEOUT_MS : environment.DB_STATEMENT_TIMEOUT_MS;
  return statementTimeout + 1000;
}

function ownerOnly(endpoints: AppRoleEndpoints) {
  if (!hasOwner(endpoints)) throw new Error('this process was given the app roles only: it cannot open the owner or analytics pool');
  return endpoints;
}

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    const { environment, endpoints } = options;
    const settingsFor = (name: ConnectionName) => {
      switch (name) {
        case Connection.Tenant:
          return { url: endpoints.tenant, poolSize: environment.DB_POOL_SIZE };
        case Connection.Control:
          return { url: endpoints.control, poolSize: Math.max(2, Math.ceil(environment.DB_POOL_SIZE / 4)) };
        case Connection.Owner:
          return { url: ownerOnly(endpoints).owner, poolSize: 2 };
        case Connection.Analytics:
          return { url: ownerOnly(endpoints).analytics, poolSize: environment.ANALYTICS_DB_POOL_SIZE };
      }
    };
    const imports = options.connections.map((name) =>
      TypeOrmModule.forRoot({
        name,
        ...dataSourceOptions({
          ...settingsFor(name),
          connectTimeoutMs: environment.DB_CONNECT_TIMEOUT_MS,
          queryTimeoutMs: queryTimeoutFor(name, environment),
          applicationName: `${options.applicationName}:${name}`,
        }),
        autoLoadEntities: true,
        // Boot must not wait for a database that is down: readiness reports it instead.
        retryAttempts: 0,
        manualInitialization: false,
      }),
    );
    const providers: Provider[] = options.connections.includes(Connection.Tenant) ? [TenantDatabase] : [];
    return {
      module: PersistenceModule,
      imports,
      providers: [...providers, { provide: DATABASE_ENDPOINTS, useValue: endpoints }],
      exports: [...providers, DATABASE_ENDPOINTS],
    };
  }
}
