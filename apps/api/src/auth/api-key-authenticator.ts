import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Environment } from '@app/config';
import { DatabaseUnavailableException, looksLikeApiKey } from '@app/http-edge';
import { hashApiKey, keySignature } from '@app/tenants';
import { ApiKeyGrant, ApiKeysRepository } from './api-keys.repository';
import { LruCache } from './lru-cache';

/** Room for every active key of a large deployment (an entry is a few hundred bytes); docs/operations.md ("The key cache"). */
export const MAX_CACHED_GRANTS = 50_000;
/** Unknown keys live apart, so that a flood of them never pushes a real tenant's grant out. */
const MAX_CACHED_UNKNOWN_KEYS = 10_000;
const UNKNOWN_KEY_TTL_MS = 30_000;
const UNSIGNED_KEYS_RECHECK_MS = 60_000;
/** Lookups waiting for the control pool at once; past this a new key is answered 503 with Retry-After, never 401. */
export const MAX_PENDING_KEY_LOOKUPS = 64;

export const keyLookups = new Counter({
  name: 'api_key_lookups_total',
  help: 'Api keys checked, by outcome: cached, looked up in the database, refused offline, or shed because lookups were over budget',
  labelNames: ['outcome'] as const,
});

/**
 * The api key decides the tenant. A key is checked offline first (its MAC), then in the cache, then once in the database, however many
 * requests ask for it at the same moment. A credential change evicts the tenant, and a lookup that started before it is not cached.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ApiKeyAuthenticator.name);
  private readonly grants = new LruCache<ApiKeyGrant>(MAX_CACHED_GRANTS);
  private readonly unknownKeys = new LruCache<true>(MAX_CACHED_UNKNOWN_KEYS);
  private readonly lookups = new Map<string, Promise<ApiKeyGrant | null>>();
  /** Bumped by every eviction; a lookup caches its answer only if nothing was evicted for its tenant since it started. */
  private changes = 0;
  private readonly tenantChangedAt = new Map<string, number>();
  private everythingChangedAt = 0;
  /** Until the control plane's table says no unsigned key is active, unsigned keys are looked up. */
  private unsignedKeysActive = true;
  private unsignedCheckTimer?: NodeJS.Timeout;

  constructor(
    private readonly apiKeys: ApiKeysRepository,
    @Inject(Environment) private readonly environment: Environment,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.environment.API_KEY_SECRET) {
      this.logger.warn('API_KEY_SECRET is not set: keys cannot be checked offline, every unknown key costs a database lookup');
      return;
    }
    await this.checkUnsignedKeys();
    this.unsignedCheckTimer = setInterval(() => void this.checkUnsignedKeys(), UNSIGNED_KEYS_RECHECK_MS);
    this.unsignedCheckTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.unsignedCheckTimer);
  }

  async authenticate(token: string): Promise<ApiKeyGrant | null> {
    if (!looksLikeApiKey(token) || !this.mayHaveBeenIssued(token)) {
      keyLookups.inc({ outcome: 'refused_offline' });
      return null;
    }
    const cacheKey = hashApiKey(token).toString('base64');
    const cached = this.grants.get(cacheKey);
    if (cached) {
      keyLookups.inc({ outcome: 'cached' });
      return cached;
    }
    if (this.unknownKeys.get(cacheKey)) {
      keyLookups.inc({ outcome: 'cached' });
      return null;
    }
    const pending = this.lookups.get(cacheKey);
    if (pending) return pending;
    if (this.lookups.size >= MAX_PENDING_KEY_LOOKUPS) {
      keyLookups.inc({ outcome: 'shed' });
      throw new DatabaseUnavailableException(1, 'Too many api key lookups at once; retry');
    }
    const lookup = this.lookUp(cacheKey).finally(() => this.lookups.delete(cacheKey));
    this.lookups.set(cacheKey, lookup);
    return lookup;
  }

  evictAll(): void {
    this.everythingChangedAt = ++this.changes;
    this.grants.clear();
    this.unknownKeys.clear();
  }

  evictTenant(tenantId: string): void {
    this.tenantChangedAt.set(tenantId, ++this.changes);
    // Bounded by the number of tenants; cleared wholesale (as an eviction of everything) if it ever grows past the cache.
    if (this.tenantChangedAt.size > MAX_CACHED_GRANTS) {
      this.tenantChangedAt.clear();
      this.evictAll();
    }
    this.grants.deleteWhere((grant) => grant.tenantId === tenantId);
  }

  private async lookUp(cacheKey: string): Promise<ApiKeyGrant | null> {
    keyLookups.inc({ outcome: 'database' });
    const startedAt = this.changes;
    const grant = await this.apiKeys.findGrant(Buffer.from(cacheKey, 'base64'));
    const ttl = this.environment.API_KEY_CACHE_TTL_MS;
    if (ttl === 0) return grant;
    if (!grant) {
      this.unknownKeys.set(cacheKey, true, Math.min(ttl, UNKNOWN_KEY_TTL_MS));
      return null;
    }
    const changedSince = Math.max(this.everythingChangedAt, this.tenantChangedAt.get(grant.tenantId) ?? 0) > startedAt;
    if (!changedSince) this.grants.set(cacheKey, grant, ttl);
    return grant;
  }

  private mayHaveBeenIssued(token: string): boolean {
    const secret = this.environment.API_KEY_SECRET;
    if (!secret) return true;
    const signature = keySignature(token, secret);
    return signature === 'valid' || (signature === 'unsigned' && this.unsignedKeysActive);
  }

  private async checkUnsignedKeys(): Promise<void> {
    try {
      this.unsignedKeysActive = await this.apiKeys.anyActiveUnsigned();
    } catch (error) {
      this.logger.warn(`could not check for unsigned keys (${error instanceof Error ? error.message : String(error)}); still looking them up`);
    }
  }
}
