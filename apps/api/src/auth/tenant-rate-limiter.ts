import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { Environment } from '@app/config';
import { RateLimitedException } from '@app/common';
import type { ApiKeyGrant } from '@app/persistence';

const WINDOW_MS = 60_000;

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Per-tenant fixed-window limit from the tenant's plan (requests per minute). Each tenant has
 * its own counter, so one tenant at its limit never limits another.
 */
@Injectable()
export class TenantRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(@Inject(Environment) private readonly environment: Environment) {}

  async consume(grant: ApiKeyGrant, response: Response): Promise<void> {
    if (!this.environment.RATE_LIMIT_ENABLED) return;
    const now = Date.now();
    const windowStart = now - (now % WINDOW_MS);
    let window = this.windows.get(grant.tenantId);
    if (!window || window.startedAt !== windowStart) {
      window = { startedAt: windowStart, count: 0 };
      this.windows.set(grant.tenantId, window);
    }
    window.count += 1;
    const remaining = Math.max(0, grant.requestsPerMinute - window.count);
    const resetSeconds = Math.ceil((windowStart + WINDOW_MS - now) / 1000);
    response.setHeader('RateLimit-Limit', String(grant.requestsPerMinute));
    response.setHeader('RateLimit-Remaining', String(remaining));
    response.setHeader('RateLimit-Reset', String(resetSeconds));
    if (window.count > grant.requestsPerMinute) {
      throw new RateLimitedException(Math.max(1, resetSeconds));
    }
  }
}
