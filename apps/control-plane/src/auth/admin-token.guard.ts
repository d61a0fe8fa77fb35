import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Environment } from '@app/config';
import { bearerToken, looksLikeApiKey, secretsEqual } from '@app/http-edge';
import { AuditRefusals } from '../audit/admin-audit';

/** A tenant key is recognised by its form, without a query: the control plane never looks keys up. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    @Inject(Environment) private readonly environment: Environment,
    private readonly refusals: AuditRefusals,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      this.refusals.record(request, 401, 'no-token');
      throw new UnauthorizedException('Missing bearer admin token');
    }
    const adminToken = this.environment.ADMIN_TOKEN;
    if (adminToken && secretsEqual(token, adminToken)) return true;
    const isAnalyticsToken = this.environment.ANALYTICS_TOKEN !== undefined && secretsEqual(token, this.environment.ANALYTICS_TOKEN);
    if (isAnalyticsToken || looksLikeApiKey(token)) {
      this.refusals.record(request, 403, isAnalyticsToken ? 'analytics-token' : 'tenant-key');
      throw new ForbiddenException('This token cannot be used on the admin API');
    }
    this.refusals.record(request, 401, 'unknown-token');
    throw new UnauthorizedException('Unknown admin token');
  }
}
