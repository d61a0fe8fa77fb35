import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { decodeCursor, encodeCursor, PageQueryDto, toPage } from '@app/http-edge';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { AdminAuditRepository, AuditPageView } from './admin-audit';

const AUDIT_CURSOR = 'audit';
const isAuditPosition = (value: Record<string, unknown>): value is { id: number } =>
  Object.keys(value).length === 1 && Number.isSafeInteger(value.id) && (value.id as number) > 0;

@ApiTags('admin: audit')
@ApiBearerAuth('adminToken')
@UseGuards(AdminTokenGuard)
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AdminAuditRepository) {}

  @ApiOperation({ summary: 'The audit trail of admin actions, newest first' })
  @Get()
  @ApiOkResponse({ type: AuditPageView, description: 'Every admin action, newest first' })
  async page(@Query() query: PageQueryDto): Promise<AuditPageView> {
    const before = query.cursor ? decodeCursor(AUDIT_CURSOR, query.cursor, isAuditPosition).id : undefined;
    const rows = await this.audit.page(query.limit + 1, before);
    return toPage(
      rows,
      query.limit,
      (row) => ({ ...row, occurredAt: new Date(row.occurredAt).toISOString() }),
      (row) => encodeCursor(AUDIT_CURSOR, { id: row.id }),
    );
  }
}
