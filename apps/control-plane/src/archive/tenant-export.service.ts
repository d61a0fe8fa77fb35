import { Injectable } from '@nestjs/common';
import { TENANT_TABLES, TenantDatabase } from '@app/persistence';
import { presentTenant, TenantEntity } from '@app/tenants';
import { TenantExportRepository } from './tenant-export.repository';
import { UsageRepository } from '@app/usage';
import { ArchiveDigest, manifestLine, rowLine, tenantLine, usageLine } from './tenant-archive';
import { TenantsAdminService } from '../tenants/tenants-admin.service';

const BATCH_SIZE = 1000;

/** One REPEATABLE READ transaction: the lines and the manifest describe one snapshot. */
@Injectable()
export class TenantExportService {
  constructor(
    private readonly admin: TenantsAdminService,
    private readonly database: TenantDatabase,
    private readonly exports: TenantExportRepository,
    private readonly usage: UsageRepository,
  ) {}

  async export(tenant: TenantEntity, write: (line: string) => Promise<void>): Promise<void> {
    await write(tenantLine(presentTenant(tenant)));
    await this.admin.inTenantContext(tenant, () =>
      this.database.transaction(
        async (tx) => {
          const digest = new ArchiveDigest();
          for (const table of TENANT_TABLES) {
            let afterId = 0;
            for (;;) {
              const rows = await this.exports.batch(tx, table, afterId, BATCH_SIZE);
              for (const { row } of rows) {
                const line = rowLine(table, row);
                digest.add(table, line);
                await write(line);
              }
              if (rows.length < BATCH_SIZE) break;
              afterId = rows[rows.length - 1].id;
            }
          }
          // Usage lives on the control plane's table, outside the tenant snapshot: it is what the tenant was billed for up to now.
          for (const counter of await this.usage.readAll(tenant.id)) {
            const line = usageLine(counter);
            digest.addUsage(line);
            await write(line);
          }
          const exportedAt = new Date().toISOString();
          await write(
            manifestLine({
              tenantId: tenant.id,
              exportedAt,
              tables: [...TENANT_TABLES],
              counts: digest.counts,
              sha256: digest.sha256(),
              usage: digest.usage(),
            }),
          );
        },
        { isolation: 'repeatable read', readOnly: true },
      ),
    );
  }
}
