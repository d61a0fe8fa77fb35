import type { NodeSDK } from '@opentelemetry/sdk-node';
import { statementSpanName } from './statement-span-name';

/** Paths polled by load balancers and Prometheus: neither traced nor in the access log, where they would be most of it and say nothing. */
export const POLLED_PATHS = /^\/(?:metrics|health)(?:[/?]|$)/;

let running: NodeSDK | undefined;

/**
 * Starts OpenTelemetry tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, and does nothing (loads nothing) otherwise. Must run before
 * http and pg are first required: each app's main imports its `tracing` module first. The SDK reads the other standard
 * OTEL_* variables (protocol, service name, sampler, headers) itself.
 */
export function startTracing(serviceName: string, environment: NodeJS.ProcessEnv = process.env): boolean {
  if (running || !environment.OTEL_EXPORTER_OTLP_ENDPOINT) return false;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on, and before the modules they patch */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino') as typeof import('@opentelemetry/instrumentation-pino');
  /* eslint-enable @typescript-eslint/no-require-imports */

  // Traces only: metrics are Prometheus's (/metrics) and log lines pino's (stdout), each with its own pipeline.
  environment.OTEL_METRICS_EXPORTER ??= 'none';
  environment.OTEL_LOGS_EXPORTER ??= 'none';
  running = new NodeSDK({
    // The exporter follows OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf unless told otherwise).
    serviceName: environment.OTEL_SERVICE_NAME ?? serviceName,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => POLLED_PATHS.test(request.url ?? ''),
      }),
      new PgInstrumentation({
        // Without a request around it (listener heartbeats, usage flushes) a query is not worth a trace of its own.
        requireParentSpan: true,
        ignoreConnectSpans: true,
        enhancedDatabaseReporting: false,
        requestHook: (span, { query }) => span.updateName(statementSpanName(query.text)),
      }),
      // Adds trace_id and span_id to every log line written inside a request.
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  running.start();
  return true;
}

/** Exports the spans still buffered; the graceful shutdown calls it last. */
export async function stopTracing(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}
