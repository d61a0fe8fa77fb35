import { ForbiddenException, Inject, Injectable, NestMiddleware, UnauthorizedException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, noteRequestTenant, secretsEqual } from '@app/http-edge';
import { Environment } from '@app/config';
import { runWithTenant } from '@app/tenancy';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { grantRequest } from './authenticated-request';
import { TenantRateLimiter } from './tenant-rate-limiter';

/** The only way into a tenant context: the api key decides the tenant, nothing in the request can. */
@Injectable()
export class TenantAuthMiddleware implements NestMiddleware {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly rateLimiter: TenantRateLimiter,
    @Inject(Environment) private readonly environment: Environment,
  ) {}

  async use(request: IncomingMessage, response: ServerResponse, next: () => void): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new UnauthorizedException('Missing bearer api key');
    const grant = await this.authenticator.authenticate(token);
    if (!grant) {
      const isServiceToken = [this.environment.ADMIN_TOKEN, this.environment.ANALYTICS_TOKEN].some(
        (serviceToken) => serviceToken !== undefined && secretsEqual(token, serviceToken),
      );
      if (isServiceToken) throw new ForbiddenException('This token cannot be used on the tenant API');
      throw new UnauthorizedException('Unknown or revoked api key');
    }
    noteRequestTenant(response, grant.tenantId);
    if (grant.tenantStatus !== 'active') throw new ForbiddenException('Tenant is suspended');
    await this.rateLimiter.consume(grant, response);

    grantRequest(request, grant);
    runWithTenant({ tenantId: grant.tenantId, planId: grant.planId, statementTimeoutMs: grant.statementTimeoutMs }, () => next());
  }
}
