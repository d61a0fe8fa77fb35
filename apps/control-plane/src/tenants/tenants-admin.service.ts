import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { Environment } from '@app/config';
import { decodeCursor, encodeCursor, isCursorInstant, Page, PageQueryDto, toPage, ValidationFailedException } from '@app/http-edge';
import { TenantDatabase } from '@app/persistence';
import { ClusterRepository, ShardPlacement } from '../cluster/cluster.repository';
import { TenantsRepository } from './tenants.repository';
import { CANONICAL_UUID, runWithTenant, TenantContext } from '@app/tenancy';
import { CredentialChangesPublisher } from './credential-changes.publisher';
import { CatalogService } from '@app/reference-data';
import { ApiKeyEntity, issueApiKey, TenantEntity } from '@app/tenants';
import { CreateTenantDto, DEFAULT_PLAN, UpdateTenantDto } from './tenants.dto';
import { TenantDataRepository } from './tenant-data.repository';

const TENANT_CURSOR = 'tenant';
const isTenantPosition = (value: Record<string, unknown>): value is { createdAt: string; id: string } =>
  Object.keys(value).length === 2 &&
  typeof value.createdAt === 'string' &&
  isCursorInstant(value.createdAt) &&
  typeof value.id === 'string' &&
  CANONICAL_UUID.test(value.id);

@Injectable()
export class TenantsAdminService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly cluster: ClusterRepository,
    private readonly tenantDatabase: TenantDatabase,
    private readonly tenantData: TenantDataRepository,
    private readonly credentialChanges: CredentialChangesPublisher,
    private readonly catalog: CatalogService,
    @Inject(Environment) private readonly environment: Environment,
  ) {}

  async create(input: CreateTenantDto): Promise<{ tenant: TenantEntity; apiKey: string }> {
    const plan = input.plan ?? DEFAULT_PLAN;
    await this.requirePlan(plan);
    const key = issueApiKey(this.environment.API_KEY_SECRET);
    const tenant = await this.tenants.createWithKey({ name: input.name, plan }, key);
    return { tenant, apiKey: key.key };
  }

  async page(query: PageQueryDto): Promise<Page<TenantEntity>> {
    const before = query.cursor ? decodeCursor(TENANT_CURSOR, query.cursor, isTenantPosition) : undefined;
    const rows = await this.tenants.page({ limit: query.limit + 1, before });
    return toPage(
      rows,
      query.limit,
      (row) => row,
      (row) => encodeCursor(TENANT_CURSOR, { createdAt: row.cursorCreatedAt, id: row.id }),
    );
  }

  async get(id: string): Promise<TenantEntity> {
    const tenant = await this.tenants.findById(id);
    if (!tenant) throw tenantNotFound();
    return tenant;
  }

  async placement(id: string): Promise<ShardPlacement | null> {
    return this.cluster.placement(id);
  }

  async update(id: string, input: UpdateTenantDto): Promise<TenantEntity> {
    // The DTO's optional fields are own properties even when absent (ES2022 class fields).
    const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
    if (input.plan !== undefined) await this.requirePlan(input.plan);
    const updated = Object.keys(changes).length === 0 ? await this.tenants.findById(id) : await this.tenants.update(id, changes);
    if (!updated) throw tenantNotFound();
    await this.credentialChanges.publish(id);
    return updated;
  }

  private async requirePlan(id: string): Promise<void> {
    if (await this.catalog.plan(id)) return;
    const plans = (await this.catalog.plans()).map((plan) => plan.id);
    throw new ValidationFailedException([{ field: 'plan', message: `plan must be one of the plans of GET /v1/plans: ${plans.join(', ')}` }]);
  }

  async addKey(tenantId: string): Promise<{ key: ApiKeyEntity; apiKey: string }> {
    await this.get(tenantId);
    const issued = issueApiKey(this.environment.API_KEY_SECRET);
    return { key: await this.tenants.addKey(tenantId, issued), apiKey: issued.key };
  }

  async revokeKey(tenantId: string, keyId: string): Promise<void> {
    if (!(await this.tenants.revokeKey(tenantId, keyId))) throw new NotFoundException('Api key not found');
    await this.credentialChanges.publish(tenantId);
  }

  /** Keys first (no new writes get in), then the rows, then the control-plane row: a crash half-way leaves a keyless tenant a repeated DELETE finishes. */
  async delete(id: string): Promise<void> {
    const tenant = await this.get(id);
    await this.tenants.revokeAllKeys(id);
    await this.credentialChanges.publish(id);
    await this.inTenantContext(tenant, () => this.tenantDatabase.transaction((tx) => this.tenantData.deleteAll(tx)));
    await this.tenants.delete(id);
  }

  async inTenantContext<T>(tenant: TenantEntity, work: () => Promise<T>): Promise<T> {
    return runWithTenant(await this.contextOf(tenant), work);
  }

  async contextOf(tenant: TenantEntity): Promise<TenantContext> {
    const plan = await this.catalog.plan(tenant.plan);
    return { tenantId: tenant.id, planId: tenant.plan, statementTimeoutMs: plan?.statementTimeoutMs ?? this.environment.DB_STATEMENT_TIMEOUT_MS };
  }
}

export function tenantNotFound(): NotFoundException {
  return new NotFoundException('Tenant not found');
}
