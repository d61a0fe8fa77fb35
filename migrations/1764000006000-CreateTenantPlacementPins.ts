import { MigrationInterface, QueryRunner } from 'typeorm';
import { whenCitus } from './support/citus';

/** A pinned tenant's shard group lives only on its node, and no other shard lives there. */
export class CreateTenantPlacementPins1764000006000 implements MigrationInterface {
  name = 'CreateTenantPlacementPins1764000006000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenant_placement_pins (
        tenant_id uuid PRIMARY KEY,
        shard_id bigint NOT NULL,
        node_name text NOT NULL,
        node_port integer NOT NULL,
        pinned_at timestamptz NOT NULL DEFAULT now()
      )`);
    await whenCitus(queryRunner, [
      `CREATE FUNCTION tenant_shard_allowed_on_node(p_shard_id bigint, p_node_id integer) RETURNS boolean
         LANGUAGE sql STABLE AS $$
           WITH candidate AS (
                  SELECT s.shardminvalue, p.colocationid
                    FROM pg_dist_shard s JOIN pg_dist_partition p USING (logicalrelid)
                   WHERE s.shardid = p_shard_id),
                node AS (SELECT nodename, nodeport FROM pg_dist_node WHERE nodeid = p_node_id),
                pins AS (
                  SELECT pin.node_name, pin.node_port,
                         (s.shardminvalue = c.shardminvalue AND p.colocationid = c.colocationid) AS same_group
                    FROM tenant_placement_pins pin
                    JOIN pg_dist_shard s ON s.shardid = pin.shard_id
                    JOIN pg_dist_partition p ON p.logicalrelid = s.logicalrelid
                   CROSS JOIN candidate c)
           SELECT CASE
                    WHEN EXISTS (SELECT 1 FROM pins WHERE same_group)
                      THEN EXISTS (SELECT 1 FROM pins JOIN node ON pins.node_name = node.nodename AND pins.node_port = node.nodeport
                                    WHERE same_group)
                    ELSE NOT EXISTS (SELECT 1 FROM pins JOIN node ON pins.node_name = node.nodename AND pins.node_port = node.nodeport)
                  END
         $$`,
      // Shard count as the cost, like Citus's by_shard_count, with the pins as the constraint.
      `SELECT citus_add_rebalance_strategy('tenant_pins', 'citus_shard_cost_1', 'citus_node_capacity_1', 'tenant_shard_allowed_on_node', 0, 0, 0)`,
      `SELECT citus_set_default_rebalance_strategy('tenant_pins')`,
    ]);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await whenCitus(queryRunner, [
      `SELECT citus_set_default_rebalance_strategy('by_disk_size')`,
      `DELETE FROM pg_dist_rebalance_strategy WHERE name = 'tenant_pins'`,
      `DROP FUNCTION tenant_shard_allowed_on_node(bigint, integer)`,
    ]);
    await queryRunner.query(`DROP TABLE tenant_placement_pins`);
  }
}
