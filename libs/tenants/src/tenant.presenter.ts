import type { TenantEntity } from './tenant.entity';
import type { TenantView } from './tenant.view';

export function presentTenant(tenant: TenantEntity): TenantView {
  return {
    id: tenant.id,
    name: tenant.name,
    plan: tenant.plan,
    status: tenant.status,
    createdAt: tenant.createdAt.toISOString(),
  };
}
