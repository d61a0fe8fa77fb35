import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Connection } from '@app/persistence';
import { TenantEntity } from '@app/tenants';
import { ClusterController } from './cluster.controller';
import { ClusterRepository } from './cluster.repository';
import { ClusterService } from './cluster.service';
import { TenantPlacementController } from './tenant-placement.controller';

@Module({
  imports: [TypeOrmModule.forFeature([TenantEntity], Connection.Control)],
  controllers: [ClusterController, TenantPlacementController],
  providers: [ClusterService, ClusterRepository],
  exports: [ClusterRepository],
})
export class ClusterModule {}
