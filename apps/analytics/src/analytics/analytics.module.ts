import { Module } from '@nestjs/common';
import { AnalyticsTokenGuard } from '../auth/analytics-token.guard';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import { AnalyticsRepository } from './analytics.repository';

@Module({
  controllers: [AnalyticsController],
  providers: [AnalyticsService, AnalyticsTokenGuard, AnalyticsRepository],
})
export class AnalyticsModule {}
