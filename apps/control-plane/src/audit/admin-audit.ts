import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiProperty } from '@nestjs/swagger';
import type { Request } from 'express';
import { mergeMap, Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { requestIdOf } from '@app/http-edge';
import { Connection } from '@app/persistence';

export type AdminAction =
  | 'tenant.created'
  | 'tenant.changed'
  | 'tenant.deleted'
  | 'tenant.imported'
  | 'tenant.isolated'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'cluster.rebalance_started';

export interface AuditEntry {
  id: number;
  occurredAt: string;
  actor: string;
  action: AdminAction;
  tenantId: string | null;
  requestId: string;
  details: Record<string, unknown>;
}

export class AuditEntryView implements AuditEntry {
  @ApiProperty({ type: 'integer' }) id: number;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ description: 'The kind of token that acted', enum: ['admin-token'] }) actor: string;
  @ApiProperty() action: AdminAction;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) tenantId: string | null;
  @ApiProperty() requestId: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What changed: parameters, never secrets' })
  details: Record<string, unknown>;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEntryView] }) data: AuditEntryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

@Injectable()
export class AdminAuditRepository {
  constructor(@InjectDataSource(Connection.Control) private readonly dataSource: DataSource) {}

  async record(entry: Omit<AuditEntry, 'id' | 'occurredAt'>): Promise<void> {
    await this.dataSource.query(`INSERT INTO admin_audit (actor, action, tenant_id, request_id, details) VALUES ($1, $2, $3, $4, $5)`, [
      entry.actor,
      entry.action,
      entry.tenantId,
      entry.requestId,
      JSON.stringify(entry.details),
    ]);
  }

  page(limit: number, beforeId?: number): Promise<AuditEntry[]> {
    return this.dataSource.query(
      `SELECT id, occurred_at AS "occurredAt", actor, action, tenant_id AS "tenantId", request_id AS "requestId", details
         FROM admin_audit WHERE ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $1`,
      [limit, beforeId ?? null],
    );
  }
}

const AUDIT_ACTION = 'admin:audit-action';

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AdminAuditRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.reflector.get<AdminAction | undefined>(AUDIT_ACTION, context.getHandler());
    if (!action) return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        await this.audit.record({
          actor: 'admin-token',
          action,
          tenantId: typeof request.params.id === 'string' ? request.params.id : tenantIdOf(result),
          requestId: requestIdOf(request),
          details: detailsOf(request, result),
        });
        return result;
      }),
    );
  }
}

function tenantIdOf(result: unknown): string | null {
  const tenant = (result as { tenant?: { id?: unknown } } | undefined)?.tenant;
  return typeof tenant?.id === 'string' ? tenant.id : null;
}

/** Parameters and what was made; the api key a result carries is a secret and is never kept. */
function detailsOf(request: Request, result: unknown): Record<string, unknown> {
  const { id: _tenantId, ...params } = request.params;
  const details: Record<string, unknown> = { ...params, ...(request.query as Record<string, unknown>) };
  if (request.body && typeof request.body === 'object') Object.assign(details, request.body);
  const made = result as
    { id?: unknown; jobId?: unknown; rows?: unknown; shardId?: unknown; nodeName?: unknown; nodePort?: unknown; pinned?: unknown } | undefined;
  for (const key of ['jobId', 'rows', 'shardId', 'nodeName', 'nodePort', 'pinned'] as const) {
    if (made?.[key] !== undefined) details[key] = made[key];
  }
  if (typeof made?.id === 'string' && request.method === 'POST' && request.path.endsWith('/api-keys')) details.keyId = made.id;
  return details;
}

/** Attached to the audited handlers only: every other request skips Nest's interceptor chain. */
export const Audited = (action: AdminAction) => applyDecorators(SetMetadata(AUDIT_ACTION, action), UseInterceptors(AuditInterceptor));
