import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CatalogModule } from '../catalog/catalog.module';
import { ClusterController } from './cluster.controller';
import { ClusterService } from './cluster.service';
import { TenantExportService } from './tenant-export.service';
import { TenantImportService } from './tenant-import.service';
import { TenantsAdminController } from './tenants-admin.controller';
import { TenantsAdminService } from './tenants-admin.service';

/** The control plane under /admin, behind ADMIN_TOKEN. */
@Module({
  imports: [AuthModule, CatalogModule],
  controllers: [TenantsAdminController, ClusterController],
  providers: [TenantsAdminService, TenantExportService, TenantImportService, ClusterService],
  exports: [TenantsAdminService],
})
export class AdminModule {}
