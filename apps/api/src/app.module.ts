import { DynamicModule, Module } from '@nestjs/common';
import { AppRoleEndpoints, ConfigModule, Environment } from '@app/config';
import { HealthModule, MetricsModule } from '@app/http-edge';
import { Connection, PersistenceModule } from '@app/persistence';
import { TenantApiModule } from './orders/orders.module';
import { RefundsModule } from './refunds/refunds.module';

export interface ApiModuleOptions {
  environment: Environment;
  endpoints: AppRoleEndpoints;
}

/** The tenant API: /v1, health and metrics, as the tenant and control roles only. */
@Module({})
export class AppModule {
  static register({ environment, endpoints }: ApiModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(environment),
        PersistenceModule.forRoot({ environment, endpoints, connections: [Connection.Tenant, Connection.Control], applicationName: 'api' }),
        HealthModule.forConnection(Connection.Control),
        MetricsModule,
        TenantApiModule,
        RefundsModule,
      ],
    };
  }
}
