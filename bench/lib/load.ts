import autocannon from 'autocannon';

export interface BenchRequest {
  route: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * The leak check: true when the response is the one the sending tenant must get. A checked
   * request is judged by its check alone (a probe that must be 404 is not an error when it is).
   */
  check?: (status: number, body: string) => boolean;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSec: number;
  /** Called before every request: which request to send next. */
  next: () => BenchRequest;
  /** Request timeout in seconds (autocannon counts a timeout as an error). */
  timeoutSec?: number;
  /** Requests per second across all connections (an open model); unset: as fast as answers come. */
  overallRate?: number;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  durationSec: number;
  requests: number;
  rps: number;
  latencyMs: LatencySummary;
  /** Unexpected responses: non-2xx where a 2xx was due, or a failed leak check. */
  non2xx: number;
  /** Socket errors and timeouts (autocannon's `errors` includes its `timeouts`). */
  socketErrors: number;
  timeouts: number;
  /** Unexpected responses (non-2xx, or a failed check) plus socket errors. */
  errors: number;
  byRoute: Partial<Record<string, { requests: number; non2xx: number; statuses: Partial<Record<string, number>> }>>;
  /** Responses per HTTP status code. */
  statuses: Partial<Record<string, number>>;
  /** Every response time, ms (for combining runs). */
  latencies: number[];
  /** The body of the first response of each non-2xx status (cut to 300 characters). */
  errorSamples: Partial<Record<string, string>>;
  /** Leak checks: responses checked against the tenant that sent them, and the first few that failed. */
  checks: { passed: number; failed: number; failures: string[] };
}

/**
 * One autocannon run. Every request is rebuilt by `next()` (a rotating tenant key, order id and
 * route), and the latencies of all responses are kept so that p95 can be read exactly
 * (autocannon's own summary has p50, p97.5 and p99 but no p95).
 */
export function drive(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const byRoute: LoadResult['byRoute'] = {};
  const errorSamples: Partial<Record<string, string>> = {};
  const checks: LoadResult['checks'] = { passed: 0, failed: 0, failures: [] };
  let unexpected = 0;
  type Context = { route?: string; path?: string; check?: BenchRequest['check'] };

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationSec,
        timeout: options.timeoutSec ?? 10,
        ...(options.overallRate ? { overallRate: options.overallRate } : {}),
        requests: [
          {
            setupRequest: (request, context) => {
              const next = options.next();
              Object.assign(context as Context, { route: next.route, path: next.path, check: next.check });
              return { ...request, method: next.method, path: next.path, headers: next.headers, body: next.body ?? '' };
            },
            onResponse: (status, body, context) => {
              const { route = 'unknown', path, check } = context as Context;
              const entry = (byRoute[route] ??= { requests: 0, non2xx: 0, statuses: {} });
              entry.requests += 1;
              addTo(entry.statuses, status);
              const failed = check ? !check(status, body) : status < 200 || status > 299;
              if (check && !failed) checks.passed += 1;
              if (check && failed) {
                checks.failed += 1;
                if (checks.failures.length < 5) checks.failures.push(`${route} ${path}: ${status} ${body.slice(0, 200)}`);
              }
              if (failed) {
                entry.non2xx += 1;
                unexpected += 1;
                errorSamples[status] ??= body.slice(0, 300);
              }
            },
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const socketErrors = result.errors;
        resolve({
          durationSec: result.duration,
          requests: result.requests.total,
          rps: result.requests.total / result.duration,
          latencyMs: summarize(latencies),
          non2xx: unexpected,
          socketErrors,
          timeouts: result.timeouts,
          errors: unexpected + socketErrors,
          byRoute,
          latencies,
          errorSamples,
          checks,
          statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count])),
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}

/** Several runs as one: counts add up, percentiles are taken over all their responses. */
export function combineLoads(parts: LoadResult[]): LoadResult {
  const sum = (pick: (part: LoadResult) => number) => parts.reduce((total, part) => total + pick(part), 0);
  const latencies = parts.flatMap((part) => part.latencies);
  const byRoute: LoadResult['byRoute'] = {};
  const statuses: LoadResult['statuses'] = {};
  for (const part of parts) {
    for (const [code, count = 0] of Object.entries(part.statuses)) addTo(statuses, code, count);
    for (const [route, entry] of Object.entries(part.byRoute)) {
      if (!entry) continue;
      const target = (byRoute[route] ??= { requests: 0, non2xx: 0, statuses: {} });
      target.requests += entry.requests;
      target.non2xx += entry.non2xx;
      for (const [code, count = 0] of Object.entries(entry.statuses)) addTo(target.statuses, code, count);
    }
  }
  const durationSec = sum((part) => part.durationSec);
  const requests = sum((part) => part.requests);
  return {
    durationSec,
    requests,
    rps: requests / durationSec,
    latencyMs: summarize(latencies),
    non2xx: sum((part) => part.non2xx),
    socketErrors: sum((part) => part.socketErrors),
    timeouts: sum((part) => part.timeouts),
    errors: sum((part) => part.errors),
    byRoute,
    statuses,
    latencies,
    errorSamples: Object.assign({}, ...parts.map((part) => part.errorSamples)),
    checks: {
      passed: sum((part) => part.checks.passed),
      failed: sum((part) => part.checks.failed),
      failures: parts.flatMap((part) => part.checks.failures).slice(0, 5),
    },
  };
}

export function addTo(counts: Partial<Record<string, number>>, key: string | number, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Nearest-rank percentiles. */
export function summarize(values: number[]): LatencySummary {
  if (values.length === 0) return { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] };
}
