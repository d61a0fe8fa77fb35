import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { TenantAuthMiddleware } from '../auth/tenant-auth.middleware';
import { CatalogController } from '../catalog/catalog.controller';
import { ReferenceDataModule } from '@app/reference-data';
import { UsageModule } from '@app/usage';
import { UsageController } from '../usage/usage.controller';
import { UsageMeter, UsageMeterMiddleware } from '../usage/usage-meter';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { PaymentsRepository } from './payments.repository';
import { PaymentsService } from './payments.service';
import { TenantController } from './tenant.controller';

@Module({
  imports: [AuthModule, ReferenceDataModule, UsageModule],
  controllers: [OrdersController, TenantController, CatalogController, UsageController],
  providers: [OrdersService, PaymentsService, OrdersRepository, PaymentsRepository, UsageMeter],
  exports: [OrdersRepository],
})
export class TenantApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(UsageMeterMiddleware, TenantAuthMiddleware).forRoutes('v1/*path');
  }
}
