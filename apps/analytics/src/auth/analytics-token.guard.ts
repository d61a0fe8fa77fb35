import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { bearerToken, looksLikeApiKey, looksLikeGeneratedAdminToken, secretsEqual } from '@app/http-edge';
import { Environment } from '@app/config';

/** Tenant keys are refused by their format: the analytics role cannot read api_keys, so a live key and a dead one both get a 403. */
@Injectable()
export class AnalyticsTokenGuard implements CanActivate {
  constructor(@Inject(Environment) private readonly environment: Environment) {}

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization);
    if (!token) throw new UnauthorizedException('Missing bearer analytics token');
    const { ANALYTICS_TOKEN: analyticsToken, ADMIN_TOKEN: adminToken } = this.environment;
    if (analyticsToken !== undefined && secretsEqual(token, analyticsToken)) return true;
    const isAdminToken = adminToken !== undefined ? secretsEqual(token, adminToken) : looksLikeGeneratedAdminToken(token);
    if (isAdminToken || looksLikeApiKey(token)) {
      throw new ForbiddenException('This token cannot be used on the analytics API');
    }
    throw new UnauthorizedException('Unknown analytics token');
  }
}
