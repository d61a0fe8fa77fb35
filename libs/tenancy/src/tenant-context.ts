import { AsyncLocalStorage } from 'node:async_hooks';

/** What a tenant request carries from authentication down to every query it runs. */
export interface TenantContext {
  readonly tenantId: string;
  readonly planId: string;
  /** Upper bound for any statement the tenant runs, from its plan. */
  readonly statementTimeoutMs: number;
}

export class MissingTenantContextError extends Error {
  constructor() {
    super('No tenant context: tenant tables can only be reached inside a tenant request');
    this.name = 'MissingTenantContextError';
  }
}

export class InvalidTenantIdError extends Error {
  constructor() {
    super('Tenant id is not a canonical UUID');
    this.name = 'InvalidTenantIdError';
  }
}

/** The one definition of a UUID as this project writes them: lower-case, hyphenated. */
export const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The tenant id ends up inlined in `SET LOCAL` (which takes no bind parameters), so only a
 * canonical lower-case UUID is ever accepted: nothing else can reach the SQL text.
 */
export function assertCanonicalTenantId(tenantId: string): string {
  if (typeof tenantId !== 'string' || !CANONICAL_UUID.test(tenantId)) {
    throw new InvalidTenantIdError();
  }
  return tenantId;
}

const storage = new AsyncLocalStorage<TenantContext>();

/** Runs `work` with `context` as the current tenant; everything it awaits inherits it. */
export function runWithTenant<T>(context: TenantContext, work: () => T): T {
  assertCanonicalTenantId(context.tenantId);
  return storage.run(Object.freeze({ ...context }), work);
}

export function currentTenant(): TenantContext | undefined {
  return storage.getStore();
}

/** The current tenant, or a MissingTenantContextError: never a default, never "all tenants". */
export function requireTenant(): TenantContext {
  const context = storage.getStore();
  if (!context) {
    throw new MissingTenantContextError();
  }
  return context;
}
