import { Injectable, Logger } from '@nestjs/common';
import { RefreshOptions, RollupRefresh, RollupRepository } from './rollup.repository';
import { rollupLagSeconds, rollupRefreshDuration, rollupRefreshesTotal } from '../metrics';

/** A watermark this far behind means a transaction has stayed open that long: worth a warning. */
const LAG_WARNING_SECONDS = 600;

@Injectable()
export class RollupService {
  private readonly logger = new Logger('Rollup');

  constructor(private readonly rollups: RollupRepository) {}

  async refresh(options: RefreshOptions): Promise<RollupRefresh> {
    const stopTimer = rollupRefreshDuration.startTimer();
    let result: RollupRefresh;
    try {
      result = await this.rollups.refresh(options);
    } catch (error) {
      rollupRefreshesTotal.inc({ status: 'failed' });
      throw error;
    }
    if (result.status !== 'busy') stopTimer();
    rollupRefreshesTotal.inc({ status: result.status });
    if (result.lagSeconds !== undefined) {
      rollupLagSeconds.set(result.lagSeconds);
      if (result.lagSeconds > LAG_WARNING_SECONDS) {
        this.logger.warn(`rollup watermark is ${Math.round(result.lagSeconds)} s behind: a transaction has been open that long`);
      }
    }
    if (result.status === 'refreshed') this.logger.log(result, 'rollup refreshed');
    else this.logger.debug(result, `rollup refresh: ${result.status}`);
    return result;
  }
}
