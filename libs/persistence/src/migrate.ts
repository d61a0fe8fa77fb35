import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { connectionFailure, messageOf, StartupError } from '@app/config';
import { migrations } from '@migrations';
import { dataSourceOptions, MIGRATIONS_TABLE } from './connections';

export const knownMigrationNames: string[] = migrations.map((migration) => new migration().name);

/**
 * A migration waits this long for a lock, then fails whole and can be run again: a DDL queued behind a long transaction would
 * otherwise queue every tenant statement on that table behind itself (docs/online-migrations.md).
 */
export const MIGRATION_LOCK_TIMEOUT_MS = 5_000;
/** The longest statement a migration may run, on the server as on the client; a backfill goes in batches, not one statement. */
export const MIGRATION_STATEMENT_TIMEOUT_MS = 600_000;

type MigrationClass = new () => MigrationInterface;

/** The same migration, with the timeouts above: SET LOCAL in its transaction, or for the session around it (CREATE INDEX CONCURRENTLY). */
export function withMigrationTimeouts(migration: MigrationClass): MigrationClass {
  return class extends migration {
    override async up(queryRunner: QueryRunner): Promise<void> {
      const scope = queryRunner.isTransactionActive ? 'SET LOCAL' : 'SET';
      await queryRunner.query(`${scope} lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
      await queryRunner.query(`${scope} statement_timeout = ${MIGRATION_STATEMENT_TIMEOUT_MS}`);
      try {
        await super.up(queryRunner);
      } finally {
        if (scope === 'SET') await queryRunner.query('RESET lock_timeout; RESET statement_timeout');
      }
    }
  };
}

export async function runMigrations(ownerUrl: string, variable = 'DATABASE_URL'): Promise<string[]> {
  const dataSource = new DataSource({
    ...dataSourceOptions({
      url: ownerUrl,
      poolSize: 1,
      connectTimeoutMs: 10_000,
      queryTimeoutMs: MIGRATION_STATEMENT_TIMEOUT_MS + 1_000,
      applicationName: 'migrations',
    }),
    migrations: migrations.map(withMigrationTimeouts),
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw connectionFailure(error, ownerUrl, variable);
  }
  try {
    await requireCitusWhereLoaded(dataSource);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } catch (error) {
      const failed = await firstPendingMigration(dataSource);
      throw new StartupError(
        `Migration ${failed ?? '(unknown)'} failed: ${messageOf(error)}`,
        'Nothing of that migration was applied (each runs in its own transaction); fix the database or the migration and start again',
        { cause: error },
      );
    }
  } finally {
    await dataSource.destroy();
  }
}

/** A server that preloads Citus is a cluster: without the extension in this database the schema would not be distributed. */
async function requireCitusWhereLoaded(dataSource: DataSource): Promise<void> {
  const [row] = await dataSource.query<Array<{ loaded: boolean; created: boolean; database: string }>>(
    `SELECT current_setting('shared_preload_libraries') ~ '(^|[ ,])citus($|[ ,])' AS loaded,
            EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS created, current_database() AS database`,
  );
  if (row.loaded && !row.created) {
    throw new StartupError(
      `The server preloads Citus, but the extension is not created in database ${row.database}: the tables would not be distributed`,
      `Run CREATE EXTENSION citus in ${row.database} on the coordinator (and add the workers with citus_add_node), or point DATABASE_URL at the cluster's database`,
    );
  }
}

async function firstPendingMigration(dataSource: DataSource): Promise<string | undefined> {
  const rows = (await dataSource.query(`SELECT name FROM ${MIGRATIONS_TABLE}`).catch(() => [])) as Array<{ name: string }>;
  const applied = new Set(rows.map((row) => row.name));
  return knownMigrationNames.find((name) => !applied.has(name));
}
