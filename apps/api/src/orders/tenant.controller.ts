import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { TenantView } from '@app/tenants';
import { CurrentGrant } from '../auth/authenticated-request';
import type { ApiKeyGrant } from '../auth/api-keys.repository';
import { OrderStatsView } from './orders.dto';
import { OrdersService } from './orders.service';

@ApiTags('tenant')
@ApiBearerAuth('apiKey')
@Controller('v1')
export class TenantController {
  constructor(private readonly orders: OrdersService) {}

  @ApiOperation({ summary: 'The calling tenant' })
  @Get('tenant')
  @ApiOkResponse({ type: TenantView, description: 'The tenant the api key belongs to' })
  tenant(@CurrentGrant() grant: ApiKeyGrant): TenantView {
    return {
      id: grant.tenantId,
      name: grant.tenantName,
      plan: grant.planId,
      status: grant.tenantStatus,
      createdAt: new Date(grant.tenantCreatedAt).toISOString(),
    };
  }

  @ApiOperation({ summary: "The tenant's order counts and revenue" })
  @Get('stats')
  @ApiOkResponse({ type: OrderStatsView })
  async stats(): Promise<OrderStatsView> {
    const { total, pending, paid, cancelled, revenueCents, paidCents } = await this.orders.stats();
    return { orders: { total, pending, paid, cancelled }, revenueCents, paidCents };
  }
}
