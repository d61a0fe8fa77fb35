import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { Connection } from '@app/persistence';
import { ApiKeyEntity, IssuedApiKey, TenantEntity, TenantStatus } from '@app/tenants';
import { AuditTrail } from '../audit/admin-audit';

export interface TenantPageQuery {
  limit: number;
  before?: { createdAt: string; id: string };
}

export interface TenantWithCursor extends TenantEntity {
  cursorCreatedAt: string;
}

@Injectable()
export class TenantsRepository {
  private readonly tenants: Repository<TenantEntity>;
  private readonly apiKeys: Repository<ApiKeyEntity>;

  constructor(
    @InjectDataSource(Connection.Control) private readonly dataSource: DataSource,
    private readonly trail: AuditTrail,
  ) {
    this.tenants = dataSource.getRepository(TenantEntity);
    this.apiKeys = dataSource.getRepository(ApiKeyEntity);
  }

  /** Creates the tenant and its first key atomically: a tenant never exists without a way in. */
  async createWithKey(tenant: { name: string; plan: string }, key: IssuedApiKey): Promise<TenantEntity> {
    return this.dataSource.transaction(async (manager) => {
      const created = await manager.save(manager.create(TenantEntity, { ...tenant, status: 'active' }));
      await manager.save(manager.create(ApiKeyEntity, { tenantId: created.id, keyHash: key.hash, prefix: key.prefix, signed: key.signed }));
      await this.trail.recordWithin((sql, parameters) => manager.query(sql, parameters), { tenantId: created.id });
      return manager.findOneByOrFail(TenantEntity, { id: created.id });
    });
  }

  findById(id: string): Promise<TenantEntity | null> {
    return this.tenants.findOneBy({ id });
  }

  async page(query: TenantPageQuery): Promise<TenantWithCursor[]> {
    const builder = this.tenants
      .createQueryBuilder('tenant')
      .addSelect(`to_char(tenant.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'cursor_created_at')
      .orderBy('tenant.created_at', 'DESC')
      .addOrderBy('tenant.id', 'DESC')
      .limit(query.limit);
    if (query.before) {
      builder.where('(tenant.created_at, tenant.id) < (:createdAt::timestamptz, :id::uuid)', query.before);
    }
    const { entities, raw } = await builder.getRawAndEntities<{ cursor_created_at: string }>();
    return entities.map((entity, index) => Object.assign(entity, { cursorCreatedAt: raw[index].cursor_created_at }));
  }

  async update(id: string, changes: { status?: TenantStatus; plan?: string }): Promise<TenantEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.update(TenantEntity, { id }, changes);
      if (!result.affected) return null;
      await this.trail.recordWithin((sql, parameters) => manager.query(sql, parameters), { tenantId: id });
      return manager.findOneBy(TenantEntity, { id });
    });
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.tenants.delete({ id });
    return Boolean(result.affected);
  }

  async addKey(tenantId: string, key: IssuedApiKey): Promise<ApiKeyEntity> {
    return this.dataSource.transaction(async (manager) => {
      const saved = await manager.save(manager.create(ApiKeyEntity, { tenantId, keyHash: key.hash, prefix: key.prefix, signed: key.signed }));
      await this.trail.recordWithin((sql, parameters) => manager.query(sql, parameters), { tenantId, details: { keyId: saved.id } });
      return saved;
    });
  }

  async revokeKey(tenantId: string, keyId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.query<[unknown[], number]>(
        `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL`,
        [keyId, tenantId],
      );
      if (result[1] === 0) return false;
      await this.trail.recordWithin((sql, parameters) => manager.query(sql, parameters), { tenantId });
      return true;
    });
  }

  async revokeAllKeys(tenantId: string): Promise<void> {
    await this.dataSource.query(`UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND revoked_at IS NULL`, [tenantId]);
  }
}
