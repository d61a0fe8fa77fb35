/**
 * The one definition of the tenant rule. A row is visible and writable only for the tenant in app.tenant_id, and a statement that
 * runs without one fails (the cast of NO_TENANT_CONTEXT to uuid) instead of quietly filtering to nothing. Migrations, the scaffold,
 * the guide and the schema doctor's fixes all write it from here.
 */
export const TENANT_SETTING = 'app.tenant_id';
export const NO_TENANT_CONTEXT = 'no tenant context';

export function tenantContextExpression(setting = TENANT_SETTING, type = 'uuid'): string {
  return `coalesce(NULLIF(current_setting('${setting}', true), ''), '${NO_TENANT_CONTEXT}')::${type}`;
}

export function tenantPolicyPredicate(column = 'tenant_id', setting = TENANT_SETTING, type = 'uuid'): string {
  return `${column} = ${tenantContextExpression(setting, type)}`;
}
