/** The refresh takes it exclusively, a tenant deletion shared: no refresh writes rows for a tenant whose rows were just deleted. */
export const DAILY_ORDER_STATS_LOCK = 7_341_200_401;

/** Seeds the hash of the tenant id (hashtextextended): one import of a tenant id at a time, across control plane processes. */
export const TENANT_IMPORT_LOCK = 7_341_200_402;
