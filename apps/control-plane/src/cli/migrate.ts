import 'reflect-metadata';
import { DatabaseRole, EnvironmentError, validateEnvironment } from '@app/config';
import { applyRolePasswords, runMigrations } from '@app/persistence';

/**
 * Deployments run this once, as the schema owner straight to the coordinator, then start the apps with MIGRATE_ON_BOOT=false. The app
 * roles' passwords, when given, are set here too: the roles exist only once the migrations ran.
 */
async function migrate(): Promise<void> {
  const environment = validateEnvironment(process.env);
  if (!environment.DATABASE_URL) {
    throw new EnvironmentError('DATABASE_URL must be set: migrations run against a configured database as the schema owner');
  }
  const applied = await runMigrations(environment.DATABASE_URL);
  if (applied.length === 0) {
    process.stdout.write('No pending migrations\n');
  } else {
    process.stdout.write(`Applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}\n`).join('')}`);
  }
  const passwords = Object.fromEntries(
    [
      [DatabaseRole.Tenant, environment.APP_TENANT_PASSWORD],
      [DatabaseRole.Control, environment.APP_CONTROL_PASSWORD],
      [DatabaseRole.Analytics, environment.APP_ANALYTICS_PASSWORD],
    ].filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  if (Object.keys(passwords).length > 0) {
    await applyRolePasswords(environment.DATABASE_URL, passwords);
    process.stdout.write(`Passwords set for ${Object.keys(passwords).join(', ')}\n`);
  }
}

migrate().then(
  () => process.exit(0),
  (error: unknown) => {
    const detail = error instanceof EnvironmentError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`Migration failed: ${detail}\n`);
    process.exit(1);
  },
);
