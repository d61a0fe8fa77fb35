import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { Environment } from '@app/config';
import { bearerToken, looksLikeApiKey, secretsEqual } from '@app/http-edge';

/** A tenant key is recognised by its form, without a query: the control plane never looks keys up. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(Environment) private readonly environment: Environment) {}

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization);
    if (!token) throw new UnauthorizedException('Missing bearer admin token');
    const adminToken = this.environment.ADMIN_TOKEN;
    if (adminToken && secretsEqual(token, adminToken)) return true;
    const isAnalyticsToken = this.environment.ANALYTICS_TOKEN !== undefined && secretsEqual(token, this.environment.ANALYTICS_TOKEN);
    if (isAnalyticsToken || looksLikeApiKey(token)) throw new ForbiddenException('This token cannot be used on the admin API');
    throw new UnauthorizedException('Unknown admin token');
  }
}
