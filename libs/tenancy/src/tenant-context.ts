import { AsyncLocalStorage } from 'node:async_hooks';

export interface TenantContext {
  readonly tenantId: string;
  readonly planId: string;
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

export const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Inlined in SET LOCAL, which takes no bind parameters: only a canonical UUID can reach the SQL text. */
export function assertCanonicalTenantId(tenantId: string): string {
  if (typeof tenantId !== 'string' || !CANONICAL_UUID.test(tenantId)) {
    throw new InvalidTenantIdError();
  }
  return tenantId;
}

const storage = new AsyncLocalStorage<TenantContext>();

export function runWithTenant<T>(context: TenantContext, work: () => T): T {
  assertCanonicalTenantId(context.tenantId);
  return storage.run(Object.freeze({ ...context }), work);
}

export function currentTenant(): TenantContext | undefined {
  return storage.getStore();
}

export function requireTenant(): TenantContext {
  const context = storage.getStore();
  if (!context) {
    throw new MissingTenantContextError();
  }
  return context;
}
