import createClient from 'openapi-fetch';
import type { paths } from './api-schema';

/**
 * A client typed from docs/openapi.json (openapi-typescript): the integration tests call the
 * API through it, so a route, field or status that drifts from the document fails to compile.
 */
export type ApiClient = ReturnType<typeof createClient<paths>>;

export function apiClient(baseUrl: string, token?: string): ApiClient {
  return createClient<paths>({ baseUrl, headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

export type { paths } from './api-schema';
