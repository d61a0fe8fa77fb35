import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, MetricsModule } from '@app/http-edge';
import { ConfigModule, DatabaseEndpoints, Environment } from '@app/config';
import { Connection, PersistenceModule } from '@app/persistence';
import { AdminModule } from './admin/admin.module';
import { TenantApiModule } from './orders/orders.module';
import { RefundsModule } from './refunds/refunds.module';

export interface ApiModuleOptions {
  environment: Environment;
  endpoints: DatabaseEndpoints;
}

@Module({})
export class AppModule {
  static register({ environment, endpoints }: ApiModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(environment),
        PersistenceModule.forRoot({
          environment,
          endpoints,
          connections: [Connection.Tenant, Connection.Control, Connection.Owner],
          applicationName: 'api',
        }),
        HealthModule.forConnection(Connection.Control),
        MetricsModule,
        TenantApiModule,
        RefundsModule,
        AdminModule,
      ],
    };
  }
}
