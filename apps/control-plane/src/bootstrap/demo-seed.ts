import { INestApplication } from '@nestjs/common';
import { TenantsRepository } from '../tenants/tenants.repository';
import { TenantsAdminService } from '../tenants/tenants-admin.service';

const DEMO_TENANTS = [
  { name: 'Demo: Acme Corp', plan: 'enterprise' as const },
  { name: 'Demo: Globex', plan: 'pro' as const },
  { name: 'Demo: Initech', plan: 'free' as const },
];

export interface DemoTenant {
  id: string;
  name: string;
  plan: string;
  apiKey: string;
}

/** A stored key can never be shown again: each start gives the demo tenants fresh keys and revokes the old ones. */
export async function seedDemoTenants(app: INestApplication): Promise<DemoTenant[]> {
  const admin = app.get(TenantsAdminService);
  const tenants = app.get(TenantsRepository);
  const existing = await tenants.page({ limit: 1000 });
  const seeded: DemoTenant[] = [];
  for (const demo of DEMO_TENANTS) {
    const found = existing.find((tenant) => tenant.name === demo.name);
    if (found) {
      await tenants.revokeAllKeys(found.id);
      const { apiKey } = await admin.addKey(found.id);
      seeded.push({ id: found.id, name: found.name, plan: found.plan, apiKey });
    } else {
      const { tenant, apiKey } = await admin.create(demo);
      seeded.push({ id: tenant.id, name: tenant.name, plan: tenant.plan, apiKey });
    }
  }
  return seeded;
}
