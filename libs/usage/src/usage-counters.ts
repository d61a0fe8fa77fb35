/** The names of the usage counters: one definition for the API that counts and the services that read. */
export const REQUESTS_PREFIX = 'requests.';
export const WRITTEN_COUNTERS = { orders: 'written.orders', payments: 'written.payments', refunds: 'written.refunds' } as const;
export const STORAGE_COUNTERS = { rows: 'storage.rows', bytes: 'storage.bytes' } as const;

export const requestsCounter = (routeClass: string): string => `${REQUESTS_PREFIX}${routeClass}`;
