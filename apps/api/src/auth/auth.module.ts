import { Module } from '@nestjs/common';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeysRepository } from './api-keys.repository';
import { CredentialChangesListener } from './credential-changes.listener';
import { RateLimitRepository } from './rate-limit.repository';
import { TenantAuthMiddleware } from './tenant-auth.middleware';
import { TenantRateLimiter } from './tenant-rate-limiter';

@Module({
  providers: [ApiKeyAuthenticator, CredentialChangesListener, TenantRateLimiter, TenantAuthMiddleware, ApiKeysRepository, RateLimitRepository],
  exports: [ApiKeyAuthenticator, TenantRateLimiter, TenantAuthMiddleware],
})
export class AuthModule {}
