import { randomBytes } from 'node:crypto';

/**
 * Tenant api keys: a prefix recognisable in logs and secret scanners, 32 random bytes in base64url, and (keys issued with
 * API_KEY_SECRET) a MAC of them after a dot, so that a key this deployment never issued is refused without a query.
 */
export const API_KEY_PREFIX = 'tk_';
const API_KEY_FORMAT = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}(?:\\.[A-Za-z0-9_-]{22})?$`);

export function looksLikeApiKey(token: string): boolean {
  return API_KEY_FORMAT.test(token);
}

const GENERATED_ADMIN_TOKEN_PREFIX = 'adm_';
const GENERATED_ADMIN_TOKEN_FORMAT = new RegExp(`^${GENERATED_ADMIN_TOKEN_PREFIX}[A-Za-z0-9_-]{32}$`);

export function generateAdminToken(): string {
  return `${GENERATED_ADMIN_TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export function looksLikeGeneratedAdminToken(token: string): boolean {
  return GENERATED_ADMIN_TOKEN_FORMAT.test(token);
}
