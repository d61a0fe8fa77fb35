import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Connection } from '@app/persistence';

export type ClusterMode = 'citus' | 'single-node';

export interface ClusterNode {
  nodeId: number | null;
  nodeName: string;
  nodePort: number;
  role: 'coordinator' | 'worker';
  isActive: boolean;
  shardCount: number;
  bytes: number;
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

export interface ShardGroup extends ShardPlacement {
  minValue: string;
  maxValue: string;
  bytes: number;
  isolated: boolean;
}

export interface IsolatedPlacement extends ShardPlacement {
  pinned: boolean;
}

export interface TenantLoad {
  tenantId: string;
  queriesThisPeriod: number;
  queriesLastPeriod: number;
  cpuSecondsThisPeriod: number;
}

/** Citus's words (no SQLSTATE of their own) when a rebalance or a shard operation already runs. */
const REBALANCE_BUSY = /rebalance is already running|could not acquire the lock required to/i;

export class RebalanceBusyError extends Error {}

const APP_TABLES = ['country', 'plans', 'tenants', 'api_keys', 'orders', 'order_items', 'payments', 'daily_order_stats'];

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
      const rows: Array<{ port: string; bytes: number }> = await this.dataSource.query(
        `SELECT current_setting('port') AS port, pg_database_size(current_database()) AS bytes`,
      );
      return [
        { nodeId: null, nodeName: 'localhost', nodePort: Number(rows[0].port), role: 'coordinator', isActive: true, shardCount: 0, bytes: rows[0].bytes },
      ];
    }
    return this.dataSource.query(
      `SELECT n.nodeid AS "nodeId", n.nodename AS "nodeName", n.nodeport AS "nodePort",
              CASE WHEN n.groupid = 0 THEN 'coordinator' ELSE 'worker' END AS role, n.isactive AS "isActive",
              coalesce(s.shard_count, 0)::int AS "shardCount", coalesce(s.bytes, 0)::bigint AS bytes
         FROM pg_dist_node n
         LEFT JOIN (SELECT nodename, nodeport, count(*) AS shard_count, sum(shard_size) AS bytes
                      FROM citus_shards GROUP BY nodename, nodeport) s
           ON s.nodename = n.nodename AND s.nodeport = n.nodeport
        ORDER BY n.groupid, n.nodeid`,
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

  async shardGroups(): Promise<ShardGroup[]> {
    if ((await this.clusterMode()) === 'single-node') return [];
    return this.dataSource.query(
      `SELECT s.shardid AS "shardId", s.shardminvalue AS "minValue", s.shardmaxvalue AS "maxValue",
              p.nodename AS "nodeName", p.nodeport AS "nodePort", s.shardminvalue = s.shardmaxvalue AS isolated,
              (SELECT coalesce(sum(cs.shard_size), 0)::bigint FROM citus_shards cs
                 JOIN pg_dist_shard colocated ON colocated.shardid = cs.shardid
                WHERE cs.colocation_id = (SELECT colocation_id FROM citus_tables WHERE table_name = 'orders'::regclass)
                  AND colocated.shardminvalue = s.shardminvalue) AS bytes
         FROM pg_dist_shard s JOIN pg_dist_placement pl ON pl.shardid = s.shardid JOIN pg_dist_node p ON p.groupid = pl.groupid
        WHERE s.logicalrelid = 'orders'::regclass
        ORDER BY s.shardminvalue::bigint`,
    );
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

  /** Once isolated, always isolated; with a node, moved there without blocking writes and pinned. Splits one shard into three per colocated table. */
  async isolateTenant(tenantId: string, target?: { nodeName: string; nodePort: number }): Promise<IsolatedPlacement> {
    if (!(await this.isIsolated(tenantId))) {
      await this.dataSource.query(`SELECT isolate_tenant_to_new_shard('orders', $1::uuid, 'CASCADE', shard_transfer_mode => 'auto')`, [tenantId]);
    }
    let placement = await this.requirePlacement(tenantId);
    if (target && (target.nodeName !== placement.nodeName || target.nodePort !== placement.nodePort)) {
      await this.dataSource.query(`SELECT citus_move_shard_placement($1, $2, $3, $4, $5, shard_transfer_mode => 'force_logical')`, [
        placement.shardId,
        placement.nodeName,
        placement.nodePort,
        target.nodeName,
        target.nodePort,
      ]);
      placement = await this.requirePlacement(tenantId);
    }
    if (target) {
      await this.dataSource.query(
        `INSERT INTO tenant_placement_pins (tenant_id, shard_id, node_name, node_port) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id) DO UPDATE SET shard_id = excluded.shard_id, node_name = excluded.node_name,
                                               node_port = excluded.node_port, pinned_at = now()`,
        [tenantId, placement.shardId, placement.nodeName, placement.nodePort],
      );
    }
    const pins: unknown[] = await this.dataSource.query(`SELECT 1 FROM tenant_placement_pins WHERE tenant_id = $1`, [tenantId]);
    return { ...placement, pinned: pins.length > 0 };
  }

  async isWorker(nodeName: string, nodePort: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM pg_dist_node WHERE nodename = $1 AND nodeport = $2 AND isactive AND shouldhaveshards AND noderole = 'primary'`,
      [nodeName, nodePort],
    );
    return rows.length > 0;
  }

  private async isIsolated(tenantId: string): Promise<boolean> {
    const rows: Array<{ isolated: boolean }> = await this.dataSource.query(
      `SELECT shardminvalue = shardmaxvalue AS isolated FROM pg_dist_shard
        WHERE shardid = get_shard_id_for_distribution_column('orders', $1::uuid)`,
      [tenantId],
    );
    return rows[0]?.isolated ?? false;
  }

  private async requirePlacement(tenantId: string): Promise<ShardPlacement> {
    const placement = await this.placement(tenantId);
    if (!placement) throw new Error('the tenant shard has no placement');
    return placement;
  }

  async startRebalance(): Promise<number | null> {
    try {
      const rows: Array<{ jobId: number | null }> = await this.dataSource.query(`SELECT citus_rebalance_start() AS "jobId"`);
      return rows[0]?.jobId ?? null;
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (REBALANCE_BUSY.test(message)) throw new RebalanceBusyError(message);
      throw error;
    }
  }

  async rebalanceStatus(): Promise<Record<string, unknown> | null> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT job_id AS "jobId", state, job_type AS "jobType", description, started_at AS "startedAt", finished_at AS "finishedAt", details
         FROM citus_rebalance_status()`,
    );
    return rows[0] ?? null;
  }
}
