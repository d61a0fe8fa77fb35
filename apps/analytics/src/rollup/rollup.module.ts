import { Module } from '@nestjs/common';
import { RollupService } from './rollup.service';

/** The rollup refresh, for the app's scheduler and for the `npm run rollup` command. */
@Module({
  providers: [RollupService],
  exports: [RollupService],
})
export class RollupModule {}
