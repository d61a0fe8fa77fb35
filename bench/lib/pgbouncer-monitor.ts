import { Client } from 'pg';

export interface PoolSample {
  /** max over the samples of sv_active + sv_idle + sv_used, summed over the watched users. */
  serverConnectionsMax: number;
  /** max of sv_active alone (server connections running a transaction at that instant). */
  serverActiveMax: number;
  /** max of cl_waiting (clients queued for a server connection). */
  clientsWaitingMax: number;
  samples: number;
  /** PgBouncer's own counters over the window, for the database: one query = one round trip. */
  queries: number;
  transactions: number;
}

export function combinePools(parts: Array<PoolSample | null>): PoolSample | null {
  const present = parts.filter((part): part is PoolSample => part !== null);
  if (present.length === 0) return null;
  const max = (pick: (part: PoolSample) => number) => Math.max(...present.map(pick));
  const sum = (pick: (part: PoolSample) => number) => present.reduce((total, part) => total + pick(part), 0);
  return {
    serverConnectionsMax: max((part) => part.serverConnectionsMax),
    serverActiveMax: max((part) => part.serverActiveMax),
    clientsWaitingMax: max((part) => part.clientsWaitingMax),
    samples: sum((part) => part.samples),
    queries: sum((part) => part.queries),
    transactions: sum((part) => part.transactions),
  };
}

interface PoolRow {
  database: string;
  user: string;
  cl_waiting: string | number;
  sv_active: string | number;
  sv_idle: string | number;
  sv_used: string | number;
}

/**
 * Samples PgBouncer's admin console (SHOW POOLS, SHOW STATS) during a run. The console speaks
 * only the simple protocol, which is what pg uses for a query without parameters.
 */
export class PgBouncerMonitor {
  private constructor(
    private readonly client: Client,
    private readonly database: string,
    private readonly users: string[],
  ) {}

  static async connect(options: { host: string; port: number; user: string; database: string; users: string[] }): Promise<PgBouncerMonitor> {
    const client = new Client({ host: options.host, port: options.port, user: options.user, database: 'pgbouncer' });
    await client.connect();
    return new PgBouncerMonitor(client, options.database, options.users);
  }

  /** Runs `work` while sampling every `intervalMs`; returns its result and the pool figures. */
  async during<T>(work: () => Promise<T>, intervalMs = 250): Promise<{ result: T; pools: PoolSample }> {
    const sample: PoolSample = { serverConnectionsMax: 0, serverActiveMax: 0, clientsWaitingMax: 0, samples: 0, queries: 0, transactions: 0 };
    const before = await this.stats();
    const finished = new AbortController();
    const sampler = (async () => {
      while (!finished.signal.aborted) {
        try {
          const rows = (await this.client.query<PoolRow>('SHOW POOLS')).rows.filter((row) => row.database === this.database && this.users.includes(row.user));
          const sum = (pick: (row: PoolRow) => string | number) => rows.reduce((total, row) => total + Number(pick(row)), 0);
          sample.serverConnectionsMax = Math.max(
            sample.serverConnectionsMax,
            sum((row) => row.sv_active) + sum((row) => row.sv_idle) + sum((row) => row.sv_used),
          );
          sample.serverActiveMax = Math.max(
            sample.serverActiveMax,
            sum((row) => row.sv_active),
          );
          sample.clientsWaitingMax = Math.max(
            sample.clientsWaitingMax,
            sum((row) => row.cl_waiting),
          );
          sample.samples += 1;
        } catch {
          // a missed sample is not worth failing the run for
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
    try {
      const result = await work();
      return { result, pools: sample };
    } finally {
      finished.abort();
      await sampler;
      const after = await this.stats();
      sample.queries = after.queries - before.queries;
      sample.transactions = after.transactions - before.transactions;
    }
  }

  private async stats(): Promise<{ queries: number; transactions: number }> {
    const row = (await this.client.query<{ database: string; total_query_count: string; total_xact_count: string }>('SHOW STATS')).rows.find(
      (candidate) => candidate.database === this.database,
    );
    return { queries: Number(row?.total_query_count ?? 0), transactions: Number(row?.total_xact_count ?? 0) };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
