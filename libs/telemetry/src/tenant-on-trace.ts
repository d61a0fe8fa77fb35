import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';

/** The attribute that carries the tenant on spans and log lines; never a metric label (unbounded). */
export const TENANT_ID_ATTRIBUTE = 'tenant.id';

/** Puts the tenant on the request's server span and on the span in progress. Without tracing there is neither, and it costs a lookup. */
export function tagTraceWithTenant(tenantId: string): void {
  const active = context.active();
  getRPCMetadata(active)?.span.setAttribute(TENANT_ID_ATTRIBUTE, tenantId);
  trace.getSpan(active)?.setAttribute(TENANT_ID_ATTRIBUTE, tenantId);
}

/** The route template names the request's server span ("GET /v1/orders/:id") and fills http.route, as the HTTP instrumentation reads it. */
export function tagTraceWithRoute(routeTemplate: string): void {
  const metadata = getRPCMetadata(context.active());
  if (metadata?.type === RPCType.HTTP) metadata.route = routeTemplate;
}
