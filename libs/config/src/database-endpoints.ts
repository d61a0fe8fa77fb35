import type { Environment } from './environment';
import { StartupError } from './startup-error';

export const DatabaseRole = {
  Tenant: 'app_tenant',
  Control: 'app_control',
  Analytics: 'app_analytics',
} as const;

/** What the tenant API connects with: its two roles, never the owner. */
export interface AppRoleEndpoints {
  tenant: string;
  control: string;
  /** A direct (or session-pooled) connection as the control role: LISTEN does not survive PgBouncer's transaction mode. */
  controlListen: string;
  embedded: boolean;
}

export interface DatabaseEndpoints extends AppRoleEndpoints {
  owner: string;
  analytics: string;
}

/** The app roles' part alone: what the tenant API is handed, never the owner's or the analytics URL. */
export function appRolesOf({ tenant, control, controlListen, embedded }: AppRoleEndpoints): AppRoleEndpoints {
  return { tenant, control, controlListen, embedded };
}

export function hasOwner(endpoints: AppRoleEndpoints): endpoints is DatabaseEndpoints {
  return 'owner' in endpoints;
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
    controlListen: environment.CONTROL_LISTEN_URL ?? withCredentials(owner, DatabaseRole.Control),
    analytics: environment.ANALYTICS_DATABASE_URL ?? withCredentials(owner, DatabaseRole.Analytics),
    embedded: false,
  };
}

/** The tenant API in production: the two app roles' URLs and nothing else (docs/deployment.md). */
export function appRoleEndpointsFromEnvironment(environment: Environment): AppRoleEndpoints | undefined {
  const { TENANT_DATABASE_URL: tenant, CONTROL_DATABASE_URL: control } = environment;
  if (environment.DATABASE_URL || (!tenant && !control)) return undefined;
  if (!tenant || !control) {
    throw new StartupError(
      `The tenant API needs both TENANT_DATABASE_URL and CONTROL_DATABASE_URL: ${tenant ? 'CONTROL_DATABASE_URL' : 'TENANT_DATABASE_URL'} is not set`,
      'Set both (the app roles, never the owner); or DATABASE_URL alone for development, or nothing for the embedded database',
    );
  }
  return { tenant, control, controlListen: environment.CONTROL_LISTEN_URL ?? control, embedded: false };
}
