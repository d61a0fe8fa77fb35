import { Inject, Injectable, Logger, NestMiddleware, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Environment } from '@app/config';
import { afterResponse, edgeFactsOf, loggableError } from '@app/http-edge';
import { requestsCounter, UsageIncrement, UsageRepository, utcDay, WRITTEN_COUNTERS } from '@app/usage';
import { IDEMPOTENT_REPLAYED_HEADER } from '../idempotency/idempotency';
import { grantOf } from '../auth/authenticated-request';

const RESOURCES = new Set(['orders', 'payments', 'refunds', 'tenant', 'stats', 'countries', 'plans', 'usage']);
const WRITES: Record<string, keyof typeof WRITTEN_COUNTERS> = {
  '/v1/orders': 'orders',
  '/v1/orders/:id/payments': 'payments',
  '/v1/orders/:id/payments/:paymentId/refunds': 'refunds',
};

/** A route template's class: the resource it addresses and whether it reads or writes ("payments.write"). */
export function routeClass(method: string, template: string | undefined): string {
  const resource =
    (template ?? '')
      .split('/')
      .filter((segment) => RESOURCES.has(segment))
      .pop() ?? 'unmatched';
  return `${resource}.${method === 'GET' || method === 'HEAD' ? 'read' : 'write'}`;
}

/**
 * Counts each admitted tenant request and each row it wrote, in memory, and adds the counts to tenant_usage in one statement per
 * interval: no round trip in the request path. Shutdown flushes; a crash loses at most one interval (docs/operations.md).
 */
@Injectable()
export class UsageMeter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UsageMeter.name);
  private pending = new Map<string, UsageIncrement>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  /** Per request the counter's name and the day are looked up, not rebuilt: route templates are few, and a day is long. */
  private readonly requestCounters = new Map<string, string>();
  private today = { name: '', endsAt: 0 };

  constructor(
    private readonly usage: UsageRepository,
    @Inject(Environment) private readonly environment: Environment,
  ) {}

  onModuleInit(): void {
    const interval = this.environment.USAGE_FLUSH_INTERVAL_MS;
    if (interval > 0) {
      this.timer = setInterval(() => void this.flush(), interval);
      this.timer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(request: IncomingMessage, response: ServerResponse): void {
    const grant = grantOf(request);
    if (!grant) return;
    const template = edgeFactsOf(request)?.routeTemplate;
    const method = request.method ?? 'GET';
    const day = this.currentDay();
    this.count(grant.tenantId, day, this.requestCounter(method, template));
    const written = method === 'POST' && template ? WRITES[template] : undefined;
    if (written && response.statusCode === 201 && !response.getHeader(IDEMPOTENT_REPLAYED_HEADER)) {
      this.count(grant.tenantId, day, WRITTEN_COUNTERS[written]);
    }
    if (this.environment.USAGE_FLUSH_INTERVAL_MS === 0) void this.flush();
  }

  /** One flush at a time; counts that fail to land stay pending for the next one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.usage.add([...batch.values()]);
      } catch (error) {
        for (const [key, increment] of batch) this.add(key, increment);
        this.logger.warn({ error: loggableError(error), counters: batch.size }, 'usage flush failed; kept for the next one');
      }
    });
    return this.flushing;
  }

  private requestCounter(method: string, template: string | undefined): string {
    const key = `${method} ${template}`;
    let counter = this.requestCounters.get(key);
    if (counter === undefined) {
      counter = requestsCounter(routeClass(method, template));
      this.requestCounters.set(key, counter);
    }
    return counter;
  }

  private currentDay(): string {
    const now = Date.now();
    if (now >= this.today.endsAt) {
      const name = utcDay(new Date(now));
      this.today = { name, endsAt: Date.parse(`${name}T00:00:00Z`) + 86_400_000 };
    }
    return this.today.name;
  }

  private count(tenantId: string, day: string, counter: string): void {
    this.add(`${tenantId} ${day} ${counter}`, { tenantId, day, counter, value: 1 });
  }

  private add(key: string, increment: UsageIncrement): void {
    const current = this.pending.get(key);
    if (current) current.value += increment.value;
    else this.pending.set(key, { ...increment });
  }
}

/** Nest builds middleware apart from providers: this one hands each finished response to the one meter. */
@Injectable()
export class UsageMeterMiddleware implements NestMiddleware {
  constructor(private readonly meter: UsageMeter) {}

  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    afterResponse(response, (finished) => finished && this.meter.record(request, response));
    next();
  }
}
