import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { AnyRequest } from '@app/http-edge';
import { runWithTenant } from '@app/tenancy';
import { grantOf } from './authenticated-request';

/**
 * Runs the pipes and the handler of a request with an api key grant in that tenant's context. Entered here rather than in the
 * middleware that checks the key: fastify reads the body after middleware, from events that do not carry the middleware's context.
 */
@Injectable()
export class TenantContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const grant = grantOf(context.switchToHttp().getRequest<AnyRequest>());
    if (!grant) return next.handle();
    const tenant = { tenantId: grant.tenantId, planId: grant.planId, statementTimeoutMs: grant.statementTimeoutMs };
    // Nest binds what handle() starts to the context it is called in.
    return runWithTenant(tenant, () => next.handle());
  }
}
