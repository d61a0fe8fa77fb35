import { DynamicModule } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { acceptOrCreateRequestId } from '../http/request-id';

/** pino for every log line; the request id set by the first middleware ties them together. */
export function loggingModule(level: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      genReqId: (request: IncomingMessage) => (request as IncomingMessage & { id?: string }).id ?? acceptOrCreateRequestId(undefined),
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
      customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (request) => request.url === '/metrics' || (request.url ?? '').startsWith('/health') },
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: request.url }),
      },
    },
  });
}
