import createClient from 'openapi-fetch';
import type { paths as tenantApiPaths } from './api-schema';
import type { paths as controlPlanePaths } from './control-plane-schema';

/**
 * Clients typed from docs/openapi.json and docs/control-plane.openapi.json (openapi-typescript): the integration tests call both
 * services through them, so a route, field or status that drifts from a document fails to compile.
 */
export type ApiClient = ReturnType<typeof createClient<tenantApiPaths>>;
export type ControlPlaneClient = ReturnType<typeof createClient<controlPlanePaths>>;

const authorization = (token?: string) => (token ? { Authorization: `Bearer ${token}` } : {});

export function apiClient(baseUrl: string, token?: string): ApiClient {
  return createClient<tenantApiPaths>({ baseUrl, headers: authorization(token) });
}

export function controlPlaneClient(baseUrl: string, token?: string): ControlPlaneClient {
  return createClient<controlPlanePaths>({ baseUrl, headers: authorization(token) });
}

export type { tenantApiPaths, controlPlanePaths };
