import { Module } from '@nestjs/common';
import { RefundsController } from './refunds.controller';
import { RefundsRepository } from './refunds.repository';
import { RefundsService } from './refunds.service';

/** Refunds of payments: a tenant feature with its own controller, service and data access. */
@Module({
  controllers: [RefundsController],
  providers: [RefundsService, RefundsRepository],
})
export class RefundsModule {}
