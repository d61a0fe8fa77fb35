import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken, looksLikeApiKey, secretsEqual } from '@app/http-edge';
import { Environment } from '@app/config';
import { ApiKeyAuthenticator } from './api-key-authenticator';

@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(Environment) private readonly environment: Environment,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const token = bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization);
    if (!token) throw new UnauthorizedException('Missing bearer admin token');
    const adminToken = this.environment.ADMIN_TOKEN;
    if (adminToken && secretsEqual(token, adminToken)) return true;
    const isAnalyticsToken = this.environment.ANALYTICS_TOKEN !== undefined && secretsEqual(token, this.environment.ANALYTICS_TOKEN);
    if (isAnalyticsToken || (looksLikeApiKey(token) && (await this.authenticator.authenticate(token)))) {
      throw new ForbiddenException('This token cannot be used on the admin API');
    }
    throw new UnauthorizedException('Unknown admin token');
  }
}
