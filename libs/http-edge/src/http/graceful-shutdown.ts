import { Injectable, INestApplication, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';

/**
 * The app's shutdown state, one per Nest app: draining is true from the shutdown signal on
 * (readiness turns 503 so load balancers stop routing here), and requests in flight are counted.
 */
@Injectable()
export class DrainState {
  draining = false;
  inFlight = 0;

  /** Counts requests in flight; while draining, asks clients not to reuse the connection. */
  readonly middleware = (_request: Request, response: Response, next: NextFunction): void => {
    this.inFlight += 1;
    let counted = true;
    const done = () => {
      if (counted) this.inFlight -= 1;
      counted = false;
    };
    response.once('finish', done);
    response.once('close', done);
    if (this.draining) response.setHeader('Connection', 'close');
    next();
  };
}

const SETTLE_MS = 200;

/**
 * SIGTERM and SIGINT: first drain for `drainMs` (readiness answers 503 and every response
 * carries `Connection: close`, so load balancers and clients move away while this process
 * still serves), then stop listening (new connections are refused), serve every request
 * already accepted, close the idle connections once nothing is in flight, close the pools,
 * run `afterClose`, exit 0. Set `drainMs` to the load balancer's deregistration delay: a
 * connection that arrives in the instant the listener closes is reset by the kernel.
 *
 * Node's http `server.close()` closes idle keep-alive connections at once, including one
 * whose request is still on the wire, and Nest's shutdown hooks re-raise the signal (exit
 * status 143): both are avoided here.
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
