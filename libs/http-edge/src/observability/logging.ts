import { DynamicModule } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { Environment } from '@app/config';
import { acceptOrCreateRequestId } from '../http/request-id';

/** Human-readable lines for a person at a terminal; JSON for everything else (collectors, files, pipes). */
export function usePrettyLogs(environment: Pick<Environment, 'LOG_FORMAT' | 'NODE_ENV'>, stdoutIsTerminal: boolean): boolean {
  if (environment.LOG_FORMAT !== 'auto') return environment.LOG_FORMAT === 'pretty';
  return stdoutIsTerminal && environment.NODE_ENV !== 'production' && prettyPrinterInstalled();
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

/** pino for every log line; the request id set by the first middleware ties them together. */
export function loggingModule(environment: Pick<Environment, 'LOG_LEVEL' | 'LOG_FORMAT' | 'NODE_ENV'>): DynamicModule {
  const pretty = usePrettyLogs(environment, Boolean(process.stdout.isTTY));
  return LoggerModule.forRoot({
    pinoHttp: {
      level: environment.LOG_LEVEL,
      ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
      genReqId: (request: IncomingMessage) => (request as IncomingMessage & { id?: string }).id ?? acceptOrCreateRequestId(undefined),
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
      customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (request) => request.url === '/metrics' || (request.url ?? '').startsWith('/health') },
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: request.url }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
    },
  });
}
