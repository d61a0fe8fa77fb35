import { Module } from '@nestjs/common';
import { RollupService } from './rollup.service';
import { RollupRepository } from './rollup.repository';

/** The rollup refresh, for the app's scheduler and for the `npm run rollup` command. */
@Module({
  providers: [RollupService, RollupRepository],
  exports: [RollupService],
})
export class RollupModule {}
