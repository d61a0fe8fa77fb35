import { Module } from '@nestjs/common';
import { UsageModule } from '@app/usage';
import { TenantsModule } from '../tenants/tenants.module';
import { TenantUsageController } from './usage.controller';

@Module({ imports: [TenantsModule, UsageModule], controllers: [TenantUsageController] })
export class TenantUsageModule {}
