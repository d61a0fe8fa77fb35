import { CreateRoles1764000000000 } from './1764000000000-CreateRoles';
import { CreateReferenceTables1764000001000 } from './1764000001000-CreateReferenceTables';
import { CreateControlPlane1764000002000 } from './1764000002000-CreateControlPlane';
import { CreateTenantTables1764000003000 } from './1764000003000-CreateTenantTables';
import { CreateDailyOrderStats1764000004000 } from './1764000004000-CreateDailyOrderStats';
import { CreateRateLimitWindows1764000005000 } from './1764000005000-CreateRateLimitWindows';
import { CreateTenantPlacementPins1764000006000 } from './1764000006000-CreateTenantPlacementPins';
import { CreateAdminAudit1764000007000 } from './1764000007000-CreateAdminAudit';
import { MarkControlPlaneTables1764000008000 } from './1764000008000-MarkControlPlaneTables';
import { CreateRefunds1764000009000 } from './1764000009000-CreateRefunds';
import { CreateTenantFunctions1764000010000 } from './1764000010000-CreateTenantFunctions';
import { FailWithoutTenantContext1764000011000 } from './1764000011000-FailWithoutTenantContext';
import { ReplayRetriedPaymentsAndRefunds1764000012000 } from './1764000012000-ReplayRetriedPaymentsAndRefunds';
import { SignedApiKeys1764000013000 } from './1764000013000-SignedApiKeys';
import { CreateTenantUsage1764000014000 } from './1764000014000-CreateTenantUsage';
import { AuditClientRequestIds1764000015000 } from './1764000015000-AuditClientRequestIds';
import { PinTenantFunctionSearchPath1764000016000 } from './1764000016000-PinTenantFunctionSearchPath';
import { SeekOrdersPageByCursor1764000017000 } from './1764000017000-SeekOrdersPageByCursor';
import { PlanTenantReadsOnTheirShard1764000018000 } from './1764000018000-PlanTenantReadsOnTheirShard';

/** Every migration, in order. Listed explicitly so the build includes them and nothing else. */
export const migrations = [
  CreateRoles1764000000000,
  CreateReferenceTables1764000001000,
  CreateControlPlane1764000002000,
  CreateTenantTables1764000003000,
  CreateDailyOrderStats1764000004000,
  CreateRateLimitWindows1764000005000,
  CreateTenantPlacementPins1764000006000,
  CreateAdminAudit1764000007000,
  MarkControlPlaneTables1764000008000,
  CreateRefunds1764000009000,
  CreateTenantFunctions1764000010000,
  FailWithoutTenantContext1764000011000,
  ReplayRetriedPaymentsAndRefunds1764000012000,
  SignedApiKeys1764000013000,
  CreateTenantUsage1764000014000,
  AuditClientRequestIds1764000015000,
  PinTenantFunctionSearchPath1764000016000,
  SeekOrdersPageByCursor1764000017000,
  PlanTenantReadsOnTheirShard1764000018000,
];
