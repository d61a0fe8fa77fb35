import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ParseUuidPipe } from '@app/http-edge';
import { UsageListView, UsageQueryDto, UsageService } from '@app/usage';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { TenantsAdminService } from '../tenants/tenants-admin.service';

@ApiTags('admin: tenants')
@ApiBearerAuth('adminToken')
@UseGuards(AdminTokenGuard)
@Controller('admin/tenants/:id/usage')
export class TenantUsageController {
  constructor(
    private readonly tenants: TenantsAdminService,
    private readonly usage: UsageService,
  ) {}

  @ApiOperation({ summary: "A tenant's exact usage per UTC day: to bill it, or to move it" })
  @Get()
  @ApiOkResponse({ type: UsageListView, description: 'Requests by route class, rows written and storage, per UTC day of the range' })
  @ApiNotFoundResponse()
  @ApiParam({ name: 'id', format: 'uuid', description: 'Tenant id' })
  async list(@Param('id', new ParseUuidPipe()) id: string, @Query() query: UsageQueryDto): Promise<UsageListView> {
    const tenant = await this.tenants.get(id);
    return { data: await this.usage.daily(await this.tenants.contextOf(tenant), query) };
  }
}
