import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_KEY_PREFIX } from '@app/http-edge';

export interface IssuedApiKey {
  /** Shown to the client once, never stored. */
  key: string;
  hash: Buffer;
  prefix: string;
  signed: boolean;
}

const MAC_BYTES = 16;

/** With a secret, the key carries a MAC of its random part; without one it is a plain random key, checked only by its hash. */
export function issueApiKey(secret?: string): IssuedApiKey {
  const body = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const key = secret ? `${body}.${mac(body, secret)}` : body;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 10), signed: secret !== undefined };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export type KeySignature = 'valid' | 'forged' | 'unsigned';

/** Offline: whether a well-formed key carries a MAC under this secret. */
export function keySignature(key: string, secret: string): KeySignature {
  const dot = key.indexOf('.');
  if (dot < 0) return 'unsigned';
  const expected = Buffer.from(mac(key.slice(0, dot), secret));
  const given = Buffer.from(key.slice(dot + 1));
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'forged';
}

function mac(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest().subarray(0, MAC_BYTES).toString('base64url');
}
