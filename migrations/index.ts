import { CreateRoles1764000000000 } from './1764000000000-CreateRoles';
import { CreateReferenceTables1764000001000 } from './1764000001000-CreateReferenceTables';
import { CreateControlPlane1764000002000 } from './1764000002000-CreateControlPlane';
import { CreateTenantTables1764000003000 } from './1764000003000-CreateTenantTables';
import { CreateDailyOrderStats1764000004000 } from './1764000004000-CreateDailyOrderStats';
import { CreateRateLimitWindows1764000005000 } from './1764000005000-CreateRateLimitWindows';

/** Every migration, in order. Listed explicitly so the build includes them and nothing else. */
export const migrations = [
  CreateRoles1764000000000,
  CreateReferenceTables1764000001000,
  CreateControlPlane1764000002000,
  CreateTenantTables1764000003000,
  CreateDailyOrderStats1764000004000,
  CreateRateLimitWindows1764000005000,
];
