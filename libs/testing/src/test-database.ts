import { join } from 'node:path';
import { DatabaseEndpoints, DatabaseRole, withCredentials } from '@app/config';
import { runMigrations } from '@app/persistence';
import { findPgBouncer, startPgBouncer } from './pgbouncer';
import { startThrowawayDatabase } from './throwaway-database';

/** Where integration tests run: the embedded single node (default) or the local Citus cluster. */
export type TestTarget = 'embedded' | 'citus';

export interface TestDatabase {
  target: TestTarget;
  endpoints: DatabaseEndpoints;
  /** True when the app roles connect through PgBouncer in transaction mode. */
  pooled: boolean;
  stop(): Promise<void>;
}

export const TEST_ENDPOINTS_VARIABLE = 'TEST_DATABASE_ENDPOINTS';
export const TEST_TARGET_VARIABLE = 'TEST_TARGET';

/** The local cluster of `npm run cluster:up`: owner direct to the coordinator, roles through PgBouncer. */
export function citusClusterEndpoints(environment: NodeJS.ProcessEnv = process.env): DatabaseEndpoints {
  const coordinator = `postgres://postgres@127.0.0.1:${environment.CLUSTER_COORDINATOR_PORT ?? 9700}/app`;
  const pooled = `postgres://postgres@127.0.0.1:${environment.CLUSTER_PGBOUNCER_PORT ?? 6432}/app`;
  return {
    owner: coordinator,
    tenant: withCredentials(pooled, DatabaseRole.Tenant),
    control: withCredentials(pooled, DatabaseRole.Control),
    controlListen: withCredentials(coordinator, DatabaseRole.Control),
    analytics: withCredentials(pooled, DatabaseRole.Analytics),
    embedded: false,
  };
}

/**
 * Starts (or attaches to) the database the integration tests run against, migrated. On the
 * embedded target, PgBouncer in transaction mode is put in front of the app roles whenever it
 * is installed, so the pooled path is what the tests exercise.
 */
export async function startTestDatabase(target: TestTarget, log: (message: string) => void): Promise<TestDatabase> {
  if (target === 'citus') {
    const endpoints = citusClusterEndpoints();
    await runMigrations(endpoints.owner);
    return { target, endpoints, pooled: true, stop: () => Promise.resolve() };
  }

  const embedded = await startThrowawayDatabase('orders-test-');
  const cleanUp = () => embedded.stop();
  if (!findPgBouncer()) {
    log(
      '\n!!! PgBouncer is not installed: integration tests connect DIRECTLY to PostgreSQL.\n' +
        '!!! The pooled (transaction mode) path is NOT tested. Install it: apt-get install pgbouncer\n',
    );
    return { target, endpoints: embedded.endpoints, pooled: false, stop: cleanUp };
  }
  const passwords = Object.fromEntries(
    Object.values(DatabaseRole).map((role) => [role, decodeURIComponent(new URL(embedded.endpoints[roleKey(role)]).password)]),
  );
  const bouncer = await startPgBouncer({
    directory: join(embedded.directory, 'pgbouncer'),
    upstreamPort: Number(new URL(embedded.endpoints.owner).port),
    users: passwords,
  });
  const through = (url: string) => {
    const parsed = new URL(url);
    parsed.port = String(bouncer.port);
    return parsed.toString();
  };
  return {
    target,
    pooled: true,
    endpoints: {
      ...embedded.endpoints,
      tenant: through(embedded.endpoints.tenant),
      control: through(embedded.endpoints.control),
      analytics: through(embedded.endpoints.analytics),
    },
    stop: async () => {
      bouncer.stop();
      await cleanUp();
    },
  };
}

function roleKey(role: string): 'tenant' | 'control' | 'analytics' {
  if (role === DatabaseRole.Tenant) return 'tenant';
  if (role === DatabaseRole.Control) return 'control';
  return 'analytics';
}

/** The endpoints the global setup published for the test files. */
export function testEndpoints(): DatabaseEndpoints {
  const published = process.env[TEST_ENDPOINTS_VARIABLE];
  if (!published) throw new Error(`${TEST_ENDPOINTS_VARIABLE} is not set: run the integration tests through their jest config`);
  return JSON.parse(published) as DatabaseEndpoints;
}

export function testTarget(): TestTarget {
  return process.env[TEST_TARGET_VARIABLE] === 'citus' ? 'citus' : 'embedded';
}
