import { INestApplication } from '@nestjs/common';
import type { App } from 'supertest/types';
import { appRolesOf, Environment, validateEnvironment } from '@app/config';
import { TEST_ADMIN_TOKEN, TEST_ANALYTICS_TOKEN, TEST_API_KEY_SECRET, testEndpoints } from '@app/testing';
import { createControlPlaneApp } from '../../../control-plane/src/bootstrap/create-control-plane-app';
import { createApiApp } from '../../src/bootstrap/create-api-app';

export interface TestApi {
  app: INestApplication;
  /** The tenant API (/v1), started with the app roles' URLs only. */
  server: App;
  /** The control plane (/admin, the ops page), a service of its own. */
  admin: App;
  controlPlane: INestApplication;
  environment: Environment;
  ownerUrl: string;
  close(): Promise<void>;
}

/** The real tenant API and control plane on the test database, each served in-process for supertest. */
export async function startTestApi(overrides: Record<string, string> = {}): Promise<TestApi> {
  const environment = validateEnvironment({
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ANALYTICS_TOKEN: TEST_ANALYTICS_TOKEN,
    API_KEY_SECRET: TEST_API_KEY_SECRET,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_ENABLED: 'false',
    ...overrides,
  });
  const endpoints = testEndpoints();
  const controlPlane = await createControlPlaneApp(environment, endpoints);
  await controlPlane.init();
  const app = await createApiApp(environment, appRolesOf(endpoints));
  await app.init();
  return {
    app,
    server: app.getHttpServer(),
    admin: controlPlane.getHttpServer(),
    controlPlane,
    environment,
    ownerUrl: endpoints.owner,
    close: async () => {
      await app.close();
      await controlPlane.close();
    },
  };
}
