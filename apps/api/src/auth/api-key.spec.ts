import { looksLikeApiKey } from '@app/http-edge';
import { hashApiKey, issueApiKey } from './api-key';

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
});
