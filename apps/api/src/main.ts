import './tracing';
import 'reflect-metadata';
import { appRoleEndpointsFromEnvironment, AppRoleEndpoints, appRolesOf, validateEnvironment } from '@app/config';
import { installGracefulShutdown, listenOrExplain, logUnhandledRejections, runMain } from '@app/http-edge';
import { prepareDatabase } from '@app/persistence';
import { createApiApp } from './bootstrap/create-api-app';

const say = (message: string) => process.stdout.write(`${message}\n`);

/** Node's default backlog (511) overflows in the 1,000-client storm: dropped SYNs retry after 1, 3, 7 s and time out. Capped by somaxconn. */
const LISTEN_BACKLOG = 2048;

/**
 * In production the tenant API is given the two app roles' URLs and nothing else. DATABASE_URL alone (development) or nothing (the
 * embedded database) also work: then the owner's URL runs the migrations at boot and is not kept.
 */
async function bootstrap(): Promise<void> {
  const environment = validateEnvironment(process.env);
  let endpoints: AppRoleEndpoints | undefined = appRoleEndpointsFromEnvironment(environment);
  let stopDatabase = () => Promise.resolve();
  if (!endpoints) {
    const database = await prepareDatabase(environment, say);
    if (database.appliedMigrations.length > 0) say(`Applied migrations: ${database.appliedMigrations.join(', ')}`);
    endpoints = appRolesOf(database.endpoints);
    stopDatabase = () => database.stop();
  }

  const app = await createApiApp(environment, endpoints);
  logUnhandledRejections();
  installGracefulShutdown(app, environment.SHUTDOWN_DRAIN_MS, stopDatabase);
  await listenOrExplain(() => app.listen({ port: environment.PORT, host: environment.HOST, backlog: LISTEN_BACKLOG }), environment.PORT, 'PORT');
  say(`Tenant API listening on http://localhost:${environment.PORT}  (OpenAPI: http://localhost:${environment.PORT}/docs)`);
}

runMain(bootstrap);
