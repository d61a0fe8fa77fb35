/** The tenant tables, parents first, so an import can replay the lines in order. */
export const TENANT_TABLES = ['orders', 'order_items', 'payments', 'refunds'] as const;
export type TenantTable = (typeof TENANT_TABLES)[number];
