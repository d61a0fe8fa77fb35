import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { loggableError } from '@app/http-edge';
import { Environment } from '@app/config';
import { RollupService } from './rollup.service';

/** The next run is scheduled when the last one has finished; other processes' runs are skipped through the lock. */
@Injectable()
export class RollupScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RollupScheduler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly rollup: RollupService,
    @Inject(Environment) private readonly environment: Environment,
  ) {}

  onApplicationBootstrap(): void {
    if (this.environment.ROLLUP_INTERVAL_SECONDS > 0) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.environment.ROLLUP_INTERVAL_SECONDS * 1000);
      });
    }, delayMs);
    // A pending refresh must not keep the process alive on its own.
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    try {
      await this.rollup.refresh({ wait: false });
    } catch (error) {
      this.logger.error({ error: loggableError(error) }, 'rollup refresh failed; retrying at the next interval');
    }
  }
}
