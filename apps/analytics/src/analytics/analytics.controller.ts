import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AnalyticsTokenGuard } from '../auth/analytics-token.guard';
import { DailyQueryDto, DailyView, RevenueByCountryView, TimeWindowQueryDto, TopTenantsQueryDto, TopTenantsView } from './analytics.dto';
import { AnalyticsService } from './analytics.service';

@ApiTags('analytics')
@ApiBearerAuth('analyticsToken')
@ApiUnauthorizedResponse({ description: 'Missing or unknown token' })
@ApiForbiddenResponse({ description: 'A tenant api key or the admin token: the wrong kind of token' })
@ApiBadRequestResponse({ description: 'Invalid or unknown query parameters, or from not before to' })
@ApiServiceUnavailableResponse({ description: 'Database unavailable or the query timed out; retry after Retry-After' })
@UseGuards(AnalyticsTokenGuard)
@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @ApiOperation({ summary: 'Orders and revenue by country, across every tenant' })
  @Get('revenue-by-country')
  @ApiOkResponse({ type: RevenueByCountryView })
  async revenueByCountry(@Query() query: TimeWindowQueryDto): Promise<RevenueByCountryView> {
    return { data: await this.analytics.revenueByCountry(query) };
  }

  @ApiOperation({ summary: 'The tenants with the most revenue' })
  @Get('top-tenants')
  @ApiOkResponse({ type: TopTenantsView })
  async topTenants(@Query() query: TopTenantsQueryDto): Promise<TopTenantsView> {
    return { data: await this.analytics.topTenants(query) };
  }

  @ApiOperation({ summary: 'Orders and revenue per UTC day' })
  @Get('daily')
  @ApiOkResponse({ type: DailyView })
  async daily(@Query() query: DailyQueryDto): Promise<DailyView> {
    return { data: await this.analytics.daily(query) };
  }
}
