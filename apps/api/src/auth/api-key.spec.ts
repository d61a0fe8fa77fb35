import { bearerToken, hashApiKey, issueApiKey, looksLikeApiKey, secretsEqual } from './api-key';

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

  it('reads bearer tokens strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken(['Bearer a'])).toBeUndefined();
  });

  it('compares secrets of different lengths without throwing', () => {
    expect(secretsEqual('a', 'a')).toBe(true);
    expect(secretsEqual('a', 'ab')).toBe(false);
  });
});
