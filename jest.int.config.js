/**
 * Integration tests: every app against a real, migrated database (embedded PostgreSQL by
 * default, the local Citus cluster with TEST_TARGET=citus), app roles through PgBouncer.
 */
module.exports = {
  ...require('./jest.shared'),
  displayName: process.env.TEST_TARGET === 'citus' ? 'integration (citus)' : 'integration (embedded)',
  testMatch: ['<rootDir>/apps/*/test/**/*.e2e-spec.ts', ...(process.env.TEST_TARGET === 'citus' ? ['<rootDir>/apps/*/test/**/*.citus-spec.ts'] : [])],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
};
