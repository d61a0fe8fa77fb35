import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, MetricsModule } from '@app/http-edge';
import { ConfigModule, DatabaseEndpoints, Environment } from '@app/config';
import { Connection, PersistenceModule } from '@app/persistence';
import { AnalyticsModule } from './analytics/analytics.module';
import { RollupModule } from './rollup/rollup.module';
import { RollupScheduler } from './rollup/rollup.scheduler';

export interface AnalyticsAppOptions {
  environment: Environment;
  endpoints: DatabaseEndpoints;
}

/** Its own process, read-only role and small pool: cross-tenant reads never take the tenant API's connections. */
@Module({})
export class AppModule {
  static register({ environment, endpoints }: AnalyticsAppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(environment),
        PersistenceModule.forRoot({
          environment,
          endpoints,
          connections: [Connection.Analytics, Connection.Owner],
          applicationName: 'analytics',
        }),
        HealthModule.forConnection(Connection.Analytics),
        MetricsModule,
        AnalyticsModule,
        RollupModule,
      ],
      providers: [RollupScheduler],
    };
  }
}
