import { Module } from '@nestjs/common';
import { RollupService } from './rollup.service';
import { RollupRepository } from './rollup.repository';

@Module({
  providers: [RollupService, RollupRepository],
  exports: [RollupService],
})
export class RollupModule {}
