import { Injectable } from '@nestjs/common';
import { DAILY_ORDER_STATS_LOCK, TenantTransaction } from '@app/persistence';

@Injectable()
export class TenantDataRepository {
  /** In batches, so no statement outlives the statement timeout; the rollup rows go after any running refresh, which could write them again. */
  async deleteAll(tx: TenantTransaction, batchSize = 1000): Promise<number> {
    await tx.query(`SELECT pg_advisory_xact_lock_shared($1::bigint)`, [DAILY_ORDER_STATS_LOCK]);
    await tx.query(`DELETE FROM daily_order_stats WHERE tenant_id = $1`, [tx.tenantId]);
    let total = 0;
    for (;;) {
      const rows = await tx.query<{ deleted: number }>(
        `WITH deleted AS (
           DELETE FROM orders WHERE tenant_id = $1
              AND id IN (SELECT id FROM orders WHERE tenant_id = $1 ORDER BY id LIMIT $2)
           RETURNING 1)
         SELECT count(*) AS deleted FROM deleted`,
        [tx.tenantId, batchSize],
      );
      total += rows[0].deleted;
      if (rows[0].deleted < batchSize) return total;
    }
  }
}
