import { DatabaseEndpoints, endpointsFromEnvironment, Environment } from '@app/config';
import { runMigrations } from './migrate';

export interface PreparedDatabase {
  endpoints: DatabaseEndpoints;
  appliedMigrations: string[];
  stop(): Promise<void>;
}

export async function prepareDatabase(environment: Environment, log: (message: string) => void): Promise<PreparedDatabase> {
  if (environment.DATABASE_URL) {
    const endpoints = endpointsFromEnvironment(environment);
    const appliedMigrations = environment.MIGRATE_ON_BOOT ? await runMigrations(endpoints.owner) : [];
    return { endpoints, appliedMigrations, stop: () => Promise.resolve() };
  }
  log(`No DATABASE_URL: using the embedded PostgreSQL in ${environment.EMBEDDED_PG_DIR} on port ${environment.EMBEDDED_PG_PORT}`);
  // A relative path: the build rewrites @app/ names in static imports only.
  const { startEmbeddedDatabase } = await import('../../dev-database/src');
  const embedded = await startEmbeddedDatabase({ directory: environment.EMBEDDED_PG_DIR, port: environment.EMBEDDED_PG_PORT });
  if (embedded.attached) log('The embedded PostgreSQL was already running (started by another process of this project): attached to it');
  try {
    const appliedMigrations = await runMigrations(embedded.endpoints.owner);
    await embedded.applyRolePasswords();
    return { endpoints: embedded.endpoints, appliedMigrations, stop: () => embedded.stop() };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
