import { AsyncLocalStorage } from 'node:async_hooks';
import { applyDecorators, CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiProperty } from '@nestjs/swagger';
import type { FastifyRequest as Request } from 'fastify';
import { from, mergeMap, Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { clientRequestIdOf, loggableError, serverRequestIdOf } from '@app/http-edge';
import { Connection } from '@app/persistence';

export type AdminAction =
  | 'tenant.created'
  | 'tenant.changed'
  | 'tenant.deleted'
  | 'tenant.exported'
  | 'tenant.imported'
  | 'tenant.isolated'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'cluster.rebalance_started'
  | 'admin.refused';

export interface AuditEntry {
  id: number;
  occurredAt: string;
  actor: string;
  action: AdminAction;
  tenantId: string | null;
  requestId: string;
  clientRequestId: string | null;
  details: Record<string, unknown>;
}

export class AuditEntryView implements AuditEntry {
  @ApiProperty({ type: 'integer' }) id: number;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({
    description: 'The kind of token that acted, or was refused',
    enum: ['admin-token', 'tenant-key', 'analytics-token', 'unknown-token', 'no-token'],
  })
  actor: string;
  @ApiProperty() action: AdminAction;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) tenantId: string | null;
  @ApiProperty({ description: 'Made by the server for this request' }) requestId: string;
  @ApiProperty({ nullable: true, type: String, description: 'The X-Request-Id the client sent, if any: its word, not the record' })
  clientRequestId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What changed: parameters, never secrets' })
  details: Record<string, unknown>;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEntryView] }) data: AuditEntryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

/** Runs a statement on a connection: the control pool, or the transaction of the action being audited. */
export type StatementRunner = (sql: string, parameters: unknown[]) => Promise<unknown>;

@Injectable()
export class AdminAuditRepository {
  constructor(@InjectDataSource(Connection.Control) private readonly dataSource: DataSource) {}

  async record(
    entry: Omit<AuditEntry, 'id' | 'occurredAt'>,
    run: StatementRunner = (sql, parameters) => this.dataSource.query(sql, parameters),
  ): Promise<void> {
    await run(`INSERT INTO admin_audit (actor, action, tenant_id, request_id, client_request_id, details) VALUES ($1, $2, $3, $4, $5, $6)`, [
      entry.actor,
      entry.action,
      entry.tenantId,
      entry.requestId,
      entry.clientRequestId,
      JSON.stringify(entry.details),
    ]);
  }

  page(limit: number, beforeId?: number): Promise<AuditEntry[]> {
    return this.dataSource.query(
      `SELECT id, occurred_at AS "occurredAt", actor, action, tenant_id AS "tenantId", request_id AS "requestId",
              client_request_id AS "clientRequestId", details
         FROM admin_audit WHERE ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $1`,
      [limit, beforeId ?? null],
    );
  }
}

interface AuditScope {
  action: AdminAction;
  request: Request;
  recorded: boolean;
}

const AUDIT_ACTION = 'admin:audit-action';

/**
 * The audit row of an admin action. An action that runs in a transaction records it there (recordWithin), so that the change and its
 * record commit or roll back together; any other is recorded once it succeeded.
 */
@Injectable()
export class AuditTrail {
  private readonly scope = new AsyncLocalStorage<AuditScope>();

  constructor(private readonly audit: AdminAuditRepository) {}

  run<T>(action: AdminAction, request: Request, work: () => Promise<T>): Promise<{ result: T; recorded: boolean }> {
    const scope: AuditScope = { action, request, recorded: false };
    return this.scope.run(scope, async () => ({ result: await work(), recorded: scope.recorded }));
  }

  /** Inside the action's transaction; outside an audited request it records nothing. */
  async recordWithin(run: StatementRunner, made: { tenantId?: string; details?: Record<string, unknown> } = {}): Promise<void> {
    const scope = this.scope.getStore();
    if (!scope) return;
    await this.audit.record(entryOf(scope.action, scope.request, made.tenantId ?? null, { ...detailsOf(scope.request, undefined), ...made.details }), run);
    scope.recorded = true;
  }

  recordAfter(action: AdminAction, request: Request, result: unknown): Promise<void> {
    const { id } = paramsOf(request);
    const tenantId = typeof id === 'string' ? id : tenantIdOf(result);
    return this.audit.record(entryOf(action, request, tenantId, detailsOf(request, result)));
  }
}

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly trail: AuditTrail,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.reflector.get<AdminAction | undefined>(AUDIT_ACTION, context.getHandler());
    if (!action) return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    return from(
      this.trail.run(action, request, () => new Promise<unknown>((resolve, reject) => next.handle().subscribe({ next: resolve, error: reject }))),
    ).pipe(
      mergeMap(async ({ result, recorded }) => {
        if (!recorded) await this.trail.recordAfter(action, request, result);
        return result;
      }),
    );
  }
}

const REFUSALS_PER_SECOND = 20;

/** Refused admin attempts are recorded too, at most REFUSALS_PER_SECOND a second per process: a flood must not fill the table. */
@Injectable()
export class AuditRefusals {
  private readonly logger = new Logger(AuditRefusals.name);
  private windowStart = 0;
  private recordedInWindow = 0;
  private suppressed = 0;

  constructor(private readonly audit: AdminAuditRepository) {}

  record(request: Request, status: 401 | 403, actor: string): void {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.recordedInWindow = 0;
    }
    if (this.recordedInWindow >= REFUSALS_PER_SECOND) {
      this.suppressed += 1;
      return;
    }
    this.recordedInWindow += 1;
    const suppressedBefore = this.suppressed;
    this.suppressed = 0;
    const details: Record<string, unknown> = { method: request.method, path: pathOf(request).slice(0, 200), status };
    if (suppressedBefore > 0) details.suppressedBefore = suppressedBefore;
    this.audit.record({ ...entryOf('admin.refused', request, null, details), actor }).catch((error: unknown) => {
      this.logger.warn({ error: loggableError(error) }, 'could not record a refused admin attempt');
    });
  }
}

function entryOf(action: AdminAction, request: Request, tenantId: string | null, details: Record<string, unknown>): Omit<AuditEntry, 'id' | 'occurredAt'> {
  return { actor: 'admin-token', action, tenantId, requestId: serverRequestIdOf(request), clientRequestId: clientRequestIdOf(request), details };
}

function paramsOf(request: Request): Record<string, unknown> {
  return (request.params ?? {}) as Record<string, unknown>;
}

function pathOf(request: Request): string {
  return request.url.split('?', 1)[0];
}

function tenantIdOf(result: unknown): string | null {
  const tenant = (result as { tenant?: { id?: unknown } } | undefined)?.tenant;
  return typeof tenant?.id === 'string' ? tenant.id : null;
}

/** Parameters and what was made; the api key a result carries is a secret and is never kept. */
function detailsOf(request: Request, result: unknown): Record<string, unknown> {
  const { id: _tenantId, ...params } = paramsOf(request);
  const details: Record<string, unknown> = { ...params, ...(request.query as Record<string, unknown>) };
  if (request.body && typeof request.body === 'object' && !Array.isArray(request.body)) Object.assign(details, request.body);
  const made = result as
    { id?: unknown; jobId?: unknown; rows?: unknown; shardId?: unknown; nodeName?: unknown; nodePort?: unknown; pinned?: unknown } | undefined;
  for (const key of ['jobId', 'rows', 'shardId', 'nodeName', 'nodePort', 'pinned'] as const) {
    if (made?.[key] !== undefined) details[key] = made[key];
  }
  if (typeof made?.id === 'string' && request.method === 'POST' && pathOf(request).endsWith('/api-keys')) details.keyId = made.id;
  return details;
}

/** Attached to the audited handlers only: every other request skips Nest's interceptor chain. */
export const Audited = (action: AdminAction) => applyDecorators(SetMetadata(AUDIT_ACTION, action), UseInterceptors(AuditInterceptor));
