import { looksLikeApiKey } from '@app/http-edge';
import { hashApiKey, issueApiKey, keySignature } from './api-key';

const SECRET = 'a-server-secret-of-at-least-32-characters';

describe('api keys', () => {
  it('issues distinct keys whose hash is SHA-256 of the key', () => {
    const first = issueApiKey();
    const second = issueApiKey();
    expect(first.key).not.toBe(second.key);
    expect(looksLikeApiKey(first.key)).toBe(true);
    expect(first.hash.equals(hashApiKey(first.key))).toBe(true);
    expect(first.hash).toHaveLength(32);
    expect(first.key.startsWith(first.prefix)).toBe(true);
  });

  it('signs keys under a secret, so that made-up and altered keys fail offline', () => {
    const signed = issueApiKey(SECRET);
    expect(signed.signed).toBe(true);
    expect(looksLikeApiKey(signed.key)).toBe(true);
    expect(keySignature(signed.key, SECRET)).toBe('valid');
    expect(keySignature(signed.key, `${SECRET}-rotated`)).toBe('forged');
    const [body, mac] = signed.key.split('.');
    const altered = `${body.slice(0, -1)}${body.endsWith('A') ? 'B' : 'A'}.${mac}`;
    expect(keySignature(altered, SECRET)).toBe('forged');
    expect(keySignature(`${body}.${'A'.repeat(22)}`, SECRET)).toBe('forged');
    expect(keySignature(issueApiKey().key, SECRET)).toBe('unsigned');
  });
});
