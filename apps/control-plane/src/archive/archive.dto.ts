import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CreatedTenantView } from '../tenants/tenants.dto';

export class ImportQueryDto {
  @ApiPropertyOptional({ enum: ['new'], description: 'new: restore as a copy under a fresh tenant id' })
  @IsOptional()
  @IsIn(['new'])
  as?: 'new';
}

export class ImportedRowsView {
  @ApiProperty({ type: 'integer' }) orders: number;
  @ApiProperty({ type: 'integer' }) order_items: number;
  @ApiProperty({ type: 'integer' }) payments: number;
}

export class ImportedTenantView extends CreatedTenantView {
  @ApiProperty({ type: ImportedRowsView, description: 'Rows written per tenant table' }) rows: ImportedRowsView;
}
