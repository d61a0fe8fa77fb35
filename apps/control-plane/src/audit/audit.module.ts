import { Global, Module } from '@nestjs/common';
import { AdminAuditRepository, AuditInterceptor, AuditRefusals, AuditTrail } from './admin-audit';
import { AuditController } from './audit.controller';

/** Global: every room's audited handlers resolve the interceptor and its repository from here. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [AdminAuditRepository, AuditInterceptor, AuditTrail, AuditRefusals],
  exports: [AdminAuditRepository, AuditInterceptor, AuditTrail, AuditRefusals],
})
export class AuditModule {}
