import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { PageQueryDto, ParseUuidPipe } from '@app/http-edge';
import { presentTenant, TenantView } from '@app/tenants';
import { Audited } from '../audit/admin-audit';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { CreatedApiKeyView, CreatedTenantView, CreateTenantDto, TenantDetailsView, TenantPageView, UpdateTenantDto } from './tenants.dto';
import { TenantsAdminService } from './tenants-admin.service';

@ApiTags('admin: tenants')
@ApiBearerAuth('adminToken')
@UseGuards(AdminTokenGuard)
@Controller('admin/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsAdminService) {}

  @ApiOperation({ summary: 'Create a tenant and its first api key' })
  @Post()
  @Audited('tenant.created')
  @ApiCreatedResponse({ type: CreatedTenantView })
  async create(@Body() body: CreateTenantDto): Promise<CreatedTenantView> {
    const { tenant, apiKey } = await this.tenants.create(body);
    return { tenant: presentTenant(tenant), apiKey };
  }

  @ApiOperation({ summary: 'List tenants, newest first' })
  @Get()
  @ApiOkResponse({ type: TenantPageView, description: 'Newest first' })
  async list(@Query() query: PageQueryDto): Promise<TenantPageView> {
    const page = await this.tenants.page(query);
    return { data: page.data.map(presentTenant), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'Get a tenant and its placement' })
  @Get(':id')
  @ApiOkResponse({ type: TenantDetailsView })
  @ApiNotFoundResponse()
  @ApiParam({ name: 'id', format: 'uuid', description: 'Tenant id' })
  async get(@Param('id', new ParseUuidPipe()) id: string): Promise<TenantDetailsView> {
    const tenant = await this.tenants.get(id);
    return { ...presentTenant(tenant), placement: await this.tenants.placement(id) };
  }

  @ApiOperation({ summary: "Change a tenant's status or plan" })
  @Patch(':id')
  @Audited('tenant.changed')
  @ApiOkResponse({ type: TenantView })
  @ApiNotFoundResponse()
  @ApiParam({ name: 'id', format: 'uuid', description: 'Tenant id' })
  async update(@Param('id', new ParseUuidPipe()) id: string, @Body() body: UpdateTenantDto): Promise<TenantView> {
    return presentTenant(await this.tenants.update(id, body));
  }

  @ApiOperation({ summary: 'Delete a tenant and every row it has' })
  @Delete(':id')
  @Audited('tenant.deleted')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Every row of the tenant in every tenant table is gone' })
  @ApiNotFoundResponse()
  @ApiParam({ name: 'id', format: 'uuid', description: 'Tenant id' })
  async remove(@Param('id', new ParseUuidPipe()) id: string): Promise<void> {
    await this.tenants.delete(id);
  }

  @ApiOperation({ summary: 'Issue another api key' })
  @Post(':id/api-keys')
  @Audited('api_key.created')
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  @ApiNotFoundResponse()
  @ApiParam({ name: 'id', format: 'uuid', description: 'Tenant id' })
  async addKey(@Param('id', new ParseUuidPipe()) id: string): Promise<CreatedApiKeyView> {
    const { key, apiKey } = await this.tenants.addKey(id);
    return { id: key.id, apiKey };
  }

  @ApiOperation({ summary: 'Revoke an api key' })
  @Delete(':id/api-keys/:keyId')
  @Audited('api_key.revoked')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The key is refused from the next request on' })
  @ApiNotFoundResponse()
  @ApiParam({ name: 'id', format: 'uuid', description: 'Tenant id' })
  @ApiParam({ name: 'keyId', format: 'uuid', description: 'Api key id' })
  async revokeKey(@Param('id', new ParseUuidPipe()) id: string, @Param('keyId', new ParseUuidPipe('keyId')) keyId: string): Promise<void> {
    await this.tenants.revokeKey(id, keyId);
  }
}
