import { Injectable } from '@nestjs/common';
import { TENANT_TABLES, TenantTable, TenantTransaction } from '@app/persistence';

export interface ExportRow {
  id: number;
  row: Record<string, unknown>;
}

@Injectable()
export class TenantExportRepository {
  async batch(tx: TenantTransaction, table: TenantTable, afterId: number, limit: number): Promise<ExportRow[]> {
    // The table name comes from the TENANT_TABLES constant, never from input.
    if (!TENANT_TABLES.includes(table)) throw new Error(`not a tenant table: ${table}`);
    return tx.query<ExportRow>(`SELECT t.id, to_jsonb(t) AS row FROM ${table} t WHERE t.tenant_id = $1 AND t.id > $2 ORDER BY t.id LIMIT $3`, [
      tx.tenantId,
      afterId,
      limit,
    ]);
  }
}
