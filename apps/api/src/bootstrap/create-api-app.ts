import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, createLogger } from '@app/http-edge';
import { AppRoleEndpoints, Environment } from '@app/config';
import { AppModule } from '../app.module';

export async function createApiApp(environment: Environment, endpoints: AppRoleEndpoints): Promise<NestFastifyApplication> {
  const logger = createLogger(environment);
  return createHttpApp(AppModule.register({ environment, endpoints }), {
    logger,
    title: 'Multi-tenant orders API',
    description:
      'Tenant API (/v1, Bearer api key); the control plane (/admin) is a service of its own. Errors share one shape: ' +
      '{statusCode, error, message, requestId, details?}. 404 is returned for resources of other tenants. 503 responses carry Retry-After.',
    bearerSchemes: ['apiKey'],
    requestTimeoutMs: environment.REQUEST_TIMEOUT_MS,
    documentRules: { rateLimitedPrefix: '/v1' },
  });
}
