import 'reflect-metadata';
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../tsconfig.json';

// Jest's moduleNameMapper does not apply to global setup: resolve the @app/* aliases here.
register({ baseUrl: `${__dirname}/..`, paths: compilerOptions.paths });

/** Starts the database for the whole integration run and publishes its endpoints to the test files. */
export default async function globalSetup(): Promise<void> {
  const { startTestDatabase, TEST_ENDPOINTS_VARIABLE, TEST_TARGET_VARIABLE } = await import('@app/testing/test-database');
  const target = process.env[TEST_TARGET_VARIABLE] === 'citus' ? 'citus' : 'embedded';
  const database = await startTestDatabase(target, (message) => process.stdout.write(message));
  process.env[TEST_ENDPOINTS_VARIABLE] = JSON.stringify(database.endpoints);
  process.stdout.write(
    `\nIntegration tests on ${target === 'citus' ? 'the local Citus cluster' : 'an embedded PostgreSQL'}` +
      `${database.pooled ? ', app roles through PgBouncer (transaction mode)' : ''}\n`,
  );
  (globalThis as { testDatabase?: { stop(): Promise<void> } }).testDatabase = database;
}
