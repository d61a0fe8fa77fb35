import fastifyMiddie from '@fastify/middie';
import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AllExceptionsFilter } from '../errors/all-exceptions.filter';
import { PinoNestLogger } from '../observability/logging';
import { createValidationPipe } from '../validation/validation';
import { BODY_LIMIT_BYTES, installBodyReaders } from './body';
import { answerClientErrorInShape, answerFrameworkErrorInShape, edgeHook, StreamingRoute } from './edge';
import { DrainState } from './graceful-shutdown';
import { completeDocument, DocumentRules } from './openapi';

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

/** Long enough for any id or cursor a route takes; past it fastify answers 414 instead of routing. */
const MAX_PATH_PARAMETER_LENGTH = 2048;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Every app's HTTP server: NestJS on fastify, the edge hook first (so even a refused body gets a request id), the JSON reader, one
 * exception filter, one validation pipe and the OpenAPI document. Ready to serve (and to be called by supertest) when it resolves.
 */
export async function createHttpApp(module: DynamicModule, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Express's routing, which the contract was written against: /v1/orders/ and /V1/Orders are /v1/orders.
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    clientErrorHandler: answerClientErrorInShape,
    frameworkErrors: answerFrameworkErrorInShape,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: Math.max(options.requestTimeoutMs, options.streamingTimeoutMs ?? 0),
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bodyParser: false, logger: new PinoNestLogger(options.logger) });
  // Nest's middleware (the api key check) after the body is read, as on express: a body that cannot be read is refused first.
  await app.register(fastifyMiddie, { hook: 'preHandler' });
  adapter.setOnRequestHook(
    edgeHook({
      logger: options.logger,
      drain: app.get(DrainState),
      requestTimeoutMs: options.requestTimeoutMs,
      streamingRoutes: options.streamingRoutes ?? [],
    }),
  );
  installBodyReaders(adapter.getInstance());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(createValidationPipe());
  serveOpenApi(app, options);
  app.getHttpServer().headersTimeout = Math.min(options.requestTimeoutMs, 60_000);
  await app.init();
  await adapter.getInstance().ready();
  return app;
}

function serveOpenApi(app: INestApplication, options: HttpAppOptions): void {
  const builder = new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('1.0');
  for (const scheme of options.bearerSchemes) {
    builder.addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque token' }, scheme);
  }
  const document = completeDocument(SwaggerModule.createDocument(app, builder.build()), {
    infrastructurePaths: ['/health/live'],
    ...options.documentRules,
  });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
