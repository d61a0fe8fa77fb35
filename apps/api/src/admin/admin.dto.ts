import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { QueryInt } from '@app/http-edge';
import type { TenantStatus } from './tenant.entity';

/** Tenants created without a plan get this one. Plans themselves are reference data (the plans table). */
export const DEFAULT_PLAN = 'free';
const PLAN_PROPERTY = { example: 'pro', minLength: 1, maxLength: 64, description: 'The id of a plan of GET /v1/plans (free, pro and enterprise as seeded)' };
export const TENANT_STATUSES: TenantStatus[] = ['active', 'suspended'];

export class CreateTenantDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Acme Corp' })
  @IsString()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ ...PLAN_PROPERTY, default: DEFAULT_PLAN })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  plan?: string;
}

/** Absent means "unchanged"; null is not a status or a plan, so it is refused (not skipped as IsOptional would). */
const unlessAbsent = () => ValidateIf((_dto: object, value: unknown) => value !== undefined);

export class UpdateTenantDto {
  @ApiPropertyOptional({ enum: TENANT_STATUSES })
  @unlessAbsent()
  @IsIn(TENANT_STATUSES)
  status?: TenantStatus;

  @ApiPropertyOptional(PLAN_PROPERTY)
  @unlessAbsent()
  @IsString()
  @Length(1, 64)
  plan?: string;
}

export class HotTenantsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 10;
}

export class TenantView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty(PLAN_PROPERTY) plan: string;
  @ApiProperty({ enum: TENANT_STATUSES }) status: TenantStatus;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class PlacementView {
  @ApiProperty({ type: 'integer' }) shardId: number;
  @ApiProperty() nodeName: string;
  @ApiProperty({ type: 'integer' }) nodePort: number;
}

export class TenantDetailsView extends TenantView {
  @ApiProperty({ type: PlacementView, nullable: true, description: 'null on a single node' })
  placement: PlacementView | null;
}

export class CreatedTenantView {
  @ApiProperty({ type: TenantView }) tenant: TenantView;
  @ApiProperty({ description: 'Shown once; only its hash is stored' }) apiKey: string;
}

export class CreatedApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Shown once; only its hash is stored' }) apiKey: string;
}

export class TenantPageView {
  @ApiProperty({ type: [TenantView] }) data: TenantView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

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

export class IsolateTenantDto {
  @ApiPropertyOptional({ example: '127.0.0.1', description: 'A worker of the cluster (GET /admin/cluster); with nodePort' })
  @ValidateIf((dto: IsolateTenantDto) => dto.nodeName !== undefined || dto.nodePort !== undefined)
  @IsDefined({ message: 'nodeName is required with nodePort' })
  @IsString()
  @Length(1, 253)
  nodeName?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 65535, example: 9702, description: 'With nodeName' })
  @ValidateIf((dto: IsolateTenantDto) => dto.nodeName !== undefined || dto.nodePort !== undefined)
  @IsDefined({ message: 'nodePort is required with nodeName' })
  @IsInt()
  @Min(1)
  @Max(65535)
  nodePort?: number;
}

export class IsolatedPlacementView extends PlacementView {
  @ApiProperty({ description: 'True when a rebalance keeps the tenant on this node and no other shard there' }) pinned: boolean;
}
