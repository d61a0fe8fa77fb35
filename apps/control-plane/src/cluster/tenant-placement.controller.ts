import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Repository } from 'typeorm';
import { ParseUuidPipe } from '@app/http-edge';
import { Connection } from '@app/persistence';
import { TenantEntity } from '@app/tenants';
import { Audited } from '../audit/admin-audit';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { HotTenantsQueryDto, IsolatedPlacementView, IsolateTenantDto } from './cluster.dto';
import { ClusterService, HotTenantListView } from './cluster.service';

/** The cluster's view of tenants: their load and their placement. */
@ApiTags('admin: tenants')
@ApiBearerAuth('adminToken')
@UseGuards(AdminTokenGuard)
@Controller('admin/tenants')
export class TenantPlacementController {
  constructor(
    private readonly cluster: ClusterService,
    @InjectRepository(TenantEntity, Connection.Control) private readonly tenantRecords: Repository<TenantEntity>,
  ) {}

  @ApiOperation({ summary: 'Tenants ranked by recent query load' })
  @Get('hot')
  @ApiOkResponse({ type: HotTenantListView, description: 'Tenants ranked by recent query load (citus_stat_tenants); empty on a single node' })
  async hot(@Query() query: HotTenantsQueryDto): Promise<HotTenantListView> {
    return { data: await this.cluster.hotTenants(query.limit) };
  }

  @ApiOperation({ summary: 'Give a tenant a shard group of its own, optionally on a dedicated node' })
  @Post(':id/isolate')
  @Audited('tenant.isolated')
  @HttpCode(200)
  @ApiOkResponse({ type: IsolatedPlacementView, description: "The tenant's dedicated shard group, its node, and whether it is pinned there" })
  @ApiConflictResponse({ description: 'Not available on a single node' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Tenant id' })
  async isolate(@Param('id', new ParseUuidPipe()) id: string, @Body() body: IsolateTenantDto): Promise<IsolatedPlacementView> {
    if (!(await this.tenantRecords.existsBy({ id }))) throw new NotFoundException('Tenant not found');
    const target = body.nodeName !== undefined && body.nodePort !== undefined ? { nodeName: body.nodeName, nodePort: body.nodePort } : undefined;
    return this.cluster.isolate(id, target);
  }
}
