import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, DatabaseEndpoints, Environment } from '@app/config';
import { HealthModule, MetricsModule } from '@app/http-edge';
import { Connection, PersistenceModule } from '@app/persistence';
import { ArchiveModule } from './archive/archive.module';
import { AuditModule } from './audit/audit.module';
import { ClusterModule } from './cluster/cluster.module';
import { OpsPageModule } from './ops-page/ops-page.module';
import { SchemaCheckModule } from './schema-check/schema-check.module';
import { TenantsModule } from './tenants/tenants.module';
import { TenantUsageModule } from './usage/usage.module';

export interface ControlPlaneModuleOptions {
  environment: Environment;
  endpoints: DatabaseEndpoints;
}

/** The control plane: /admin and the ops page, the only service besides the migrations that holds the owner's URL. */
@Module({})
export class ControlPlaneModule {
  static register({ environment, endpoints }: ControlPlaneModuleOptions): DynamicModule {
    return {
      module: ControlPlaneModule,
      imports: [
        ConfigModule.forRoot(environment),
        PersistenceModule.forRoot({
          environment,
          endpoints,
          connections: [Connection.Tenant, Connection.Control, Connection.Owner],
          applicationName: 'control-plane',
        }),
        HealthModule.forConnection(Connection.Control),
        MetricsModule,
        AuditModule,
        // Before the tenants room: GET /admin/tenants/hot must be matched ahead of GET /admin/tenants/:id.
        ClusterModule,
        ArchiveModule,
        TenantsModule,
        TenantUsageModule,
        SchemaCheckModule,
        OpsPageModule,
      ],
    };
  }
}
