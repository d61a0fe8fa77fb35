import { Injectable, INestApplication, Logger } from '@nestjs/common';
import { afterResponse } from './after-response';
import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import { stopTracing } from '@app/telemetry';
import { loggableError } from '../errors/loggable-error';

@Injectable()
export class DrainState {
  draining = false;
  inFlight = 0;

  /** Counts the request in flight until its response is over; while draining, asks the client to close the connection. */
  admit(response: ServerResponse): void {
    this.inFlight += 1;
    afterResponse(response, () => (this.inFlight -= 1));
    if (this.draining) response.setHeader('Connection', 'close');
  }
}

const SETTLE_MS = 200;

/**
 * Drain, stop listening, finish what was accepted, close pools, exit 0 (README, "Failure behaviour"). Done by hand: Node's
 * server.close() drops idle keep-alive sockets whose request is on the wire, and Nest's hooks re-raise the signal.
 */
export function installGracefulShutdown(app: INestApplication, drainMs: number, afterClose: () => Promise<void> = () => Promise.resolve()): void {
  const logger = new Logger('Shutdown');
  const drain = app.get(DrainState);
  const shutdown = async (signal: NodeJS.Signals) => {
    if (drain.draining) return;
    drain.draining = true;
    logger.log(`${signal} received: draining for ${drainMs} ms, then finishing in-flight requests`);
    try {
      await new Promise((resolve) => setTimeout(resolve, drainMs));
      const server = app.getHttpServer() as Server;
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      do {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      } while (drain.inFlight > 0);
      server.closeIdleConnections();
      await closed;
      await app.close();
      await afterClose();
      await stopTracing();
      process.exit(0);
    } catch (error) {
      logger.error({ error: loggableError(error) }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}

/** A promise rejected with nobody listening is a bug to log, not a reason to drop every request in flight. */
export function logUnhandledRejections(): void {
  const logger = new Logger('Process');
  process.on('unhandledRejection', (reason) => logger.error({ error: loggableError(reason) }, 'unhandled promise rejection'));
}
