import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp, createLogger, PinoNestLogger } from '@app/http-edge';
import { DatabaseEndpoints, Environment } from '@app/config';
import { AppModule } from '../app.module';

export async function createApiApp(environment: Environment, endpoints: DatabaseEndpoints): Promise<INestApplication> {
  const logger = createLogger(environment);
  const app = await NestFactory.create(AppModule.register({ environment, endpoints }), { bodyParser: false, logger: new PinoNestLogger(logger) });
  configureHttpApp(app, {
    logger,
    title: 'Multi-tenant orders API',
    description:
      'Tenant API (/v1, Bearer api key) and control plane (/admin, Bearer ADMIN_TOKEN). Errors share one shape: ' +
      '{statusCode, error, message, requestId, details?}. 404 is returned for resources of other tenants. 503 responses carry Retry-After.',
    bearerSchemes: ['apiKey', 'adminToken'],
    requestTimeoutMs: environment.REQUEST_TIMEOUT_MS,
    streamingTimeoutMs: environment.IMPORT_TIMEOUT_MS,
    streamingRoutes: [{ method: 'POST', path: '/admin/tenants/import', type: 'application/x-ndjson' }],
    documentRules: { rateLimitedPrefix: '/v1' },
  });
  return app;
}
