export const TENANT_TABLES = ['orders', 'order_items', 'payments', 'refunds'] as const;
export type TenantTable = (typeof TENANT_TABLES)[number];
