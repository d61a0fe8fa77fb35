import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseEndpoints } from '@app/config';
import { startEmbeddedDatabase } from '@app/dev-database';
import { runMigrations } from '@app/persistence';
import { freePort } from './free-port';

export interface ThrowawayDatabase {
  endpoints: DatabaseEndpoints;
  /** The temporary folder, removed by stop(): room for companions such as PgBouncer. */
  directory: string;
  /** Stops the server and deletes its folder. */
  stop(): Promise<void>;
}

/**
 * An embedded PostgreSQL in a temporary folder on a free port, migrated and with the role
 * passwords applied: what the integration tests and the benchmarks start from.
 */
export async function startThrowawayDatabase(prefix: string, databaseName?: string): Promise<ThrowawayDatabase> {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  const embedded = await startEmbeddedDatabase({ directory, port: await freePort(), databaseName });
  const stop = async () => {
    await embedded.stop();
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    await runMigrations(embedded.endpoints.owner);
    await embedded.applyRolePasswords();
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints: embedded.endpoints, directory, stop };
}
