import { DatabaseEndpoints, endpointsFromEnvironment, Environment } from '@app/config';
import { runMigrations, startEmbeddedDatabase } from '@app/persistence';

export interface PreparedDatabase {
  endpoints: DatabaseEndpoints;
  appliedMigrations: string[];
  /** Stops the embedded server; a no-op for a configured database. */
  stop(): Promise<void>;
}

/**
 * With DATABASE_URL: that database. Without: the embedded PostgreSQL under EMBEDDED_PG_DIR.
 * Either way the migrations run first (as the owner), unless MIGRATE_ON_BOOT is off.
 */
export async function prepareDatabase(environment: Environment, log: (message: string) => void): Promise<PreparedDatabase> {
  if (environment.DATABASE_URL) {
    const endpoints = endpointsFromEnvironment(environment);
    const appliedMigrations = environment.MIGRATE_ON_BOOT ? await runMigrations(endpoints.owner) : [];
    return { endpoints, appliedMigrations, stop: async () => undefined };
  }
  log(`No DATABASE_URL: starting the embedded PostgreSQL in ${environment.EMBEDDED_PG_DIR} on port ${environment.EMBEDDED_PG_PORT}`);
  const embedded = await startEmbeddedDatabase({ directory: environment.EMBEDDED_PG_DIR, port: environment.EMBEDDED_PG_PORT });
  try {
    const appliedMigrations = await runMigrations(embedded.endpoints.owner);
    await embedded.applyRolePasswords();
    return { endpoints: embedded.endpoints, appliedMigrations, stop: () => embedded.stop() };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
