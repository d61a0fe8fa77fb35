import { INestApplication, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

let draining = false;

/** While draining, responses ask keep-alive clients to reconnect (to another instance). */
export function drainingMiddleware(_request: Request, response: Response, next: NextFunction): void {
  if (draining) response.setHeader('Connection', 'close');
  next();
}

/**
 * SIGTERM and SIGINT: stop accepting connections, let in-flight requests finish, close the
 * pools, run `afterClose`, exit 0. Nest's own shutdown hooks re-raise the signal after closing,
 * which makes the exit status 143; orchestrators read that as a crash.
 */
export function installGracefulShutdown(app: INestApplication, afterClose: () => Promise<void> = async () => undefined): void {
  const logger = new Logger('Shutdown');
  const shutdown = async (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    logger.log(`${signal} received: draining in-flight requests`);
    try {
      await app.close();
      await afterClose();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}

/**
 * A promise rejected with nobody listening is a bug to log, not a reason to drop every request
 * in flight by crashing the process.
 */
export function logUnhandledRejections(): void {
  const logger = new Logger('Process');
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
}
