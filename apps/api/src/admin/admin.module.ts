import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuthModule } from '../auth/auth.module';
import { CatalogModule } from '../catalog/catalog.module';
import { AdminAuditRepository, AuditInterceptor } from './admin-audit';
import { AuditController } from './audit.controller';
import { ClusterController } from './cluster.controller';
import { ClusterService } from './cluster.service';
import { OpsPageController } from './ops-page.controller';
import { SchemaCheckController } from './schema-check.controller';
import { TenantDataRepository } from './tenant-data.repository';
import { TenantExportService } from './tenant-export.service';
import { TenantImportService } from './tenant-import.service';
import { TenantsAdminController } from './tenants-admin.controller';
import { TenantsAdminService } from './tenants-admin.service';

/** The control plane under /admin, behind ADMIN_TOKEN. */
@Module({
  imports: [AuthModule, CatalogModule],
  controllers: [TenantsAdminController, ClusterController, AuditController, SchemaCheckController, OpsPageController],
  providers: [
    TenantsAdminService,
    TenantExportService,
    TenantImportService,
    ClusterService,
    AdminAuditRepository,
    TenantDataRepository,
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [TenantsAdminService],
})
export class AdminModule {}
