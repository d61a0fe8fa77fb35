import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { errorBody } from '../errors/error-body';
import { logAccess } from '../observability/logging';
import { observeRequest } from '../observability/metrics';
import { afterResponse } from './after-response';
import { DrainState } from './graceful-shutdown';
import { acceptOrCreateRequestId, assignRequestId, REQUEST_ID_HEADER, requestIdOf } from './request-id';

export interface StreamingRoute {
  method: string;
  path: string;
  type: string;
}

function hasBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export interface EdgeOptions {
  logger: Logger;
  drain: DrainState;
  requestTimeoutMs: number;
  streamingRoutes: ReadonlyArray<StreamingRoute>;
}

/**
 * What every request goes through before Nest, in one layer: its id, the headers every answer carries, the in-flight count,
 * one listener for the end of the response (access log and metrics), a 415 for a body that is not JSON, and the deadline.
 */
export function edgeMiddleware({ logger, drain, requestTimeoutMs, streamingRoutes }: EdgeOptions) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = performance.now();
    assignRequestId(request, response);
    // Tenant data must not be cached by a proxy or sniffed into another type by a browser.
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    drain.admit(response);
    afterResponse(response, (finished) => {
      if (!finished) return;
      const elapsedMs = performance.now() - started;
      observeRequest(request, response, elapsedMs / 1000);
      logAccess(logger, request, response, elapsedMs);
    });
    if (!hasBody(request)) {
      next();
      return;
    }
    const streaming = streamingRoutes.find((route) => route.method === request.method && route.path === request.path);
    if (!acceptsMediaType(request, streaming)) {
      const expected = streaming ? streaming.type : 'application/json';
      response.status(415).json(errorBody(415, `Content-Type must be ${expected}`, requestIdOf(request)));
      return;
    }
    // A streaming route's longer bound is Node's requestTimeout; a request without a body is whole once its headers are.
    if (!streaming && !request.complete) startRequestDeadline(request, response, requestTimeoutMs);
    next();
  };
}

/** Not JSON is a 415, not an empty body failing validation field by field; streaming routes take their own media type. */
function acceptsMediaType(request: Request, streaming: StreamingRoute | undefined): boolean {
  const contentType = request.headers['content-type'] ?? '';
  return streaming ? contentType.toLowerCase().startsWith(streaming.type) : JSON_TYPE.test(contentType);
}

/** The whole request within ms. */
function startRequestDeadline(request: Request, response: Response, ms: number): void {
  const timer = setTimeout(() => {
    if (request.complete || response.headersSent) return;
    response.setHeader('Connection', 'close');
    response.status(408).json(errorBody(408, 'Request timed out', requestIdOf(request)));
  }, ms);
  timer.unref();
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
}

const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** Node's parser answers malformed requests and timeouts itself with an empty body: give them the error shape and a request id. */
export function answerClientErrorsInShape(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
    const message = status === 431 ? 'Request headers are too large' : status === 408 ? 'Request timed out' : 'Malformed HTTP request';
    const requestId = acceptOrCreateRequestId(undefined);
    const body = JSON.stringify(errorBody(status, message, requestId));
    socket.end(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `${REQUEST_ID_HEADER}: ${requestId}`,
        'Cache-Control: no-store',
        'X-Content-Type-Options: nosniff',
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}
