import 'reflect-metadata';
import { generateAdminToken, installGracefulShutdown, listenOrExplain, logUnhandledRejections, runMain } from '@app/http-edge';
import { validateEnvironment } from '@app/config';
import { prepareDatabase } from '@app/persistence';
import { createApiApp } from './bootstrap/create-api-app';
import { DemoTenant, seedDemoTenants } from './bootstrap/demo-seed';

const say = (message: string) => process.stdout.write(`${message}\n`);

/** Node's default backlog (511) overflows in the 1,000-client storm: dropped SYNs retry after 1, 3, 7 s and time out. Capped by somaxconn. */
const LISTEN_BACKLOG = 2048;

async function bootstrap(): Promise<void> {
  const environment = validateEnvironment(process.env);
  let generatedAdminToken = false;
  if (!environment.ADMIN_TOKEN) {
    environment.ADMIN_TOKEN = generateAdminToken();
    generatedAdminToken = true;
  }

  const database = await prepareDatabase(environment, say);
  if (database.appliedMigrations.length > 0) say(`Applied migrations: ${database.appliedMigrations.join(', ')}`);

  const app = await createApiApp(environment, database.endpoints);
  logUnhandledRejections();
  installGracefulShutdown(app, environment.SHUTDOWN_DRAIN_MS, () => database.stop());

  const demo = (environment.SEED_DEMO ?? database.endpoints.embedded) ? await seedDemoTenants(app) : [];
  // Nest hands extra arguments on to http.Server#listen(port, host, backlog); its typings stop at host.
  const listener = app as unknown as { listen(port: number, host: string, backlog: number): Promise<unknown> };
  await listenOrExplain(() => listener.listen(environment.PORT, environment.HOST, LISTEN_BACKLOG), environment.PORT, 'PORT');
  printBanner(environment.PORT, environment.ADMIN_TOKEN, generatedAdminToken, demo, database.endpoints.embedded);
}

function printBanner(port: number, adminToken: string, generated: boolean, demo: DemoTenant[], embedded: boolean): void {
  const base = `http://localhost:${port}`;
  const lines = [
    '',
    `API listening on ${base}  (${embedded ? 'embedded PostgreSQL, single node' : 'configured database'})`,
    `OpenAPI: ${base}/docs    Ops page: ${base}/admin/ui`,
    generated ? `ADMIN_TOKEN (generated for this run; set ADMIN_TOKEN to choose one): ${adminToken}` : 'ADMIN_TOKEN: from the environment',
  ];
  if (demo.length > 0) {
    lines.push('', 'Demo tenants (keys rotate at every start):');
    for (const tenant of demo) lines.push(`  ${tenant.name.padEnd(18)} ${tenant.plan.padEnd(10)} ${tenant.apiKey}`);
    const key = demo[0].apiKey;
    lines.push(
      '',
      'Try:',
      `  curl -s ${base}/v1/tenant -H 'Authorization: Bearer ${key}'`,
      `  curl -s ${base}/v1/orders -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\`,
      `       -d '{"countryCode":"US","items":[{"sku":"BOOK-1","quantity":2,"unitPriceCents":1500}]}'`,
      `  curl -s ${base}/v1/orders -H 'Authorization: Bearer ${key}'`,
      `  curl -s ${base}/admin/tenants -H 'Authorization: Bearer ${adminToken}'`,
    );
  }
  say(lines.join('\n'));
}

runMain(bootstrap);
