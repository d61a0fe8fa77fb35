import { Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ParseUuidPipe } from '@app/http-edge';
import { Audited } from '../audit/admin-audit';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { TenantsAdminService } from '../tenants/tenants-admin.service';
import { ImportedTenantView, ImportQueryDto } from './archive.dto';
import { MAX_ARCHIVE_LINE_BYTES, readLines } from './tenant-archive';
import { TenantExportService } from './tenant-export.service';
import { TenantImportService } from './tenant-import.service';

@ApiTags('admin: tenants')
@ApiBearerAuth('adminToken')
@UseGuards(AdminTokenGuard)
@Controller('admin/tenants')
export class ArchiveController {
  constructor(
    private readonly tenants: TenantsAdminService,
    private readonly exports: TenantExportService,
    private readonly imports: TenantImportService,
  ) {}

  @ApiOperation({ summary: 'Restore a tenant archive (or a re-keyed copy)' })
  @Post('import')
  @Audited('tenant.imported')
  @ApiConsumes('application/x-ndjson')
  @ApiBody({ description: 'A tenant archive as GET /admin/tenants/{id}/export streams it', schema: { type: 'string' } })
  @ApiCreatedResponse({ type: ImportedTenantView, description: 'The tenant and every row were written in one transaction' })
  @ApiConflictResponse({ description: 'A tenant with that id exists (import with ?as=new for a copy)' })
  async import(@Query() query: ImportQueryDto, @Req() request: FastifyRequest): Promise<ImportedTenantView> {
    // The route's body reader leaves Node's request unread: the archive streams from it, line by line.
    const lines = readLines(request.raw, MAX_ARCHIVE_LINE_BYTES);
    const { tenant, apiKey, rows } = await this.imports.import(lines, { asNew: query.as === 'new' });
    return { tenant: { ...tenant, createdAt: new Date(tenant.createdAt).toISOString() }, apiKey, rows };
  }

  @ApiOperation({ summary: 'Export a tenant archive (NDJSON)' })
  @Get(':id/export')
  @Audited('tenant.exported')
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'A tenant line, one {"table","row"} line per row of every tenant table, then a {"manifest"} line with row counts and a SHA-256 per table',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse()
  @ApiParam({ name: 'id', format: 'uuid', description: 'Tenant id' })
  async export(@Param('id', new ParseUuidPipe()) id: string, @Res() reply: FastifyReply): Promise<void> {
    const tenant = await this.tenants.get(id);
    // Written to Node's response as the rows stream, with backpressure; fastify leaves it alone from here.
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Content-Disposition': `attachment; filename="tenant-${id}.ndjson"` });
    await this.exports.export(tenant, (line) => writeWithBackpressure(response, line));
    response.end();
  }
}

function writeWithBackpressure(response: ServerResponse, chunk: string): Promise<void> {
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
