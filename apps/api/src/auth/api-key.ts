import { createHash, randomBytes } from 'node:crypto';

/** Tenant api keys: a fixed prefix (recognisable in logs and secret scanners) and 32 random bytes. */
export const API_KEY_PREFIX = 'tk_';
const API_KEY_FORMAT = /^tk_[A-Za-z0-9_-]{43}$/;

export interface IssuedApiKey {
  /** Shown to the client once, never stored. */
  key: string;
  hash: Buffer;
  /** Enough to recognise a key in a list without revealing it. */
  prefix: string;
}

export function issueApiKey(): IssuedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 10) };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function looksLikeApiKey(token: string): boolean {
  return API_KEY_FORMAT.test(token);
}
