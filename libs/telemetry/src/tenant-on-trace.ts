import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';

/** The attribute that carries the tenant on spans and log lines; never a metric label (unbounded). */
export const TENANT_ID_ATTRIBUTE = 'tenant.id';

/** Puts the tenant on the request's server span and on the span in progress. Without tracing there is neither, and it costs a lookup. */
export function tagTraceWithTenant(tenantId: string): void {
  const active = context.active();
  getRPCMetadata(active)?.span.setAttribute(TENANT_ID_ATTRIBUTE, tenantId);
  trace.getSpan(active)?.setAttribute(TENANT_ID_ATTRIBUTE, tenantId);
}
