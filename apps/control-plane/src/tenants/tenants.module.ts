import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Connection } from '@app/persistence';
import { ReferenceDataModule } from '@app/reference-data';
import { ApiKeyEntity, TenantEntity } from '@app/tenants';
import { ClusterModule } from '../cluster/cluster.module';
import { CredentialChangesPublisher } from './credential-changes.publisher';
import { TenantDataRepository } from './tenant-data.repository';
import { TenantsAdminService } from './tenants-admin.service';
import { TenantsController } from './tenants.controller';
import { TenantsRepository } from './tenants.repository';

@Module({
  imports: [ClusterModule, ReferenceDataModule, TypeOrmModule.forFeature([TenantEntity, ApiKeyEntity], Connection.Control)],
  controllers: [TenantsController],
  providers: [TenantsAdminService, TenantsRepository, TenantDataRepository, CredentialChangesPublisher],
  exports: [TenantsAdminService, TenantsRepository],
})
export class TenantsModule {}
