import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { requireTenant } from '@app/tenancy';
import { UsageListView, UsageQueryDto, UsageService } from '@app/usage';

@ApiTags('tenant')
@ApiBearerAuth('apiKey')
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @ApiOperation({ summary: "The calling tenant's own usage per UTC day" })
  @Get()
  @ApiOkResponse({ type: UsageListView, description: 'Requests by route class, rows written and storage, per UTC day of the range' })
  async list(@Query() query: UsageQueryDto): Promise<UsageListView> {
    return { data: await this.usage.daily(requireTenant(), query) };
  }
}
