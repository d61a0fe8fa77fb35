import { ApiProperty } from '@nestjs/swagger';
import type { TenantStatus } from './tenant.entity';

export const TENANT_STATUSES: TenantStatus[] = ['active', 'suspended'];
export const PLAN_PROPERTY = {
  example: 'pro',
  minLength: 1,
  maxLength: 64,
  description: 'The id of a plan of GET /v1/plans (free, pro and enterprise as seeded)',
};

export class TenantView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty(PLAN_PROPERTY) plan: string;
  @ApiProperty({ enum: TENANT_STATUSES }) status: TenantStatus;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}
