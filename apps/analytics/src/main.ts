import './tracing';
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { installGracefulShutdown, logUnhandledRejections, runMain, listenOrExplain } from '@app/http-edge';
import { validateEnvironment } from '@app/config';
import { prepareDatabase } from '@app/persistence';
import { createAnalyticsApp } from './bootstrap/create-analytics-app';

const say = (message: string) => process.stdout.write(`${message}\n`);

async function bootstrap(): Promise<void> {
  const environment = validateEnvironment(process.env);
  let generatedToken = false;
  if (!environment.ANALYTICS_TOKEN) {
    environment.ANALYTICS_TOKEN = `anl_${randomBytes(24).toString('base64url')}`;
    generatedToken = true;
  }

  const database = await prepareDatabase(environment, say);
  if (database.appliedMigrations.length > 0) say(`Applied migrations: ${database.appliedMigrations.join(', ')}`);

  const app = await createAnalyticsApp(environment, database.endpoints);
  logUnhandledRejections();
  installGracefulShutdown(app, environment.SHUTDOWN_DRAIN_MS, () => database.stop());

  await listenOrExplain(() => app.listen(environment.ANALYTICS_PORT, environment.HOST), environment.ANALYTICS_PORT, 'ANALYTICS_PORT');
  printBanner(environment.ANALYTICS_PORT, environment.ANALYTICS_TOKEN, generatedToken, environment.ROLLUP_INTERVAL_SECONDS, database.endpoints.embedded);
}

function printBanner(port: number, token: string, generated: boolean, rollupIntervalSeconds: number, embedded: boolean): void {
  const base = `http://localhost:${port}`;
  say(
    [
      '',
      `Analytics listening on ${base}  (${embedded ? 'embedded PostgreSQL, single node' : 'configured database'})`,
      `OpenAPI: ${base}/docs`,
      generated ? `ANALYTICS_TOKEN (generated for this run; set ANALYTICS_TOKEN to choose one): ${token}` : 'ANALYTICS_TOKEN: from the environment',
      rollupIntervalSeconds > 0
        ? `Rollup refresh every ${rollupIntervalSeconds} s (and on demand: npm run rollup)`
        : 'Rollup schedule off (ROLLUP_INTERVAL_SECONDS=0): npm run rollup',
      '',
      'Try:',
      `  curl -s '${base}/analytics/revenue-by-country' -H 'Authorization: Bearer ${token}'`,
      `  curl -s '${base}/analytics/top-tenants?limit=5' -H 'Authorization: Bearer ${token}'`,
      `  curl -s '${base}/analytics/daily?days=7' -H 'Authorization: Bearer ${token}'`,
    ].join('\n'),
  );
}

runMain(bootstrap);
