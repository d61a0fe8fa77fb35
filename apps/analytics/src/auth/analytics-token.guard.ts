import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken, looksLikeApiKey, looksLikeGeneratedAdminToken, secretsEqual } from '@app/http-edge';
import { Environment } from '@app/config';

/**
 * /analytics/*: only ANALYTICS_TOKEN. A token of another kind is a 403, anything else a 401.
 *
 * Tenant keys are recognised by their format, not looked up: the analytics role cannot read
 * api_keys (the control plane is not its business, and a lookup would need the API's pool),
 * so a well-formed tenant key is refused as the wrong kind whether or not it is live. The
 * admin token is recognised by value when this process knows it, and by the format of the
 * API's generated ones otherwise.
 */
@Injectable()
export class AnalyticsTokenGuard implements CanActivate {
  constructor(@Inject(Environment) private readonly environment: Environment) {}

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization);
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
