/** Advisory lock ids that more than one process takes: one definition each. */

/**
 * Transaction-level advisory lock that every writer of daily_order_stats takes: the refresh
 * exclusively (one refresh at a time, across processes), a tenant deletion shared (so that a
 * refresh can never write rows for a tenant whose rows were just deleted).
 */
export const DAILY_ORDER_STATS_LOCK = 7_341_200_401;
