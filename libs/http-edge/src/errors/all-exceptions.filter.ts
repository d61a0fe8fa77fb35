import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '@app/persistence/database-errors';
import { ErrorBody, errorBody } from './error-body';
import { hasRetryAfter, ValidationFailedException } from './exceptions';
import { loggableError } from './loggable-error';
import { bodyReadRefusal } from '../http/body';
import { AnyRequest, AnyResponse, rawRequest, rawResponse } from '../http/exchange';
import { requestIdOf } from '../http/request-id';

const DATABASE_RETRY_AFTER_SECONDS = 2;

/** Whatever is thrown, the client gets the shared error shape; SQL, stacks and internal messages stay in the log. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = rawRequest(http.getRequest<AnyRequest>());
    const given = http.getResponse<AnyResponse>();
    const response = rawResponse(given);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const { body, retryAfterSeconds } = this.describe(exception, requestIdOf(request));
    if (body.statusCode >= 500 && body.statusCode !== 503) {
      this.logger.error({ error: loggableError(exception), requestId: body.requestId }, 'unhandled error');
    } else if (body.statusCode === 503) {
      this.logger.warn({ error: loggableError(exception), requestId: body.requestId }, 'dependency unavailable');
    }
    if (body.statusCode === 401) {
      response.setHeader('WWW-Authenticate', 'Bearer');
    }
    if (retryAfterSeconds !== undefined) {
      response.setHeader('Retry-After', String(retryAfterSeconds));
    }
    // A refused upload is not read to its end: the connection closes after the answer instead of draining the body.
    if (!request.complete && body.statusCode < 500) response.setHeader('Connection', 'close');
    // Middleware (the api key check) gets Node's response, which fastify has not wrapped: it is answered directly.
    if ('raw' in given) {
      void given.code(body.statusCode).send(body);
      return;
    }
    const json = JSON.stringify(body);
    response.writeHead(body.statusCode, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
    response.end(json);
  }

  private describe(exception: unknown, requestId: string): { body: ErrorBody; retryAfterSeconds?: number } {
    if (exception instanceof ValidationFailedException) {
      return { body: errorBody(HttpStatus.BAD_REQUEST, exception.message, requestId, exception.details) };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return {
        body: errorBody(status, messageOf(exception), requestId),
        retryAfterSeconds: hasRetryAfter(exception) ? exception.retryAfterSeconds : undefined,
      };
    }
    const refusal = bodyReadRefusal(exception);
    if (refusal) return { body: errorBody(refusal.status, refusal.message, requestId) };
    if (isDatabaseUnavailable(exception)) {
      return {
        body: errorBody(HttpStatus.SERVICE_UNAVAILABLE, 'The database is temporarily unavailable; retry later', requestId),
        retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      };
    }
    return { body: errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error', requestId) };
  }
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
