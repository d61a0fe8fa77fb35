import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { addTo, BenchRequest, LatencySummary, summarize } from './load';

export interface ArrivalOptions {
  url: string;
  /** Requests started per second, evenly spaced, whether or not earlier ones have been answered. */
  rate: number;
  durationSec: number;
  next: () => BenchRequest;
  timeoutMs?: number;
}

export interface ArrivalResult {
  requests: number;
  rps: number;
  latencyMs: LatencySummary;
  statuses: Partial<Record<string, number>>;
  /** Responses that were not 2xx (a 429 counts here too: the caller decides what was expected). */
  non2xx: number;
  socketErrors: number;
  /** 429 responses without a positive Retry-After. */
  throttledWithoutRetryAfter: number;
  latencies: number[];
}

/**
 * An open model, as k6's constant-arrival-rate executor: one request every 1/rate s on its own
 * keep-alive socket. autocannon's overallRate is a budget per connection and second, spent at the
 * start of each second: its arrivals come as one burst a second.
 */
export async function arriveAtRate(options: ArrivalOptions): Promise<ArrivalResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  const statuses: ArrivalResult['statuses'] = {};
  let socketErrors = 0;
  let throttledWithoutRetryAfter = 0;
  const send = (next: BenchRequest) =>
    new Promise<void>((resolve) => {
      const sentAt = performance.now();
      const outgoing = request(`${options.url}${next.path}`, { method: next.method, headers: next.headers, agent, timeout: options.timeoutMs ?? 10_000 });
      outgoing.on('response', (response) => {
        response.resume();
        response.on('end', () => {
          latencies.push(performance.now() - sentAt);
          const status = response.statusCode ?? 0;
          addTo(statuses, status);
          if (status === 429 && !(Number(response.headers['retry-after']) > 0)) throttledWithoutRetryAfter += 1;
          resolve();
        });
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
      outgoing.on('error', () => {
        socketErrors += 1;
        resolve();
      });
      outgoing.end(next.body);
    });

  const total = Math.round(options.rate * options.durationSec);
  const spacingMs = 1000 / options.rate;
  const startedAt = performance.now();
  const answers: Array<Promise<void>> = [];
  for (let index = 0; index < total; index += 1) {
    const wait = startedAt + index * spacingMs - performance.now();
    if (wait > 0) await sleep(wait);
    answers.push(send(options.next()));
  }
  await Promise.all(answers);
  agent.destroy();
  const durationSec = (performance.now() - startedAt) / 1000;
  return {
    requests: total,
    rps: total / durationSec,
    latencyMs: summarize(latencies),
    statuses,
    non2xx: Object.entries(statuses).reduce((sum, [status, count = 0]) => (status.startsWith('2') ? sum : sum + count), 0),
    socketErrors,
    throttledWithoutRetryAfter,
    latencies,
  };
}

/** Several runs as one: counts add up, percentiles are taken over all their answers. */
export function combineArrivals(parts: ArrivalResult[]): ArrivalResult {
  const sum = (pick: (part: ArrivalResult) => number) => parts.reduce((total, part) => total + pick(part), 0);
  const statuses: ArrivalResult['statuses'] = {};
  for (const part of parts) for (const [status, count = 0] of Object.entries(part.statuses)) addTo(statuses, status, count);
  const latencies = parts.flatMap((part) => part.latencies);
  return {
    requests: sum((part) => part.requests),
    rps: sum((part) => part.rps) / parts.length,
    latencyMs: summarize(latencies),
    statuses,
    non2xx: sum((part) => part.non2xx),
    socketErrors: sum((part) => part.socketErrors),
    throttledWithoutRetryAfter: sum((part) => part.throttledWithoutRetryAfter),
    latencies,
  };
}
