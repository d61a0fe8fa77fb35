import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { TenantAuthMiddleware } from '../auth/tenant-auth.middleware';
import { CatalogController } from '../catalog/catalog.controller';
import { ReferenceDataModule } from '@app/reference-data';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { PaymentsRepository } from './payments.repository';
import { PaymentsService } from './payments.service';
import { TenantController } from './tenant.controller';

@Module({
  imports: [AuthModule, ReferenceDataModule],
  controllers: [OrdersController, TenantController, CatalogController],
  providers: [OrdersService, PaymentsService, OrdersRepository, PaymentsRepository],
  exports: [OrdersRepository],
})
export class TenantApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TenantAuthMiddleware).forRoutes('v1/*path');
  }
}
