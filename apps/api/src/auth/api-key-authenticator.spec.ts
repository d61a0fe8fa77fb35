import { DatabaseUnavailableException } from '@app/http-edge';
import { validateEnvironment } from '@app/config';
import { hashApiKey, issueApiKey } from '@app/tenants';
import { ApiKeyAuthenticator, MAX_PENDING_KEY_LOOKUPS } from './api-key-authenticator';
import type { ApiKeyGrant, ApiKeysRepository } from './api-keys.repository';

const SECRET = 'unit-test-api-key-secret-0123456789abcdef';
const grantOf = (tenantId: string): ApiKeyGrant => ({
  keyId: 'k',
  tenantId,
  tenantName: 't',
  tenantStatus: 'active',
  tenantCreatedAt: new Date(),
  planId: 'pro',
  requestsPerMinute: 100,
  statementTimeoutMs: 1000,
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

function authenticatorWith(findGrant: jest.Mock, anyActiveUnsigned = jest.fn().mockResolvedValue(false)) {
  const repository = { findGrant, anyActiveUnsigned } as unknown as ApiKeysRepository;
  return new ApiKeyAuthenticator(repository, validateEnvironment({ API_KEY_SECRET: SECRET, LOG_LEVEL: 'silent' }));
}

describe('ApiKeyAuthenticator', () => {
  it('does not cache a lookup that an eviction of its tenant overtook: a revocation wins the race', async () => {
    const pending = deferred<ApiKeyGrant | null>();
    const findGrant = jest.fn().mockReturnValueOnce(pending.promise).mockResolvedValue(null);
    const authenticator = authenticatorWith(findGrant);
    const key = issueApiKey(SECRET).key;
    const started = authenticator.authenticate(key);
    authenticator.evictTenant('tenant-a');
    pending.resolve(grantOf('tenant-a'));
    await started;
    expect(await authenticator.authenticate(key)).toBeNull();
    expect(findGrant).toHaveBeenCalledTimes(2);
  });

  it('caches a lookup no eviction overtook, and evicts it with its tenant', async () => {
    const findGrant = jest.fn().mockResolvedValue(grantOf('tenant-b'));
    const authenticator = authenticatorWith(findGrant);
    const key = issueApiKey(SECRET).key;
    await authenticator.authenticate(key);
    await authenticator.authenticate(key);
    expect(findGrant).toHaveBeenCalledTimes(1);
    authenticator.evictTenant('tenant-b');
    await authenticator.authenticate(key);
    expect(findGrant).toHaveBeenCalledTimes(2);
  });

  it('refuses a forged key, and an unsigned one once none is active, without a query', async () => {
    const findGrant = jest.fn().mockResolvedValue(null);
    const authenticator = authenticatorWith(findGrant);
    await authenticator.onModuleInit();
    const [body] = issueApiKey(SECRET).key.split('.');
    expect(await authenticator.authenticate(`${body}.${'A'.repeat(22)}`)).toBeNull();
    expect(await authenticator.authenticate(issueApiKey().key)).toBeNull();
    expect(findGrant).not.toHaveBeenCalled();
    authenticator.onModuleDestroy();
  });

  it('still looks unsigned keys up while some are active', async () => {
    const findGrant = jest.fn().mockResolvedValue(grantOf('legacy'));
    const authenticator = authenticatorWith(findGrant, jest.fn().mockResolvedValue(true));
    await authenticator.onModuleInit();
    expect(await authenticator.authenticate(issueApiKey().key)).toMatchObject({ tenantId: 'legacy' });
    authenticator.onModuleDestroy();
  });

  it('shares one lookup among concurrent requests with the same key', async () => {
    const pending = deferred<ApiKeyGrant | null>();
    const findGrant = jest.fn().mockReturnValue(pending.promise);
    const authenticator = authenticatorWith(findGrant);
    const key = issueApiKey(SECRET).key;
    const answers = Array.from({ length: 10 }, () => authenticator.authenticate(key));
    pending.resolve(grantOf('tenant-c'));
    expect(new Set((await Promise.all(answers)).map((grant) => grant?.tenantId))).toEqual(new Set(['tenant-c']));
    expect(findGrant).toHaveBeenCalledTimes(1);
  });

  it('answers 503, never "unknown key", past the budget of lookups waiting at once', async () => {
    const pending = deferred<ApiKeyGrant | null>();
    const findGrant = jest.fn().mockReturnValue(pending.promise);
    const authenticator = authenticatorWith(findGrant);
    const waiting = Array.from({ length: MAX_PENDING_KEY_LOOKUPS }, () => authenticator.authenticate(issueApiKey(SECRET).key));
    await expect(authenticator.authenticate(issueApiKey(SECRET).key)).rejects.toBeInstanceOf(DatabaseUnavailableException);
    pending.resolve(grantOf('tenant-d'));
    await Promise.all(waiting);
  });

  it('keeps unknown keys apart: a flood of them never pushes a real grant out', async () => {
    const real = issueApiKey(SECRET).key;
    const findGrant = jest.fn((hash: Buffer) => Promise.resolve(hash.equals(hashApiKey(real)) ? grantOf('tenant-e') : null));
    const authenticator = authenticatorWith(findGrant);
    await authenticator.authenticate(real);
    for (let index = 0; index < 200; index += 1) await authenticator.authenticate(issueApiKey(SECRET).key);
    const before = findGrant.mock.calls.length;
    expect(await authenticator.authenticate(real)).toMatchObject({ tenantId: 'tenant-e' });
    expect(findGrant.mock.calls.length).toBe(before);
  });
});
