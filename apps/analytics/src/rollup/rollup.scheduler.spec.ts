import { Logger } from '@nestjs/common';
import { RollupRefresh } from './rollup.repository';
import { validateEnvironment } from '@app/config';
import { RollupScheduler } from './rollup.scheduler';
import { RollupService } from './rollup.service';

const DONE: RollupRefresh = { status: 'refreshed', changedRows: 1 };

function deferred(): { promise: Promise<RollupRefresh>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<RollupRefresh>((done) => {
    resolve = () => done(DONE);
  });
  return { promise, resolve };
}

describe('RollupScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function scheduler(refresh: jest.Mock, interval = '10'): RollupScheduler {
    return new RollupScheduler({ refresh } as unknown as RollupService, validateEnvironment({ ROLLUP_INTERVAL_SECONDS: interval }));
  }

  it('refreshes at boot, then every interval after the previous run has finished, never overlapping', async () => {
    const runs = [deferred(), deferred()];
    const refresh = jest
      .fn()
      .mockImplementationOnce(() => runs[0].promise)
      .mockImplementationOnce(() => runs[1].promise);
    const subject = scheduler(refresh);
    subject.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh).toHaveBeenCalledWith({ wait: false });

    // The first run takes longer than the interval: no second run meanwhile.
    await jest.advanceTimersByTimeAsync(30_000);
    expect(refresh).toHaveBeenCalledTimes(1);

    runs[0].resolve();
    await jest.advanceTimersByTimeAsync(9_999);
    expect(refresh).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledTimes(2);
    runs[1].resolve();
    await subject.onModuleDestroy();
  });

  it('logs a failed run and keeps going', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const refresh = jest.fn().mockRejectedValueOnce(new Error('database down')).mockResolvedValue(DONE);
    const subject = scheduler(refresh);
    subject.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(logged).toHaveBeenCalledTimes(1);
    logged.mockRestore();
    await subject.onModuleDestroy();
  });

  it('waits for the run in flight on shutdown and schedules none after it', async () => {
    const run = deferred();
    const refresh = jest.fn().mockImplementationOnce(() => run.promise);
    const subject = scheduler(refresh);
    subject.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    let destroyed = false;
    const destroying = subject.onModuleDestroy().then(() => {
      destroyed = true;
    });
    await jest.advanceTimersByTimeAsync(0);
    expect(destroyed).toBe(false);
    run.resolve();
    await destroying;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('does nothing when the interval is 0', async () => {
    const refresh = jest.fn();
    scheduler(refresh, '0').onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(600_000);
    expect(refresh).not.toHaveBeenCalled();
  });
});
