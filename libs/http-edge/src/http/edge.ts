import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { errorBody } from '../errors/error-body';
import { acceptOrCreateRequestId, REQUEST_ID_HEADER, requestIdOf } from './request-id';

export interface StreamingRoute {
  method: string;
  path: string;
  type: string;
}

function hasBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

function streamingRouteOf(request: Request, routes: ReadonlyArray<StreamingRoute>): StreamingRoute | undefined {
  return routes.find((route) => route.method === request.method && route.path === request.path);
}

/** Tenant data must not be cached by a proxy or sniffed into another type by a browser. */
export function securityHeadersMiddleware(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  next();
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Not JSON is a 415, not an empty body failing validation field by field; streaming routes take their own media type. */
export function mediaTypeMiddleware(streamingRoutes: ReadonlyArray<StreamingRoute>) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!hasBody(request)) {
      next();
      return;
    }
    const contentType = request.headers['content-type'] ?? '';
    const streaming = streamingRouteOf(request, streamingRoutes);
    const accepted = streaming ? contentType.toLowerCase().startsWith(streaming.type) : JSON_TYPE.test(contentType);
    if (accepted) {
      next();
      return;
    }
    const expected = streaming ? streaming.type : 'application/json';
    response.status(415).json(errorBody(415, `Content-Type must be ${expected}`, requestIdOf(request)));
  };
}

/** The whole request within ms, except the streaming routes (Node's requestTimeout carries their longer bound). */
export function requestDeadlineMiddleware(ms: number, streamingRoutes: ReadonlyArray<StreamingRoute>) {
  return (request: Request, response: Response, next: NextFunction): void => {
    // A request without a body is whole once its headers are (Node's headersTimeout bounds those).
    if (!hasBody(request) || request.complete || streamingRouteOf(request, streamingRoutes)) {
      next();
      return;
    }
    const timer = setTimeout(() => {
      if (request.complete || response.headersSent) return;
      response.setHeader('Connection', 'close');
      response.status(408).json(errorBody(408, 'Request timed out', requestIdOf(request)));
    }, ms);
    timer.unref();
    request.once('end', () => clearTimeout(timer));
    request.once('close', () => clearTimeout(timer));
    next();
  };
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
