import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { FastifyError, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Logger } from 'pino';
import { tagTraceWithRoute } from '@app/telemetry';
import { errorBody } from '../errors/error-body';
import { logAccess } from '../observability/logging';
import { observeRequest } from '../observability/metrics';
import { afterResponse } from './after-response';
import { JSON_MEDIA_TYPE } from './body';
import { EdgeFacts, recordEdgeFacts } from './exchange';
import { DrainState } from './graceful-shutdown';
import { acceptOrCreateRequestId, REQUEST_ID_HEADER, requestIdsOf } from './request-id';

export interface StreamingRoute {
  method: string;
  path: string;
  type: string;
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/** On every answer: tenant data must not be cached by a proxy or sniffed into another type by a browser. */
const STANDING_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;
const STANDING_HEADER_ENTRIES = Object.entries(STANDING_HEADERS);

export interface EdgeOptions {
  logger: Logger;
  drain: DrainState;
  requestTimeoutMs: number;
  streamingRoutes: ReadonlyArray<StreamingRoute>;
}

/**
 * What every request goes through first, before Nest's middleware, in one hook: its id, the headers every answer carries, the
 * in-flight count, one listener for the end of the response (access log and metrics), a 415 for a body that is not JSON, and the
 * deadline. The headers go on Node's response, so that answers Nest writes from middleware carry them too.
 */
export function edgeHook({ logger, drain, requestTimeoutMs, streamingRoutes }: EdgeOptions) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const started = performance.now();
    const raw = request.raw;
    const response = reply.raw;
    const template = request.routeOptions.url;
    // A catch-all ('/docs/*') is no route of the API's own.
    const routeTemplate = template === undefined || template.includes('*') ? undefined : template;
    const facts: EdgeFacts = { ...requestIdsOf(raw), routeTemplate };
    recordEdgeFacts(raw, facts);
    if (routeTemplate !== undefined) tagTraceWithRoute(routeTemplate);
    response.setHeader(REQUEST_ID_HEADER, facts.requestId);
    for (const [name, value] of STANDING_HEADER_ENTRIES) response.setHeader(name, value);
    drain.admit(response);
    afterResponse(response, (finished) => {
      if (!finished) return;
      const elapsedMs = performance.now() - started;
      observeRequest(raw.method, routeTemplate, response.statusCode, elapsedMs / 1000);
      logAccess(logger, raw, facts, response, elapsedMs);
    });
    if (!hasBody(raw)) {
      done();
      return;
    }
    const streaming = streamingRoutes.find((route) => route.method === raw.method && route.path === routeTemplate);
    if (!acceptsMediaType(raw, streaming)) {
      const expected = streaming ? streaming.type : 'application/json';
      void reply.code(415).send(errorBody(415, `Content-Type must be ${expected}`, facts.requestId));
      return;
    }
    // A streaming route's longer bound is Node's requestTimeout; a request without a body is whole once its headers are.
    if (!streaming && !raw.complete) startRequestDeadline(raw, reply, facts.requestId, requestTimeoutMs);
    done();
  };
}

/** Not JSON is a 415, not an empty body failing validation field by field; streaming routes take their own media type. */
function acceptsMediaType(request: IncomingMessage, streaming: StreamingRoute | undefined): boolean {
  const contentType = request.headers['content-type'] ?? '';
  return streaming ? contentType.toLowerCase().startsWith(streaming.type) : JSON_MEDIA_TYPE.test(contentType);
}

/** The whole request within ms. */
function startRequestDeadline(request: IncomingMessage, reply: FastifyReply, requestId: string, ms: number): void {
  const timer = setTimeout(() => {
    if (request.complete || reply.sent) return;
    void reply
      .code(408)
      .header('Connection', 'close')
      .send(errorBody(408, 'Request timed out', requestId));
  }, ms);
  timer.unref();
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
}

const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** Node's parser refuses malformed requests and timeouts before any route: they get the error shape and a request id too. */
export function answerClientErrorInShape(error: NodeJS.ErrnoException, socket: Socket): void {
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
      ...STANDING_HEADER_ENTRIES.map(([name, value]) => `${name}: ${value}`),
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

/** fastify refuses a URL it cannot route (broken percent-encoding, a path parameter over its bound) before any hook: the shape here too. */
export function answerFrameworkErrorInShape(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { requestId } = requestIdsOf(request.raw);
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const message = status === 414 ? 'A path parameter is too long' : 'Malformed URL';
  void reply
    .code(status)
    .headers({ [REQUEST_ID_HEADER]: requestId, ...STANDING_HEADERS })
    .send(errorBody(status, message, requestId));
}
