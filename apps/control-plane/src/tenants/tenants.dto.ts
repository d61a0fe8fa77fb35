import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { PLAN_PROPERTY, TENANT_STATUSES, TenantStatus, TenantView } from '@app/tenants';

/** Tenants created without a plan get this one. Plans themselves are reference data (the plans table). */
export const DEFAULT_PLAN = 'free';

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
