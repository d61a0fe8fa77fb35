import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Connection } from '../connections';

export type ClusterMode = 'citus' | 'single-node';

export interface ClusterNode {
  nodeId: number | null;
  nodeName: string;
  nodePort: number;
  role: 'coordinator' | 'worker';
  isActive: boolean;
}

export interface ClusterTable {
  name: string;
  type: 'distributed' | 'reference' | 'local';
  distributionColumn: string | null;
  colocationId: number | null;
  shardCount: number | null;
}

export interface ShardPlacement {
  shardId: number;
  nodeName: string;
  nodePort: number;
}

export interface TenantLoad {
  tenantId: string;
  queriesThisPeriod: number;
  queriesLastPeriod: number;
  cpuSecondsThisPeriod: number;
}

/** The application's own tables: what /admin/cluster reports on. */
const APP_TABLES = ['country', 'plans', 'tenants', 'api_keys', 'orders', 'order_items', 'payments', 'daily_order_stats'];

/**
 * Reads and operates on the Citus metadata. Runs as the schema owner, directly against the
 * coordinator: isolating a tenant or moving shards needs table ownership, and none of it
 * belongs on the pooled tenant path.
 */
@Injectable()
export class ClusterRepository {
  private mode?: ClusterMode;

  constructor(@InjectDataSource(Connection.Owner) private readonly dataSource: DataSource) {}

  async clusterMode(): Promise<ClusterMode> {
    if (!this.mode) {
      const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`);
      this.mode = rows.length > 0 ? 'citus' : 'single-node';
    }
    return this.mode;
  }

  async nodes(): Promise<ClusterNode[]> {
    if ((await this.clusterMode()) === 'single-node') {
      const rows: Array<{ port: string }> = await this.dataSource.query(`SELECT current_setting('port') AS port`);
      return [{ nodeId: null, nodeName: 'localhost', nodePort: Number(rows[0].port), role: 'coordinator', isActive: true }];
    }
    return this.dataSource.query(
      `SELECT nodeid AS "nodeId", nodename AS "nodeName", nodeport AS "nodePort",
              CASE WHEN groupid = 0 THEN 'coordinator' ELSE 'worker' END AS role, isactive AS "isActive"
         FROM pg_dist_node ORDER BY groupid, nodeid`,
    );
  }

  async tables(): Promise<ClusterTable[]> {
    if ((await this.clusterMode()) === 'single-node') {
      const rows: Array<{ name: string }> = await this.dataSource.query(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname = ANY($1) ORDER BY c.relname`,
        [APP_TABLES],
      );
      return rows.map(({ name }) => ({ name, type: 'local', distributionColumn: null, colocationId: null, shardCount: null }));
    }
    return this.dataSource.query(
      `SELECT table_name::text AS name,
              CASE citus_table_type WHEN 'distributed' THEN 'distributed' WHEN 'reference' THEN 'reference' ELSE 'local' END AS type,
              NULLIF(distribution_column, '<none>') AS "distributionColumn",
              colocation_id AS "colocationId", shard_count AS "shardCount"
         FROM citus_tables WHERE table_name::text = ANY($1) ORDER BY table_name::text`,
      [APP_TABLES],
    );
  }

  /** The shard holding the tenant's rows and the node it lives on; null on a single node. */
  async placement(tenantId: string): Promise<ShardPlacement | null> {
    if ((await this.clusterMode()) === 'single-node') return null;
    const rows: ShardPlacement[] = await this.dataSource.query(
      `SELECT s.shardid AS "shardId", s.nodename AS "nodeName", s.nodeport AS "nodePort"
         FROM citus_shards s
        WHERE s.table_name = 'orders'::regclass
          AND s.shardid = get_shard_id_for_distribution_column('orders', $1::uuid)
        LIMIT 1`,
      [tenantId],
    );
    return rows[0] ?? null;
  }

  async hotTenants(limit: number): Promise<TenantLoad[]> {
    if ((await this.clusterMode()) === 'single-node') return [];
    const rows: TenantLoad[] = await this.dataSource.query(
      `SELECT tenant_attribute AS "tenantId",
              sum(query_count_in_this_period)::bigint AS "queriesThisPeriod",
              sum(query_count_in_last_period)::bigint AS "queriesLastPeriod",
              sum(cpu_usage_in_this_period)::float8 AS "cpuSecondsThisPeriod"
         FROM citus_stat_tenants
        WHERE colocation_id = (SELECT colocation_id FROM citus_tables WHERE table_name = 'orders'::regclass)
        GROUP BY tenant_attribute
        ORDER BY sum(query_count_in_this_period) DESC, sum(query_count_in_last_period) DESC, tenant_attribute
        LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /** Gives the tenant a shard of its own in every colocated table; returns the new placement. */
  async isolateTenant(tenantId: string): Promise<ShardPlacement> {
    await this.dataSource.query(`SELECT isolate_tenant_to_new_shard('orders', $1::uuid, 'CASCADE')`, [tenantId]);
    const placement = await this.placement(tenantId);
    if (!placement) throw new Error('isolated shard has no placement');
    return placement;
  }

  async startRebalance(): Promise<number | null> {
    const rows: Array<{ jobId: number | null }> = await this.dataSource.query(`SELECT citus_rebalance_start() AS "jobId"`);
    return rows[0]?.jobId ?? null;
  }

  async rebalanceStatus(): Promise<Record<string, unknown> | null> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT job_id AS "jobId", state, job_type AS "jobType", description, started_at AS "startedAt", finished_at AS "finishedAt"
         FROM citus_rebalance_status()`,
    );
    return rows[0] ?? null;
  }
}
