import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Server } from 'node:http';
import express, { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { errorBody } from '../errors/error-body';
import type { FieldError } from '../errors/exceptions';
import { AllExceptionsFilter } from '../errors/all-exceptions.filter';
import { createValidationPipe } from '../validation/validation';
import { answerClientErrorsInShape, edgeMiddleware, StreamingRoute } from './edge';
import { DrainState } from './graceful-shutdown';
import { completeDocument, DocumentRules } from './openapi';
import { requestIdOf } from './request-id';

export const BODY_LIMIT = '1mb';

export interface HttpAppOptions {
  title: string;
  description: string;
  bearerSchemes: string[];
  requestTimeoutMs: number;
  streamingTimeoutMs?: number;
  streamingRoutes?: StreamingRoute[];
  documentRules?: DocumentRules;
  logger: Logger;
}

/** The edge first (so even a rejected body gets a request id), then the body parser, then Nest; create the app with bodyParser: false. */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions): void {
  const instance = app.getHttpAdapter().getInstance() as express.Express;
  instance.disable('x-powered-by');
  // Every response is Cache-Control: no-store, so an ETag would only cost a hash per response.
  instance.disable('etag');
  app.use(
    edgeMiddleware({
      logger: options.logger,
      drain: app.get(DrainState),
      requestTimeoutMs: options.requestTimeoutMs,
      streamingRoutes: options.streamingRoutes ?? [],
    }),
  );
  app.use(jsonBodyMiddleware());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(createValidationPipe());

  const builder = new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('1.0');
  for (const scheme of options.bearerSchemes) {
    builder.addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque token' }, scheme);
  }
  const document = completeDocument(SwaggerModule.createDocument(app, builder.build()), {
    infrastructurePaths: ['/health/live'],
    ...options.documentRules,
  });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  const server = app.getHttpServer() as Server;
  answerClientErrorsInShape(server);
  server.requestTimeout = Math.max(options.requestTimeoutMs, options.streamingTimeoutMs ?? 0);
  server.headersTimeout = Math.min(options.requestTimeoutMs, 60_000);
  server.keepAliveTimeout = 65_000;
}

/** The JSON body, refused in the error shape when it cannot be read or is not an object; requests without one skip it all. */
function jsonBodyMiddleware() {
  const parse = express.json({ limit: BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] });
  return (request: Request, response: Response, next: NextFunction): void => {
    // The parser's own test for a body: any Content-Length (0 too) or Transfer-Encoding.
    if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) {
      next();
      return;
    }
    parse(request, response, (error?: unknown) => {
      if (error) bodyParserError(error as Error & { type?: string; status?: number }, request, response, next);
      else rejectNonObjectBodies(request, response, next);
    });
  };
}

function bodyParserError(error: Error & { type?: string; status?: number }, request: Request, response: Response, next: NextFunction): void {
  if (!error.type && !(typeof error.status === 'number' && error.status >= 400 && error.status < 500)) {
    next(error);
    return;
  }
  const requestId = requestIdOf(request);
  const [status, message] =
    error.type === 'entity.too.large'
      ? [413, `Request body exceeds ${BODY_LIMIT}`]
      : error.type === 'entity.parse.failed'
        ? [400, 'Request body is not valid JSON']
        : error.type === 'encoding.unsupported' || error.type === 'charset.unsupported'
          ? [415, 'Unsupported request body encoding']
          : [error.status && error.status < 500 ? error.status : 400, 'Request body could not be read'];
  response.status(status).json(errorBody(status, message, requestId));
}

function rejectNonObjectBodies(request: Request, response: Response, next: NextFunction): void {
  const body: unknown = request.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    response.status(400).json(errorBody(400, 'Request body must be a JSON object', requestIdOf(request)));
    return;
  }
  const refused = body === undefined ? undefined : refusedField(body, '', 0);
  if (refused !== undefined) {
    response.status(400).json(errorBody(400, 'Validation failed', requestIdOf(request), [refused]));
    return;
  }
  next();
}

/** What the validation pipe cannot refuse: __proto__ and constructor keys, unbounded nesting, and NUL (PostgreSQL text cannot hold it). */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_BODY_DEPTH = 32;

function refusedField(value: unknown, path: string, depth: number): FieldError | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? { field: path, message: 'must not contain NUL characters' } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_BODY_DEPTH) return { field: path, message: `is nested deeper than ${MAX_BODY_DEPTH} levels` };
  for (const [key, child] of Object.entries(value)) {
    const field = Array.isArray(value) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    if (!Array.isArray(value) && RESERVED_KEYS.has(key)) return { field, message: 'is not a known field' };
    const refused = refusedField(child, field, depth + 1);
    if (refused !== undefined) return refused;
  }
  return undefined;
}
