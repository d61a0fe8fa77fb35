import { Counter, Gauge, Histogram } from 'prom-client';

export const analyticsAnswersTotal = new Counter({
  name: 'analytics_answers_total',
  help: 'Analytics answers by route and by source: the rollup (with its tail) or the orders alone',
  labelNames: ['route', 'source'] as const,
});

export const rollupRefreshesTotal = new Counter({
  name: 'analytics_rollup_refreshes_total',
  help: 'Rollup refreshes by outcome: refreshed, current (nothing to add), busy (another writer held the lock), failed',
  labelNames: ['status'] as const,
});

export const rollupRefreshDuration = new Histogram({
  name: 'analytics_rollup_refresh_duration_seconds',
  help: 'Duration of the rollup refreshes that ran',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
});

export const rollupLagSeconds = new Gauge({
  name: 'analytics_rollup_lag_seconds',
  help: "How far the rollup's watermark is behind now, after the latest refresh: the tail every answer reads",
});
