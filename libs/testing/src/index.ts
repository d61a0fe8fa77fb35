export * from './factories';
export * from './free-port';
export * from './pgbouncer';
export * from './test-database';
export * from './throwaway-database';
export * from './cluster-control';
export * from './api-client';
export * from './openapi-lint';
