import '../tracing';
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { validateEnvironment } from '@app/config';
import { generateAdminToken, installGracefulShutdown, listenOrExplain, logUnhandledRejections, runMain } from '@app/http-edge';
import { prepareDatabase } from '@app/persistence';
import { createControlPlaneApp } from '../bootstrap/create-control-plane-app';
import { DemoTenant, seedDemoTenants } from '../bootstrap/demo-seed';

const say = (message: string) => process.stdout.write(`${message}\n`);
const API_MAIN = join(__dirname, '../../../../../api/apps/api/src/main.js');
/** Owner and configuration variables the tenant API must not inherit: it gets the two app roles' URLs instead. */
const WITHHELD_FROM_API = ['DATABASE_URL', 'TENANT_DATABASE_URL', 'CONTROL_DATABASE_URL', 'CONTROL_LISTEN_URL', 'ANALYTICS_DATABASE_URL'];

/**
 * npm start: the whole system for a newcomer, from one command. The database (embedded unless DATABASE_URL is set) is migrated here,
 * the control plane serves in this process, and the tenant API runs as a process of its own with the app roles' URLs only.
 */
async function startLocal(): Promise<void> {
  const environment = validateEnvironment(process.env);
  const generatedAdminToken = !environment.ADMIN_TOKEN;
  environment.ADMIN_TOKEN ??= generateAdminToken();
  // Kept beside the embedded data, so that keys issued in one run still verify in the next.
  if (!environment.DATABASE_URL) environment.API_KEY_SECRET ??= keptSecret(join(environment.EMBEDDED_PG_DIR, 'api-key-secret'));

  const database = await prepareDatabase(environment, say);
  if (database.appliedMigrations.length > 0) say(`Applied migrations: ${database.appliedMigrations.join(', ')}`);
  const controlPlane = await createControlPlaneApp(environment, database.endpoints);
  logUnhandledRejections();
  const tenantApi: { process?: ChildProcess } = {};
  installGracefulShutdown(controlPlane, environment.SHUTDOWN_DRAIN_MS, async () => {
    await stopChild(tenantApi.process);
    await database.stop();
  });
  await listenOrExplain(() => controlPlane.listen(environment.CONTROL_PLANE_PORT, environment.HOST), environment.CONTROL_PLANE_PORT, 'CONTROL_PLANE_PORT');
  const demo = (environment.SEED_DEMO ?? database.endpoints.embedded) ? await seedDemoTenants(controlPlane) : [];

  const childEnvironment: NodeJS.ProcessEnv = { ...process.env };
  for (const variable of WITHHELD_FROM_API) Reflect.deleteProperty(childEnvironment, variable);
  Object.assign(childEnvironment, {
    TENANT_DATABASE_URL: database.endpoints.tenant,
    CONTROL_DATABASE_URL: database.endpoints.control,
    CONTROL_LISTEN_URL: database.endpoints.controlListen,
    ADMIN_TOKEN: environment.ADMIN_TOKEN,
    API_KEY_SECRET: environment.API_KEY_SECRET,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  tenantApi.process = await startApi(childEnvironment);
  const child = tenantApi.process;
  // The embedded server's own exit hook stops it at the same signal: the API is told at once, and never outlives this process.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => child.kill('SIGTERM'));
  process.once('exit', () => child.kill('SIGKILL'));
  tenantApi.process.once('exit', (code, signal) => {
    say(`The tenant API exited (${signal ?? `code ${code}`}): stopping`);
    process.kill(process.pid, 'SIGTERM');
  });
  printBanner(environment.PORT, environment.CONTROL_PLANE_PORT, environment.ADMIN_TOKEN, generatedAdminToken, demo, database.endpoints.embedded);
}

function keptSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function startApi(environment: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [API_MAIN], { env: environment, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      say(line);
      if (line.startsWith('Tenant API listening')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`the tenant API did not start (exit code ${code})`)));
  });
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function printBanner(apiPort: number, controlPort: number, adminToken: string, generated: boolean, demo: DemoTenant[], embedded: boolean): void {
  const api = `http://localhost:${apiPort}`;
  const control = `http://localhost:${controlPort}`;
  const lines = [
    '',
    `Tenant API     ${api}  (${embedded ? 'embedded PostgreSQL, single node' : 'configured database'}; OpenAPI ${api}/docs)`,
    `Control plane  ${control}  (OpenAPI ${control}/docs; ops page ${control}/admin/ui)`,
    generated ? `ADMIN_TOKEN (generated for this run; set ADMIN_TOKEN to choose one): ${adminToken}` : 'ADMIN_TOKEN: from the environment',
  ];
  if (demo.length > 0) {
    lines.push('', 'Demo tenants (keys rotate at every start):');
    for (const tenant of demo) lines.push(`  ${tenant.name.padEnd(18)} ${tenant.plan.padEnd(10)} ${tenant.apiKey}`);
    const key = demo[0].apiKey;
    lines.push(
      '',
      'Try:',
      `  curl -s ${api}/v1/tenant -H 'Authorization: Bearer ${key}'`,
      `  curl -s ${api}/v1/orders -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\`,
      `       -d '{"countryCode":"US","items":[{"sku":"BOOK-1","quantity":2,"unitPriceCents":1500}]}'`,
      `  curl -s ${api}/v1/orders -H 'Authorization: Bearer ${key}'`,
      `  curl -s ${control}/admin/tenants -H 'Authorization: Bearer ${adminToken}'`,
    );
  }
  say(lines.join('\n'));
}

runMain(startLocal);
