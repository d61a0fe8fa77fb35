import { Injectable } from '@nestjs/common';
import { TENANT_TABLES, TenantDatabase, TenantEntity, TenantExportRepository } from '@app/persistence';
import { TenantsAdminService } from './tenants-admin.service';

const BATCH_SIZE = 1000;

/**
 * Exports every row of a tenant as NDJSON: one `{"table", "row"}` line per row, then one
 * manifest line with the row counts. All reads happen in one REPEATABLE READ transaction on
 * the tenant's shard group, so the lines and the manifest describe a single snapshot.
 */
@Injectable()
export class TenantExportService {
  constructor(
    private readonly admin: TenantsAdminService,
    private readonly database: TenantDatabase,
    private readonly exports: TenantExportRepository,
  ) {}

  async export(tenant: TenantEntity, write: (line: string) => Promise<void>): Promise<void> {
    await this.admin.inTenantContext(tenant, () =>
      this.database.transaction(
        async (tx) => {
          const counts: Record<string, number> = {};
          for (const table of TENANT_TABLES) {
            counts[table] = 0;
            let afterId = 0;
            for (;;) {
              const rows = await this.exports.batch(tx, table, afterId, BATCH_SIZE);
              for (const { row } of rows) {
                await write(`${JSON.stringify({ table, row })}\n`);
              }
              counts[table] += rows.length;
              if (rows.length < BATCH_SIZE) break;
              afterId = rows[rows.length - 1].id;
            }
          }
          const manifest = { tenantId: tenant.id, exportedAt: new Date().toISOString(), tables: [...TENANT_TABLES], counts };
          await write(`${JSON.stringify({ manifest })}\n`);
        },
        { isolation: 'repeatable read', readOnly: true },
      ),
    );
  }
}
