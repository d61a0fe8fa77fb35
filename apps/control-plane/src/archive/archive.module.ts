import { Module } from '@nestjs/common';
import { UsageModule } from '@app/usage';
import { ClusterModule } from '../cluster/cluster.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ArchiveController } from './archive.controller';
import { TenantExportRepository } from './tenant-export.repository';
import { TenantExportService } from './tenant-export.service';
import { TenantImportService } from './tenant-import.service';

@Module({
  imports: [TenantsModule, ClusterModule, UsageModule],
  controllers: [ArchiveController],
  providers: [TenantExportService, TenantImportService, TenantExportRepository],
})
export class ArchiveModule {}
