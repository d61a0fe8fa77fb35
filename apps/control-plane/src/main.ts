import './tracing';
import 'reflect-metadata';
import { validateEnvironment } from '@app/config';
import { generateAdminToken, installGracefulShutdown, listenOrExplain, logUnhandledRejections, runMain } from '@app/http-edge';
import { prepareDatabase } from '@app/persistence';
import { createControlPlaneApp } from './bootstrap/create-control-plane-app';

const say = (message: string) => process.stdout.write(`${message}\n`);

async function bootstrap(): Promise<void> {
  const environment = validateEnvironment(process.env);
  if (!environment.ADMIN_TOKEN) {
    environment.ADMIN_TOKEN = generateAdminToken();
    say(`ADMIN_TOKEN (generated for this run; set ADMIN_TOKEN to choose one): ${environment.ADMIN_TOKEN}`);
  }
  const database = await prepareDatabase(environment, say);
  if (database.appliedMigrations.length > 0) say(`Applied migrations: ${database.appliedMigrations.join(', ')}`);
  const app = await createControlPlaneApp(environment, database.endpoints);
  logUnhandledRejections();
  installGracefulShutdown(app, environment.SHUTDOWN_DRAIN_MS, () => database.stop());
  await listenOrExplain(() => app.listen(environment.CONTROL_PLANE_PORT, environment.HOST), environment.CONTROL_PLANE_PORT, 'CONTROL_PLANE_PORT');
  const base = `http://localhost:${environment.CONTROL_PLANE_PORT}`;
  say(`Control plane listening on ${base}  (OpenAPI: ${base}/docs, ops page: ${base}/admin/ui)`);
}

runMain(bootstrap);
