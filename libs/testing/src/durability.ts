import { Client } from 'pg';

/** Benchmarks and fault tests measure a cluster as production runs it: a crash must not lose an acknowledged commit. */
export async function assertDurableCluster(ownerUrl: string): Promise<void> {
  const client = new Client({ connectionString: ownerUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const settings = `SELECT current_setting('fsync') || '/' || current_setting('synchronous_commit')`;
    const local = await client.query<{ value: string }>(`${settings} AS value`);
    const nodes = [{ node: 'coordinator', value: local.rows[0].value }];
    const hasCitus = (await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`)).rowCount === 1;
    if (hasCitus) {
      const workers = await client.query<{ node: string; value: string }>(
        `SELECT nodename || ':' || nodeport AS node, result AS value FROM run_command_on_workers($$${settings}$$)`,
      );
      nodes.push(...workers.rows);
    }
    const unsafe = nodes.filter(({ value }) => value !== 'on/on');
    if (unsafe.length > 0) {
      throw new Error(
        `Refusing to run on a cluster without production durability (fsync/synchronous_commit): ${unsafe.map(({ node, value }) => `${node} ${value}`).join(', ')}. ` +
          'Start it with CLUSTER_DURABILITY=on (the default of npm run cluster:up).',
      );
    }
  } finally {
    await client.end();
  }
}
