import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Connection } from '@app/persistence';
import { AuthModule } from '../auth/auth.module';
import { CatalogModule } from '../catalog/catalog.module';
import { AdminAuditRepository, AuditInterceptor } from './admin-audit';
import { ApiKeyEntity } from './api-key.entity';
import { ClusterRepository } from './cluster.repository';
import { AuditController } from './audit.controller';
import { ClusterController } from './cluster.controller';
import { ClusterService } from './cluster.service';
import { OpsPageController } from './ops-page.controller';
import { SchemaCheckController } from './schema-check.controller';
import { TenantDataRepository } from './tenant-data.repository';
import { TenantExportRepository } from './tenant-export.repository';
import { TenantExportService } from './tenant-export.service';
import { TenantEntity } from './tenant.entity';
import { TenantImportService } from './tenant-import.service';
import { TenantsAdminController } from './tenants-admin.controller';
import { TenantsAdminService } from './tenants-admin.service';
import { TenantsRepository } from './tenants.repository';

@Module({
  imports: [AuthModule, CatalogModule, TypeOrmModule.forFeature([TenantEntity, ApiKeyEntity], Connection.Control)],
  controllers: [TenantsAdminController, ClusterController, AuditController, SchemaCheckController, OpsPageController],
  providers: [
    TenantsAdminService,
    TenantExportService,
    TenantImportService,
    ClusterService,
    AdminAuditRepository,
    TenantsRepository,
    ClusterRepository,
    TenantExportRepository,
    TenantDataRepository,
    AuditInterceptor,
  ],
  exports: [TenantsAdminService, TenantsRepository],
})
export class AdminModule {}
