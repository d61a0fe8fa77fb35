import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, createLogger } from '@app/http-edge';
import { DatabaseEndpoints, Environment } from '@app/config';
import { AppModule } from '../app.module';

export async function createAnalyticsApp(environment: Environment, endpoints: DatabaseEndpoints): Promise<NestFastifyApplication> {
  const logger = createLogger(environment);
  return createHttpApp(AppModule.register({ environment, endpoints }), {
    logger,
    title: 'Cross-tenant analytics',
    description:
      'Read-only answers across every tenant (Bearer ANALYTICS_TOKEN; tenant api keys and the admin token get 403). ' +
      'Revenue counts the orders that are not cancelled, by their creation time; days are UTC days. Answers are exact: ' +
      'daily rollups plus the orders changed since the rollup was last refreshed. Errors share one shape: ' +
      '{statusCode, error, message, requestId, details?}. 503 responses carry Retry-After.',
    bearerSchemes: ['analyticsToken'],
    requestTimeoutMs: environment.REQUEST_TIMEOUT_MS,
  });
}
