import { Inject, Injectable } from '@nestjs/common';
import { Environment } from '@app/config';
import { ApiKeyGrant, ApiKeysRepository } from './api-keys.repository';
import { looksLikeApiKey } from '@app/http-edge';
import { hashApiKey } from './api-key';

interface CacheEntry {
  grant: ApiKeyGrant | null;
  expiresAt: number;
}

const MAX_CACHED_KEYS = 10_000;

/** Misses are cached too: a flood of made-up keys must not become a flood of queries. CredentialRevocations evicts at once. */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly apiKeys: ApiKeysRepository,
    @Inject(Environment) private readonly environment: Environment,
  ) {}

  async authenticate(token: string): Promise<ApiKeyGrant | null> {
    if (!looksLikeApiKey(token)) return null;
    const hash = hashApiKey(token);
    const cacheKey = hash.toString('base64');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.grant;

    const grant = await this.apiKeys.findGrant(hash);
    if (this.environment.API_KEY_CACHE_TTL_MS > 0) {
      if (this.cache.size >= MAX_CACHED_KEYS) {
        this.cache.delete(this.cache.keys().next().value as string);
      }
      this.cache.set(cacheKey, { grant, expiresAt: Date.now() + this.environment.API_KEY_CACHE_TTL_MS });
    }
    return grant;
  }

  evictAll(): void {
    this.cache.clear();
  }

  evictTenant(tenantId: string): void {
    for (const [cacheKey, entry] of this.cache) {
      if (entry.grant?.tenantId === tenantId) this.cache.delete(cacheKey);
    }
  }
}
