import { Module } from '@nestjs/common';
import { AdminTokenGuard } from './admin-token.guard';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { TenantAuthMiddleware } from './tenant-auth.middleware';
import { TenantRateLimiter } from './tenant-rate-limiter';

@Module({
  providers: [ApiKeyAuthenticator, TenantRateLimiter, TenantAuthMiddleware, AdminTokenGuard],
  exports: [ApiKeyAuthenticator, TenantRateLimiter, TenantAuthMiddleware, AdminTokenGuard],
})
export class AuthModule {}
