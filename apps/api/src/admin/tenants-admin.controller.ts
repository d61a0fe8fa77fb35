import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiProduces,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PageQueryDto, ParseUuidPipe } from '@app/http-edge';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { Audited } from './admin-audit';
import {
  CreatedApiKeyView,
  CreatedTenantView,
  CreateTenantDto,
  HotTenantsQueryDto,
  ImportedTenantView,
  IsolatedPlacementView,
  IsolateTenantDto,
  ImportQueryDto,
  TenantDetailsView,
  TenantPageView,
  TenantView,
  UpdateTenantDto,
} from './admin.dto';
import { ClusterService, HotTenantListView } from './cluster.service';
import { presentTenant } from './tenant.presenter';
import { TenantExportService } from './tenant-export.service';
import { TenantImportService } from './tenant-import.service';
import { MAX_ARCHIVE_LINE_BYTES, readLines } from './tenant-archive';
import { TenantsAdminService } from './tenants-admin.service';

@ApiTags('admin: tenants')
@ApiBearerAuth('adminToken')
@UseGuards(AdminTokenGuard)
@Controller('admin/tenants')
export class TenantsAdminController {
  constructor(
    private readonly tenants: TenantsAdminService,
    private readonly exports: TenantExportService,
    private readonly cluster: ClusterService,
    private readonly imports: TenantImportService,
  ) {}

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

  @ApiOperation({ summary: 'Restore a tenant archive (or a re-keyed copy)' })
  @Post('import')
  @Audited('tenant.imported')
  @ApiConsumes('application/x-ndjson')
  @ApiBody({ description: 'A tenant archive as GET /admin/tenants/{id}/export streams it', schema: { type: 'string' } })
  @ApiCreatedResponse({ type: ImportedTenantView, description: 'The tenant and every row were written in one transaction' })
  @ApiConflictResponse({ description: 'A tenant with that id exists (import with ?as=new for a copy)' })
  async import(@Query() query: ImportQueryDto, @Req() request: Request): Promise<ImportedTenantView> {
    const lines = readLines(request, MAX_ARCHIVE_LINE_BYTES);
    const { tenant, apiKey, rows } = await this.imports.import(lines, { asNew: query.as === 'new' });
    return { tenant: { ...tenant, createdAt: new Date(tenant.createdAt).toISOString() }, apiKey, rows };
  }

  // Declared before ':id' so that "hot" is not read as a tenant id.
  @ApiOperation({ summary: 'Tenants ranked by recent query load' })
  @Get('hot')
  @ApiOkResponse({ type: HotTenantListView, description: 'Tenants ranked by recent query load (citus_stat_tenants); empty on a single node' })
  async hot(@Query() query: HotTenantsQueryDto): Promise<HotTenantListView> {
    return { data: await this.cluster.hotTenants(query.limit) };
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

  @ApiOperation({ summary: 'Export a tenant archive (NDJSON)' })
  @Get(':id/export')
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'A tenant line, one {"table","row"} line per row of every tenant table, then a {"manifest"} line with row counts and a SHA-256 per table',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse()
  @ApiParam({ name: 'id', format: 'uuid', description: 'Tenant id' })
  async export(@Param('id', new ParseUuidPipe()) id: string, @Res() response: Response): Promise<void> {
    const tenant = await this.tenants.get(id);
    response.status(200).setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="tenant-${id}.ndjson"`);
    await this.exports.export(tenant, (line) => writeWithBackpressure(response, line));
    response.end();
  }

  @ApiOperation({ summary: 'Give a tenant a shard group of its own, optionally on a dedicated node' })
  @Post(':id/isolate')
  @Audited('tenant.isolated')
  @HttpCode(200)
  @ApiOkResponse({ type: IsolatedPlacementView, description: "The tenant's dedicated shard group, its node, and whether it is pinned there" })
  @ApiConflictResponse({ description: 'Not available on a single node' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Tenant id' })
  async isolate(@Param('id', new ParseUuidPipe()) id: string, @Body() body: IsolateTenantDto): Promise<IsolatedPlacementView> {
    await this.tenants.get(id);
    const target = body.nodeName !== undefined && body.nodePort !== undefined ? { nodeName: body.nodeName, nodePort: body.nodePort } : undefined;
    return this.cluster.isolate(id, target);
  }
}

function writeWithBackpressure(response: Response, chunk: string): Promise<void> {
  if (response.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      response.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      response.off('drain', onDrain);
      reject(new Error('client went away during export'));
    };
    response.once('drain', onDrain);
    response.once('close', onClose);
  });
}
