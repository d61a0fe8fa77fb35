import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Environment } from '@app/config';
import { loggableError, RateLimitedException } from '@app/http-edge';
import { ApiKeyGrant } from './api-keys.repository';
import { RateLimitRepository, WindowIncrement } from './rate-limit.repository';

const WINDOW_MS = 60_000;
const CLEANUP_EVERY_MS = 60_000;

interface TenantWindow {
  windowStart: number;
  /** The shared count as last returned by the database (all processes). */
  shared: number;
  /** Requests this process admitted or refused since its last sync. */
  pending: number;
}

/** Requests per minute from the tenant's plan, counted across processes through shared rows; fails open on local counts (README, "Failure behaviour"). */
@Injectable()
export class TenantRateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TenantRateLimiter.name);
  private readonly windows = new Map<string, TenantWindow>();
  private syncTimer?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private lastCleanup = 0;

  constructor(
    private readonly counters: RateLimitRepository,
    @Inject(Environment) private readonly environment: Environment,
  ) {}

  onModuleInit(): void {
    const interval = this.environment.RATE_LIMIT_SYNC_INTERVAL_MS;
    if (this.environment.RATE_LIMIT_ENABLED && interval > 0) {
      this.syncTimer = setInterval(() => void this.sync(), interval);
      this.syncTimer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.syncTimer);
    await this.sync();
  }

  async consume(grant: ApiKeyGrant, response: ServerResponse): Promise<void> {
    if (!this.environment.RATE_LIMIT_ENABLED) return;
    const now = Date.now();
    const window = this.windowOf(grant.tenantId, now - (now % WINDOW_MS));
    window.pending += 1;
    if (this.environment.RATE_LIMIT_SYNC_INTERVAL_MS === 0) {
      await this.sync();
    }
    const used = window.shared + window.pending;
    const limit = grant.requestsPerMinute;
    const resetSeconds = Math.max(1, Math.ceil((window.windowStart + WINDOW_MS - now) / 1000));
    response.setHeader('RateLimit-Limit', String(limit));
    response.setHeader('RateLimit-Remaining', String(Math.max(0, limit - used)));
    response.setHeader('RateLimit-Reset', String(resetSeconds));
    if (used > limit) throw new RateLimitedException(resetSeconds);
  }

  async sync(): Promise<void> {
    while (this.syncing) {
      await this.syncing;
      if (![...this.windows.values()].some((window) => window.pending > 0)) return;
    }
    this.syncing = this.writeThrough().finally(() => (this.syncing = undefined));
    await this.syncing;
  }

  private async writeThrough(): Promise<void> {
    const batch: Array<{ window: TenantWindow; increment: WindowIncrement }> = [];
    for (const [tenantId, window] of this.windows) {
      if (window.pending > 0) {
        batch.push({ window, increment: { tenantId, windowStart: new Date(window.windowStart), requests: window.pending } });
      }
    }
    if (batch.length === 0) return;
    try {
      const totals = await this.counters.add(batch.map(({ increment }) => increment));
      const byTenant = new Map(totals.map((total) => [`${total.tenantId}@${new Date(total.windowStart).getTime()}`, total.requestCount]));
      for (const { window, increment } of batch) {
        const shared = byTenant.get(`${increment.tenantId}@${window.windowStart}`);
        if (shared === undefined) continue;
        // Requests counted while the statement ran stay pending for the next sync.
        window.pending -= increment.requests;
        window.shared = shared;
      }
      await this.cleanUp();
    } catch (error) {
      this.logger.warn({ error: loggableError(error) }, 'rate limit counters unavailable; limiting on local counts');
    }
  }

  private windowOf(tenantId: string, windowStart: number): TenantWindow {
    let window = this.windows.get(tenantId);
    if (!window || window.windowStart !== windowStart) {
      window = { windowStart, shared: 0, pending: 0 };
      this.windows.set(tenantId, window);
    }
    return window;
  }

  private async cleanUp(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = now;
    const currentWindow = now - (now % WINDOW_MS);
    for (const [tenantId, window] of this.windows) {
      if (window.windowStart < currentWindow && window.pending === 0) this.windows.delete(tenantId);
    }
    await this.counters.deleteOlderThan(new Date(currentWindow - WINDOW_MS));
  }
}
