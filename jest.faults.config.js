/**
 * Fault injection against a local Citus cluster of its own (scripts/test-faults.sh starts it
 * in CLUSTER_DIR on other ports): nodes and PgBouncer are stopped and started under load.
 */
module.exports = {
  ...require('./jest.shared'),
  displayName: 'faults (citus)',
  testMatch: ['<rootDir>/apps/*/test/faults/**/*.faults-spec.ts'],
  globalSetup: '<rootDir>/test/faults-global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 180_000,
  testSequencer: '<rootDir>/test/faults-sequencer.js',
};
