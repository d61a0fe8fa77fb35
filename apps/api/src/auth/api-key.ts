import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX } from '@app/http-edge';

export interface IssuedApiKey {
  /** Shown to the client once, never stored. */
  key: string;
  hash: Buffer;
  prefix: string;
}

export function issueApiKey(): IssuedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 10) };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
