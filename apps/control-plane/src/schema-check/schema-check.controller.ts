import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags, ApiOperation } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Connection } from '@app/persistence';
import { examineSchema, exitCodeOf, Finding } from '@app/schema-doctor';
import { AdminTokenGuard } from '../auth/admin-token.guard';

class FindingView implements Finding {
  @ApiProperty({ example: 'rls_disabled' }) check: string;
  @ApiProperty({ enum: ['error', 'warning'] }) severity: 'error' | 'warning';
  @ApiProperty({ example: 'public.orders' }) object: string;
  @ApiProperty() message: string;
  @ApiProperty({ description: 'What to run or change' }) fix: string;
}

class SchemaCheckView {
  @ApiProperty({ description: 'True when no finding is an error' }) ok: boolean;
  @ApiProperty({ type: [FindingView] }) findings: FindingView[];
}

@ApiTags('admin: cluster')
@ApiBearerAuth('adminToken')
@UseGuards(AdminTokenGuard)
@Controller('admin/schema-check')
export class SchemaCheckController {
  constructor(@InjectDataSource(Connection.Owner) private readonly dataSource: DataSource) {}

  @ApiOperation({ summary: "The schema doctor's findings on the live database" })
  @Get()
  @ApiOkResponse({ type: SchemaCheckView, description: "The schema doctor's checks on the live database" })
  async check(): Promise<SchemaCheckView> {
    const findings = await examineSchema({ query: (sql, parameters) => this.dataSource.query(sql, parameters) });
    return { ok: exitCodeOf(findings) < 2, findings };
  }
}
