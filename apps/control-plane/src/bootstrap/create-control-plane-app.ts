import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DatabaseEndpoints, Environment } from '@app/config';
import { createHttpApp, createLogger } from '@app/http-edge';
import { ControlPlaneModule } from '../app.module';

export async function createControlPlaneApp(environment: Environment, endpoints: DatabaseEndpoints): Promise<NestFastifyApplication> {
  const logger = createLogger(environment);
  return createHttpApp(ControlPlaneModule.register({ environment, endpoints }), {
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
}
