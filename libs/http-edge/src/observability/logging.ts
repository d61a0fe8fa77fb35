import type { LoggerService } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { Level, Logger } from 'pino';
import type { Environment } from '@app/config';
import { POLLED_PATHS, tagTraceWithTenant } from '@app/telemetry';
import type { EdgeFacts } from '../http/exchange';
import { loggableError } from '../errors/loggable-error';

export function usePrettyLogs(environment: Pick<Environment, 'LOG_FORMAT' | 'NODE_ENV'>, stdoutIsTerminal: boolean | undefined): boolean {
  if (environment.LOG_FORMAT !== 'auto') return environment.LOG_FORMAT === 'pretty';
  return stdoutIsTerminal === true && environment.NODE_ENV !== 'production' && prettyPrinterInstalled();
}

/** pino-pretty is a development dependency: a production image does not have it. */
function prettyPrinterInstalled(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function createLogger(environment: Pick<Environment, 'LOG_LEVEL' | 'LOG_FORMAT' | 'NODE_ENV'>): Logger {
  const pretty = usePrettyLogs(environment, process.stdout.isTTY);
  return pino({
    level: environment.LOG_LEVEL,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}

type NestLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
const PINO_LEVEL: Record<NestLevel, Level> = { log: 'info', error: 'error', warn: 'warn', debug: 'debug', verbose: 'trace', fatal: 'fatal' };

export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(nestLevel: NestLevel, message: unknown, rest: unknown[]): void {
    const level = PINO_LEVEL[nestLevel];
    if (!this.logger.isLevelEnabled(level)) return;
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const text = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) this.logger[level]({ error: loggableError(message), context }, text ?? message.constructor.name);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...message, context }, text);
    else this.logger[level]({ context }, String(message));
  }
}

/** The tenant a request acted for, on its access log line and its trace (never a metric label: unbounded). */
const tenantOfResponse = new WeakMap<ServerResponse, string>();

export function noteRequestTenant(response: ServerResponse, tenantId: string): void {
  tenantOfResponse.set(response, tenantId);
  tagTraceWithTenant(tenantId);
}

/** One line per finished request; a 429 is the rate limiter doing its job, so it stays at info where a noisy tenant cannot flood warn. */
export function logAccess(logger: Logger, request: IncomingMessage, facts: EdgeFacts, response: ServerResponse, responseTimeMs: number): void {
  const status = response.statusCode;
  const level: Level = status >= 500 ? 'error' : status >= 400 && status !== 429 ? 'warn' : 'info';
  const url = request.url ?? '';
  if (!logger.isLevelEnabled(level) || POLLED_PATHS.test(url)) return;
  logger[level](
    {
      req: { id: facts.requestId, serverId: facts.serverRequestId, method: request.method, url },
      tenant: { id: tenantOfResponse.get(response) },
      res: { statusCode: status },
      responseTime: Math.round(responseTimeMs),
    },
    'request completed',
  );
}
