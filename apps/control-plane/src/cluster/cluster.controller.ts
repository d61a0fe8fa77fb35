import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { Audited } from '../audit/admin-audit';
import { ClusterService, ClusterView, ShardGroupListView } from './cluster.service';

@ApiTags('admin: cluster')
@ApiBearerAuth('adminToken')
@UseGuards(AdminTokenGuard)
@Controller('admin/cluster')
export class ClusterController {
  constructor(private readonly cluster: ClusterService) {}

  @ApiOperation({ summary: 'Nodes and tables of the cluster' })
  @Get()
  @ApiOkResponse({ description: 'Mode, nodes, and the type, distribution column, colocation and shard count of each table' })
  describe(): Promise<ClusterView> {
    return this.cluster.describe();
  }

  @Get('shard-groups')
  @ApiOperation({ summary: 'The shard map: every shard group of the tenant tables and its node' })
  @ApiOkResponse({ type: ShardGroupListView })
  @ApiConflictResponse({ description: 'Not available on a single node' })
  async shardGroups(): Promise<ShardGroupListView> {
    return { data: await this.cluster.shardGroups() };
  }

  @ApiOperation({ summary: 'Start a rebalance' })
  @Post('rebalance')
  @Audited('cluster.rebalance_started')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'A background rebalance job was started (citus_rebalance_start)' })
  @ApiConflictResponse({ description: 'Not available on a single node, or a rebalance or shard move is already running' })
  startRebalance() {
    return this.cluster.startRebalance();
  }

  @ApiOperation({ summary: 'Status of the latest rebalance' })
  @Get('rebalance')
  @ApiOkResponse({ description: 'Status of the latest rebalance job (citus_rebalance_status)' })
  @ApiConflictResponse({ description: 'Not available on a single node' })
  rebalanceStatus() {
    return this.cluster.rebalanceStatus();
  }
}
