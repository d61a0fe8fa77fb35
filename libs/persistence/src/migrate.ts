import { DataSource } from 'typeorm';
import { migrations } from '@migrations';
import { dataSourceOptions } from './connections';

/** Runs pending migrations as the schema owner, one transaction per migration. Returns their names. */
export async function runMigrations(ownerUrl: string): Promise<string[]> {
  const dataSource = new DataSource(
    dataSourceOptions({ url: ownerUrl, poolSize: 1, connectTimeoutMs: 10_000, queryTimeoutMs: 600_000, applicationName: 'migrations' }),
  );
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Names of every migration this build knows, for readiness checks. */
export const knownMigrationNames: string[] = migrations.map((migration) => new migration().name as string);
