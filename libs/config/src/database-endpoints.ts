import type { Environment } from './environment';

export const DatabaseRole = {
  Tenant: 'app_tenant',
  Control: 'app_control',
  Analytics: 'app_analytics',
} as const;

export interface DatabaseEndpoints {
  owner: string;
  tenant: string;
  control: string;
  analytics: string;
  embedded: boolean;
}

export const DATABASE_ENDPOINTS = Symbol('DATABASE_ENDPOINTS');

export function withCredentials(url: string, user: string, password?: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = password ? encodeURIComponent(password) : '';
  return parsed.toString();
}

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
