import { Client } from 'pg';
import { DatabaseEndpoints, DatabaseRole, withCredentials } from '@app/config';
import { withDatabase } from '@app/dev-database';
import { runMigrations } from '@app/persistence';
import { assertDurableCluster, startThrowawayDatabase } from '@app/testing';

export const BENCH_DATABASE = 'bench';

export interface BenchTarget {
  name: 'citus' | 'single-node';
  label: string;
  endpoints: DatabaseEndpoints;
  stop(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The coordinator of the local cluster (scripts/cluster-up.sh), if it runs with Citus. */
export function clusterCoordinatorUrl(database: string): string {
  return `postgres://postgres@127.0.0.1:${process.env.CLUSTER_COORDINATOR_PORT ?? 9700}/${database}`;
}

export async function citusUnavailableReason(): Promise<string | undefined> {
  try {
    const rows = await withClient(
      clusterCoordinatorUrl('app'),
      async (client) => (await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`)).rows,
    );
    return rows.length === 1 ? undefined : 'the local cluster runs without the citus extension';
  } catch (error) {
    return `the local cluster does not answer (${(error as Error).message}); start it with npm run cluster:up`;
  }
}

/**
 * A database of its own on the local cluster, so the bench never touches `app`: created on
 * every node of `app`'s cluster, the nodes registered, migrated. Reused by later runs. The
 * app roles connect directly to the coordinator (PgBouncer only serves `app`).
 */
export async function citusBenchTarget(): Promise<BenchTarget> {
  await assertDurableCluster(clusterCoordinatorUrl('app'));
  const nodes = await withClient(
    clusterCoordinatorUrl('app'),
    async (client) =>
      (await client.query<{ host: string; port: number }>(`SELECT nodename AS host, nodeport AS port FROM pg_dist_node WHERE groupid <> 0 ORDER BY nodeid`))
        .rows,
  );
  const coordinatorPort = Number(process.env.CLUSTER_COORDINATOR_PORT ?? 9700);
  for (const node of [{ host: '127.0.0.1', port: coordinatorPort }, ...nodes]) {
    const maintenance = `postgres://postgres@${node.host}:${node.port}/postgres`;
    await withClient(maintenance, async (client) => {
      const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [BENCH_DATABASE]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${BENCH_DATABASE}`);
    });
    await withClient(withDatabase(maintenance, BENCH_DATABASE), (client) =>
      client.query(`SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS citus`),
    );
  }
  const owner = clusterCoordinatorUrl(BENCH_DATABASE);
  await withClient(owner, async (client) => {
    await client.query(`SELECT citus_set_coordinator_host('127.0.0.1', $1)`, [coordinatorPort]);
    for (const node of nodes) await client.query(`SELECT citus_add_node($1, $2)`, [node.host, node.port]);
  });
  await runMigrations(owner);
  return {
    name: 'citus',
    label: `Citus: coordinator and ${nodes.length} workers, 32 shards`,
    endpoints: {
      owner,
      tenant: withCredentials(owner, DatabaseRole.Tenant),
      control: withCredentials(owner, DatabaseRole.Control),
      controlListen: withCredentials(owner, DatabaseRole.Control),
      analytics: withCredentials(owner, DatabaseRole.Analytics),
      embedded: false,
    },
    stop: async () => undefined,
  };
}

/** A throw-away embedded PostgreSQL in a temporary folder, migrated. */
export async function singleNodeBenchTarget(): Promise<BenchTarget> {
  const embedded = await startThrowawayDatabase('analytics-bench-', BENCH_DATABASE);
  try {
    const version = await withClient(embedded.endpoints.owner, async (client) => (await client.query(`SHOW server_version`)).rows[0].server_version);
    return { name: 'single-node', label: `single node: embedded PostgreSQL ${version}`, endpoints: embedded.endpoints, stop: () => embedded.stop() };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
