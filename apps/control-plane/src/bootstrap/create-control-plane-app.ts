import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DatabaseEndpoints, Environment } from '@app/config';
import { configureHttpApp, createLogger, PinoNestLogger } from '@app/http-edge';
import { ControlPlaneModule } from '../app.module';

export async function createControlPlaneApp(environment: Environment, endpoints: DatabaseEndpoints): Promise<INestApplication> {
  const logger = createLogger(environment);
  const app = await NestFactory.create(ControlPlaneModule.register({ environment, endpoints }), { bodyParser: false, logger: new PinoNestLogger(logger) });
  configureHttpApp(app, {
    logger,
    title: 'Multi-tenant orders: control plane',
    description:
      'Tenants, api keys, archives, cluster operations, audit and the ops page (/admin, Bearer ADMIN_TOKEN). Errors share one shape: ' +
      '{statusCode, error, message, requestId, details?}. 503 responses carry Retry-After.',
    bearerSchemes: ['adminToken'],
    requestTimeoutMs: environment.REQUEST_TIMEOUT_MS,
    streamingTimeoutMs: environment.IMPORT_TIMEOUT_MS,
    streamingRoutes: [{ method: 'POST', path: '/admin/tenants/import', type: 'application/x-ndjson' }],
  });
  return app;
}
