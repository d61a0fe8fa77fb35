import { INestApplication } from '@nestjs/common';
import type { App } from 'supertest/types';
import { Environment, validateEnvironment } from '@app/config';
import { TEST_ADMIN_TOKEN, TEST_ANALYTICS_TOKEN, testEndpoints } from '@app/testing';
import { createApiApp } from '../../src/bootstrap/create-api-app';

export interface TestApi {
  app: INestApplication;
  server: App;
  environment: Environment;
  ownerUrl: string;
  close(): Promise<void>;
}

/** The real API module on the test database, served in-process for supertest. */
export async function startTestApi(overrides: Record<string, string> = {}): Promise<TestApi> {
  const environment = validateEnvironment({
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ANALYTICS_TOKEN: TEST_ANALYTICS_TOKEN,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_ENABLED: 'false',
    ...overrides,
  });
  const endpoints = testEndpoints();
  const app = await createApiApp(environment, endpoints);
  await app.init();
  return { app, server: app.getHttpServer(), environment, ownerUrl: endpoints.owner, close: () => app.close() };
}
