import type { Environment } from './environment';

/** Database roles created by the migrations; each process connects as the role its work needs. */
export const DatabaseRole = {
  /** Tenant API: subject to row-level security, router queries only on Citus. */
  Tenant: 'app_tenant',
  /** Control plane: tenants and api keys on the coordinator. */
  Control: 'app_control',
  /** Cross-tenant analytics: read-only, its own pool. */
  Analytics: 'app_analytics',
} as const;

export interface DatabaseEndpoints {
  /** Owner of the schema: migrations and cluster operations, always direct to the coordinator. */
  owner: string;
  tenant: string;
  control: string;
  analytics: string;
  /** True when the URLs point at the embedded PostgreSQL started by this process. */
  embedded: boolean;
}

export const DATABASE_ENDPOINTS = Symbol('DATABASE_ENDPOINTS');

/** Returns the URL with its user (and password) replaced: the default for the per-role pools. */
export function withCredentials(url: string, user: string, password?: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = password ? encodeURIComponent(password) : '';
  return parsed.toString();
}

/** Endpoints for a configured database: explicit per-role URLs win, otherwise the owner URL with the role swapped in. */
export function endpointsFromEnvironment(environment: Environment): DatabaseEndpoints {
  const owner = environment.DATABASE_URL;
  if (!owner) {
    throw new Error('DATABASE_URL is not set: use the embedded database instead');
  }
  return {
    owner,
    tenant: environment.TENANT_DATABASE_URL ?? withCredentials(owner, DatabaseRole.Tenant),
    control: environment.CONTROL_DATABASE_URL ?? withCredentials(owner, DatabaseRole.Control),
    analytics: environment.ANALYTICS_DATABASE_URL ?? withCredentials(owner, DatabaseRole.Analytics),
    embedded: false,
  };
}
