import { INestApplication } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import type { App } from 'supertest/types';
import { Environment, validateEnvironment } from '@app/config';
import { RollupRefresh } from '../../src/rollup/rollup.repository';
import { TEST_ADMIN_TOKEN, TEST_ANALYTICS_TOKEN, testEndpoints } from '@app/testing';
import { createAnalyticsApp } from '../../src/bootstrap/create-analytics-app';
import { RollupService } from '../../src/rollup/rollup.service';

export interface TestAnalytics {
  app: INestApplication;
  server: App;
  environment: Environment;
  ownerUrl: string;
  analyticsUrl: string;
  /** One refresh now, as `npm run rollup` does (the schedule is off in tests). */
  refresh(): Promise<RollupRefresh>;
  close(): Promise<void>;
}

/** The real analytics module on the test database, served in-process for supertest. */
export async function startTestAnalytics(overrides: Record<string, string> = {}): Promise<TestAnalytics> {
  const environment = validateEnvironment({
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ANALYTICS_TOKEN: TEST_ANALYTICS_TOKEN,
    LOG_LEVEL: 'silent',
    ROLLUP_INTERVAL_SECONDS: '0',
    ...overrides,
  });
  const endpoints = testEndpoints();
  const app = await createAnalyticsApp(environment, endpoints);
  await app.init();
  return {
    app,
    server: app.getHttpServer(),
    environment,
    ownerUrl: endpoints.owner,
    analyticsUrl: endpoints.analytics,
    refresh: () => app.get(RollupService).refresh({ wait: true }),
    close: () => app.close(),
  };
}

/**
 * Other suites may write to the same database while an answer is compared (the Citus target
 * is shared): the expectation is computed before and after the request, and the answer is
 * compared only when nothing changed in between.
 */
export async function expectSameAnswer<T>(expected: () => Promise<T>, actual: () => Promise<T>): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const before = await expected();
    const answer = await actual();
    const after = await expected();
    if (isDeepStrictEqual(before, after)) {
      expect(answer).toEqual(before);
      return;
    }
  }
  throw new Error('the data kept changing under the comparison');
}
