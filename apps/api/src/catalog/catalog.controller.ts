import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CatalogService } from '@app/reference-data';

class CountryView {
  @ApiProperty({ example: 'US' }) code: string;
  @ApiProperty({ example: 'United States' }) name: string;
  @ApiProperty({ example: 'Americas' }) region: string;
  @ApiProperty({ example: 'USD' }) currency: string;
}

export class PlanView {
  @ApiProperty({ example: 'free' }) id: string;
  @ApiProperty({ example: 'Free' }) name: string;
  @ApiProperty({ type: 'integer' }) requestsPerMinute: number;
  @ApiProperty({ type: 'integer' }) maxItemsPerOrder: number;
  @ApiProperty({ type: 'integer' }) statementTimeoutMs: number;
}

class CountryListView {
  @ApiProperty({ type: [CountryView] }) data: CountryView[];
}

class PlanListView {
  @ApiProperty({ type: [PlanView] }) data: PlanView[];
}

@ApiTags('reference data')
@ApiBearerAuth('apiKey')
@Controller('v1')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @ApiOperation({ summary: 'Countries (reference table)' })
  @Get('countries')
  @ApiOkResponse({ type: CountryListView, description: 'The country reference table' })
  async countries(): Promise<CountryListView> {
    return { data: await this.catalog.countries() };
  }

  @ApiOperation({ summary: 'Plans (reference table)' })
  @Get('plans')
  @ApiOkResponse({ type: PlanListView, description: 'The plans reference table' })
  async plans(): Promise<PlanListView> {
    return { data: await this.catalog.plans() };
  }
}
