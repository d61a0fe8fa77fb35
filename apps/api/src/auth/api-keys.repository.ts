import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Connection } from '@app/persistence';
import type { TenantStatus } from '@app/tenants';

export interface ApiKeyGrant {
  keyId: string;
  tenantId: string;
  tenantName: string;
  tenantStatus: TenantStatus;
  tenantCreatedAt: Date;
  planId: string;
  requestsPerMinute: number;
  statementTimeoutMs: number;
}

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource(Connection.Control) private readonly dataSource: DataSource) {}

  async findGrant(keyHash: Buffer): Promise<ApiKeyGrant | null> {
    const rows: ApiKeyGrant[] = await this.dataSource.query(
      `SELECT k.id AS "keyId", t.id AS "tenantId", t.name AS "tenantName", t.status AS "tenantStatus",
              t.created_at AS "tenantCreatedAt", p.id AS "planId",
              p.requests_per_minute AS "requestsPerMinute", p.statement_timeout_ms AS "statementTimeoutMs"
         FROM api_keys k
         JOIN tenants t ON t.id = k.tenant_id
         JOIN plans p ON p.id = t.plan
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [keyHash],
    );
    return rows[0] ?? null;
  }

  async anyActiveUnsigned(): Promise<boolean> {
    const rows: Array<{ any: boolean }> = await this.dataSource.query(`SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL AND NOT signed) AS any`);
    return rows[0]?.any ?? true;
  }
}
