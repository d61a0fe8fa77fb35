import { Module } from '@nestjs/common';
import { AdminTokenGuard } from './admin-token.guard';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { CredentialRevocations } from './credential-revocations';
import { TenantAuthMiddleware } from './tenant-auth.middleware';
import { TenantRateLimiter } from './tenant-rate-limiter';
import { ApiKeysRepository } from './api-keys.repository';
import { RateLimitRepository } from './rate-limit.repository';

@Module({
  providers: [ApiKeyAuthenticator, CredentialRevocations, TenantRateLimiter, TenantAuthMiddleware, AdminTokenGuard, ApiKeysRepository, RateLimitRepository],
  exports: [ApiKeyAuthenticator, CredentialRevocations, TenantRateLimiter, TenantAuthMiddleware, AdminTokenGuard],
})
export class AuthModule {}
