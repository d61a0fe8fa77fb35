import { ConflictException, Injectable } from '@nestjs/common';
import { ValidationFailedException } from '@app/http-edge';
import { ApiProperty } from '@nestjs/swagger';
import { ClusterNode, ClusterRepository, ClusterTable, IsolatedPlacement, RebalanceBusyError, ShardGroup } from './cluster.repository';

export class HotTenantView {
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ type: 'integer' }) queriesThisPeriod: number;
  @ApiProperty({ type: 'integer' }) queriesLastPeriod: number;
  @ApiProperty() cpuSecondsThisPeriod: number;
}

export class ShardGroupView implements ShardGroup {
  @ApiProperty({ type: 'integer', description: 'The orders shard of the group' }) shardId: number;
  @ApiProperty({ description: 'Lowest tenant hash in the group' }) minValue: string;
  @ApiProperty({ description: 'Highest tenant hash in the group' }) maxValue: string;
  @ApiProperty() nodeName: string;
  @ApiProperty({ type: 'integer' }) nodePort: number;
  @ApiProperty({ type: 'integer', description: 'Bytes of every colocated shard of the group' }) bytes: number;
  @ApiProperty({ description: 'A group of one tenant' }) isolated: boolean;
}

export class ShardGroupListView {
  @ApiProperty({ type: [ShardGroupView] }) data: ShardGroupView[];
}

export class HotTenantListView {
  @ApiProperty({ type: [HotTenantView] }) data: HotTenantView[];
}

export interface ClusterView {
  mode: 'citus' | 'single-node';
  nodes: ClusterNode[];
  tables: ClusterTable[];
}

@Injectable()
export class ClusterService {
  constructor(private readonly cluster: ClusterRepository) {}

  async describe(): Promise<ClusterView> {
    const [mode, nodes, tables] = await Promise.all([this.cluster.clusterMode(), this.cluster.nodes(), this.cluster.tables()]);
    return { mode, nodes, tables };
  }

  async shardGroups(): Promise<ShardGroup[]> {
    await this.requireCitus('The shard map');
    return this.cluster.shardGroups();
  }

  async hotTenants(limit: number): Promise<HotTenantView[]> {
    return this.cluster.hotTenants(limit);
  }

  async isolate(tenantId: string, target?: { nodeName: string; nodePort: number }): Promise<IsolatedPlacement> {
    await this.requireCitus('Tenant isolation');
    if (target && !(await this.cluster.isWorker(target.nodeName, target.nodePort))) {
      throw new ValidationFailedException([{ field: 'nodeName', message: 'is not an active worker of this cluster (see GET /admin/cluster)' }]);
    }
    return this.cluster.isolateTenant(tenantId, target);
  }

  async startRebalance(): Promise<{ jobId: number | null; status: Record<string, unknown> | null }> {
    await this.requireCitus('Rebalancing');
    const jobId = await this.cluster.startRebalance().catch((error: unknown) => {
      if (error instanceof RebalanceBusyError) throw new ConflictException(`${error.message}: GET /admin/cluster/rebalance shows its progress`);
      throw error;
    });
    return { jobId, status: await this.cluster.rebalanceStatus() };
  }

  async rebalanceStatus(): Promise<{ status: Record<string, unknown> | null }> {
    await this.requireCitus('Rebalancing');
    return { status: await this.cluster.rebalanceStatus() };
  }

  private async requireCitus(operation: string): Promise<void> {
    if ((await this.cluster.clusterMode()) !== 'citus') {
      throw new ConflictException(`${operation} needs a Citus cluster; this database is a single node`);
    }
  }
}
